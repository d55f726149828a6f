import type { TlsEndpoint } from "../../components/tiers/tier-component";
import type { BaculaPlan } from "../../backup/bacula/bacula-plan";
import { PRODUCTION_BACULA_PATHS, tlsFilesFor, type BaculaTlsRole } from "../../backup/bacula/paths";
import { PRODUCTION_DATABASE_PATHS, tlsFiles } from "../../components/database/paths";
import { tierDefinition } from "../../components/tiers/registry";
import { certFileCommand } from "./agent-commands";
import { description } from "./description";
import { virtualAddressHost } from "./hosts";
import { hostNamed, networkCheck, nrpeCheck, type PlanContext, type PlannedCheck } from "./planned-check";
import type { MonitoredHost } from "./types";

/** A certificate a daemon reads from a file on some VMs, checked there by the agent. */
interface CertificateFile {
  vms: readonly string[];
  slug: string;
  label: string;
  file: string;
}

const BACULA_LABELS: Record<Exclude<BaculaTlsRole, "console">, string> = { director: "Bacula director", storage: "Bacula storage daemon", fileDaemon: "Bacula file daemon" };

function baculaFile(role: Exclude<BaculaTlsRole, "console">, vms: readonly string[]): CertificateFile {
  return { vms, slug: `bacula_${role === "fileDaemon" ? "fd" : role}`, label: BACULA_LABELS[role], file: tlsFilesFor(PRODUCTION_BACULA_PATHS, role).certificate };
}

/**
 * The file behind an endpoint whose TLS starts inside its own protocol (MariaDB's, Bacula's), which a TLS
 * handshake from outside cannot reach; undefined for a direct-TLS endpoint. Bacula's daemons run on every VM
 * that may run them (both backup VMs, both object-store VMs for `s3-fd`), each with the certificate.
 */
function inProtocolFile(ctx: PlanContext, endpoint: TlsEndpoint, bacula: BaculaPlan | undefined): CertificateFile | undefined {
  const tier = ctx.model.vms.find((vm) => vm.name === endpoint.vm)?.tier;
  if (tier === "database" && String(endpoint.port) === tierDefinition("database").servicePort?.(ctx.spec).port) {
    return { vms: [endpoint.vm], slug: "mariadb", label: "MariaDB", file: tlsFiles(PRODUCTION_DATABASE_PATHS).cert };
  }
  if (!bacula) return undefined;
  if (endpoint.address === bacula.director.address && endpoint.port === bacula.director.port) return baculaFile("director", bacula.director.vms);
  if (endpoint.address === bacula.storageDaemon.address && endpoint.port === bacula.storageDaemon.port) return baculaFile("storage", bacula.director.vms);
  const client = bacula.clients.find((c) => c.address === endpoint.address && c.tlsName === endpoint.serverName);
  if (client) return baculaFile("fileDaemon", client.vms);
  return undefined;
}

/** The host a direct-TLS endpoint is checked on: the virtual address it answers on, else its VM. */
function endpointHost(ctx: PlanContext, endpoint: TlsEndpoint): MonitoredHost {
  const vip = Object.entries(ctx.model.virtualIps).find(([, address]) => address === endpoint.address);
  return hostNamed(ctx, vip ? virtualAddressHost(vip[0]) : endpoint.vm);
}

/**
 * The expiry of every TLS endpoint's certificate: a TLS handshake (name verified) on a direct-TLS port; the
 * certificate file through the agent for MariaDB and Bacula, once per VM and file.
 */
export function certificateChecks(ctx: PlanContext, endpoints: readonly TlsEndpoint[], bacula: BaculaPlan | undefined): PlannedCheck[] {
  const checks = new Map<string, PlannedCheck>();
  const add = (planned: PlannedCheck): void => {
    const key = `${planned.check.host}\u0000${planned.check.description}`;
    if (!checks.has(key)) checks.set(key, planned);
  };
  for (const endpoint of endpoints) {
    const file = inProtocolFile(ctx, endpoint, bacula);
    if (file) {
      for (const vm of file.vms) add(nrpeCheck(ctx, hostNamed(ctx, vm), "service", description(`certificate ${file.label}`), certFileCommand(ctx.paths, file.slug, file.file, ctx.expiry)));
      continue;
    }
    const host = endpointHost(ctx, endpoint);
    add(networkCheck(ctx, host, "service", description(`certificate ${endpoint.serverName} port ${endpoint.port}`), { kind: "tcp", port: endpoint.port, tls: { serverName: endpoint.serverName, expiry: ctx.expiry } }, `the certificate of ${endpoint.what} is valid for more than ${ctx.expiry.warnDays} days`));
  }
  return [...checks.values()];
}
