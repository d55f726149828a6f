import type { PolicyResource } from "@pulumi/policy";
import { PROVIDER_TYPES, RESOURCE_TYPES } from "../../components/resource-types";
import type { PolicyModel } from "../../components/model/policy-view";
import { suiteAuthenticationOfKey, type SuiteAuthentication } from "../../components/pki/key-type";
import type { DeliveredFile } from "../kit/rendered-files";
import { effectiveBoolean, effectiveValue, filesByVm, isMariadbOptionFile, parseOptionFile, serverSettings, type OptionSetting } from "../database/option-files";

/** The Proxmox provider resources of the stack: their `minTls` and `insecure` govern every API call it makes. */
export function proxmoxProviders(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => r.type === PROVIDER_TYPES.Proxmox);
}

/**
 * A provider input as text. The engine hands provider inputs over as strings (`"false"`, `"1.2"`), the
 * offline plan too; a program-side value may still be a boolean. Undefined when not set.
 */
export function providerInput(provider: PolicyResource, key: string): string | undefined {
  const value: unknown = provider.props[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A MariaDB server the stack configures, with the settings `mariadbd` reads, when it speaks TLS. */
export interface MariadbTlsServer {
  vm: string;
  settings: OptionSetting[];
  /** The setting that turns TLS on (ssl_cert, ssl_key, ssl or require_secure_transport). */
  enabledBy: OptionSetting;
}

/** Every database server whose configuration turns TLS on. */
export function mariadbTlsServers(files: readonly DeliveredFile[]): MariadbTlsServer[] {
  const servers: MariadbTlsServer[] = [];
  for (const [vm, own] of filesByVm(files)) {
    const settings = serverSettings(own);
    const enabledBy = effectiveValue(settings, "ssl_cert") ?? effectiveValue(settings, "ssl_key") ?? effectiveBoolean(settings, "ssl")?.setting ?? effectiveBoolean(settings, "require_secure_transport")?.setting;
    if (enabledBy) servers.push({ vm, settings, enabledBy });
  }
  return servers;
}

/** Every setting of an option, in any group of any MariaDB option file delivered (servers and clients). */
export function mariadbSettingsNamed(files: readonly DeliveredFile[], names: readonly string[]): (OptionSetting & { vm: string })[] {
  return files.filter((f) => isMariadbOptionFile(f.path)).flatMap((f) => parseOptionFile(f).filter((s) => names.includes(s.name)).map((s) => ({ ...s, vm: f.vm })));
}

/**
 * The key algorithm (as a TLS 1.2 suite's authentication) behind each VM's TLS certificate: the @pulumi/tls
 * PrivateKey of every certificate request that names the VM's FQDN (the request and its key are made together,
 * `<name>-csr` and `<name>-key`, by components/pki/internal-ca.ts). A VM without one is absent.
 */
export function serverKeyAlgorithms(resources: readonly PolicyResource[], model: PolicyModel): Map<string, SuiteAuthentication[]> {
  const keys = new Map(resources.filter((r) => r.type === RESOURCE_TYPES.PrivateKey).map((r) => [r.name, r]));
  const byVm = new Map<string, SuiteAuthentication[]>();
  for (const csr of resources.filter((r) => r.type === RESOURCE_TYPES.CertRequest && r.name.endsWith("-csr"))) {
    const names: unknown = csr.props.dnsNames;
    const key = keys.get(`${csr.name.slice(0, -"-csr".length)}-key`);
    const auth = suiteAuthenticationOfKey(String(key?.props.algorithm ?? ""));
    if (!Array.isArray(names) || !auth) continue;
    for (const vm of model.vms.filter((v) => names.includes(v.fqdn))) {
      const list = byVm.get(vm.name) ?? [];
      if (!list.includes(auth)) list.push(auth);
      byVm.set(vm.name, list);
    }
  }
  return byVm;
}
