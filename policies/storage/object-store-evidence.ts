import type { PolicyResource } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import { RESOURCES, isResourceOf, type ResourceClass } from "../../components/resource-types";
import { SECRET_MARK } from "../../components/offline-plan/run-offline-plan";
import { stagingPath } from "../../components/vm/deliver";
import { vmOf } from "../kit/platform-view";
import { fileKey } from "../kit/pending-files";

// What the object-store policies read from the resources besides the files' text: the resources of one type,
// the mode a delivered file is installed with, MinIO's env file as values, whether a run masks secrets.

/** The resources of one type, with their inputs. */
export function resourcesOf(resources: readonly PolicyResource[], cls: ResourceClass): PolicyResource[] {
  return resources.filter((r) => isResourceOf(r, cls));
}

/** How the delivery installs a file: `install -D -m MODE -o USER -g GROUP` (components/vm/deliver.ts). */
export interface InstalledMode {
  mode: string;
  owner: string;
  urn: string;
}

const INSTALL = /sudo install -D -m ([0-7]{3,4}) -o (\S+) -g (\S+) '([^']+)' '([^']+)'/;

/**
 * The mode and owner each delivered file is installed with, by `fileKey(vm, path)`: read from the install
 * command the VM's ConfigDelivery runs for it (the CopyToRemote only stages the file, unreadable to others).
 */
export function installedModes(resources: readonly PolicyResource[], model: PolicyModel): Map<string, InstalledMode> {
  const modes = new Map<string, InstalledMode>();
  for (const r of resourcesOf(resources, RESOURCES.RemoteCommand)) {
    const create = r.props.create;
    const match = typeof create === "string" ? INSTALL.exec(create) : null;
    const vm = match ? vmOf(r, model) : undefined;
    if (!match || !vm || match[4] !== stagingPath(match[5])) continue;
    modes.set(fileKey(vm.name, match[5]), { mode: match[1], owner: `${match[2]}:${match[3]}`, urn: r.urn });
  }
  return modes;
}

/** The values of a systemd EnvironmentFile (KEY=VALUE lines, a value in double quotes unquoted). */
export function envValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const raw = match[2].trim();
    values.set(match[1], raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
  }
  return values;
}

/** The value of one option in a command line such as MINIO_OPTS (`--certs-dir DIR` or `--certs-dir=DIR`). */
export function optionValue(commandLine: string, option: string): string | undefined {
  const words = commandLine.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    if (words[i] === option) return words[i + 1];
    if (words[i].startsWith(`${option}=`)) return words[i].slice(option.length + 1);
  }
  return undefined;
}

/**
 * Whether this run shows secrets masked: the offline plan replaces every secret input by SECRET_MARK, while
 * `pulumi preview` hands policies secrets unwrapped, where a plain-looking value proves nothing.
 */
export function runMasksSecrets(resources: readonly PolicyResource[]): boolean {
  const masked = (value: unknown): boolean => value === SECRET_MARK || (typeof value === "object" && value !== null && Object.values(value).some(masked));
  return resources.some((r) => masked(r.props));
}
