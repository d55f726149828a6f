// The monitoring files the stack delivers, read once for the monitoring policies: on each monitoring VM the
// engine's main configuration and the object files it names (cfg_dir, cfg_file), Shinken's daemon files, and
// on every host the NRPE agent's drop-in. The policies judge plain data, so their tests hand them the
// renderers' files as well as the stack's.
import * as crypto from "node:crypto";
import type { PolicyResource } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import type { PlatformSpec } from "../../components/spec/schema";
import { PRODUCTION_MONITORING_PATHS, type MonitoringPaths } from "../../monitoring/paths";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { vmUrn, type PlatformView } from "../kit/platform-view";
import type { Judgement } from "../backup/backup-judgement";
import type { Finding } from "../kit/types";
import { hostFilesOf, type HostFile } from "./host-files";
import { LineConfigError, allValues, parseKeyEqualsValue, type ConfigLine } from "./line-configs";
import { NagiosObjectError, NagiosObjectSet, parseNagiosObjects, type NagiosObject } from "./nagios-objects";

export interface MonitoringJudgeInput {
  spec: PlatformSpec;
  model: PolicyModel;
  /** The platform component (findings about the design as a whole). */
  urn: string;
  files: readonly HostFile[];
  /** Files whose text is not known yet (`fileKey`): never reported missing. */
  pending: ReadonlySet<string>;
  /** The URN of a host's component (findings about a file a host lacks); the platform's for a node. */
  hostUrn: (host: string) => string;
  /** The node a VM is declared on (its VM resource's nodeName; the model's placement without one). */
  nodeOf: (vm: string) => string | undefined;
  paths?: MonitoringPaths;
}

export type { Judgement };

/** One monitoring VM's engine: its main configuration and every object it reads. */
export interface EngineEvidence {
  vm: string;
  /** The model node the VM runs on. */
  node: string | undefined;
  main: { path: string; urn: string; lines: ConfigLine[] };
  objects: NagiosObjectSet;
  /** The object files read (cfg_file and the `.cfg` files under each cfg_dir), by path. */
  objectFiles: HostFile[];
  /** cfg_file / cfg_dir entries no delivered file stands for. */
  missing: string[];
}

/** One host's NRPE agent: the drop-in, read where the main nrpe.cfg includes it. */
export interface AgentEvidence {
  host: string;
  /** The drop-in's path and resource. */
  path: string;
  urn: string;
  /** The settings NRPE reads, in its order: the main file's with the drop-in at its include (the drop-in alone without a delivered main file). */
  lines: ConfigLine[];
  /** Every allowed_hosts entry of those lines: NRPE adds each allowed_hosts line to one list. */
  allowedHosts: string[];
  /** Whether the main nrpe.cfg is delivered (without it Debian's, whose allowed_hosts=127.0.0.1,::1 adds to the list). */
  mainDelivered: boolean;
}

/** A Shinken daemon file's definitions (arbiter, scheduler, ... objects). */
export interface ShinkenEvidence {
  vm: string;
  path: string;
  urn: string;
  objects: NagiosObject[];
}

export interface MonitoringEvidence {
  engines: EngineEvidence[];
  /** Monitoring VMs that get no main configuration (and none pending). */
  withoutEngine: string[];
  /** Monitoring VMs whose engine files cannot all be read: their engine is unknown, neither present nor absent. */
  unreadableEngines: string[];
  agents: AgentEvidence[];
  shinken: ShinkenEvidence[];
  /** Files this reader could not read: a finding each (an unreadable file proves nothing). */
  unreadable: { host: string; path: string; urn: string; error: string }[];
  files: readonly HostFile[];
}

export function pathsOf(input: MonitoringJudgeInput): MonitoringPaths {
  return input.paths ?? PRODUCTION_MONITORING_PATHS;
}

/** The model's monitoring VMs. */
export function monitoringVms(model: PolicyModel): PolicyModel["vms"] {
  return model.vms.filter((v) => v.tier === "monitoring");
}

/** The addresses of the monitoring VMs (every address of theirs the agents may see a check come from). */
export function monitoringAddresses(model: PolicyModel): string[] {
  return monitoringVms(model).flatMap((v) => v.nics.map((n) => n.address));
}

/** Shinken's arbiter main file (renderShinkenFiles: `<shinkenDir>/shinken.cfg`). */
export function shinkenMainConfig(engine: MonitoringPaths["engine"]): string {
  return `${engine.shinkenDir.replace(/\/+$/, "")}/shinken.cfg`;
}

const under = (dir: string, p: string): boolean => p.startsWith(`${dir.replace(/\/+$/, "")}/`);

/**
 * The object sets read so far, by their files' paths and texts: every monitoring VM of a stack gets the same
 * object files (a 64-node stack has 64 engines), and each policy reads them again. Bounded, never stale (the
 * key is the text itself, hashed).
 */
const objectSets = new Map<string, ObjectSetRead>();
const MAX_CACHED_SETS = 16;

type ObjectSetRead = { objects: NagiosObjectSet } | { error: unknown; path?: string };

function parseObjectSet(files: readonly HostFile[]): ObjectSetRead {
  const parsed: NagiosObject[] = [];
  for (const f of files) {
    try {
      parsed.push(...parseNagiosObjects(f.content, f.path));
    } catch (err) {
      return { error: err, path: f.path };
    }
  }
  try {
    return { objects: new NagiosObjectSet(parsed) };
  } catch (err) {
    return { error: err };
  }
}

/** The objects of the files an engine reads, or the error of the first that cannot be read (and that file of `files`). */
function readObjectSet(files: readonly HostFile[]): { objects: NagiosObjectSet } | { error: unknown; file?: HostFile } {
  const hash = crypto.createHash("sha256");
  for (const f of files) hash.update(f.path).update("\0").update(f.content).update("\0");
  const key = hash.digest("hex");
  let read = objectSets.get(key);
  if (!read) {
    read = parseObjectSet(files);
    if (objectSets.size >= MAX_CACHED_SETS) objectSets.delete(objectSets.keys().next().value as string);
    objectSets.set(key, read);
  }
  if ("objects" in read) return read;
  const at = read.path;
  return { error: read.error, file: files.find((f) => f.path === at) };
}

/** The monitoring evidence among the delivered files. */
export function readMonitoringEvidence(input: MonitoringJudgeInput): MonitoringEvidence {
  const { engine, agent } = pathsOf(input);
  const evidence: MonitoringEvidence = { engines: [], withoutEngine: [], unreadableEngines: [], agents: [], shinken: [], unreadable: [], files: input.files };
  const unreadable = (f: HostFile, err: unknown): void => {
    if (!(err instanceof NagiosObjectError) && !(err instanceof LineConfigError)) throw err;
    evidence.unreadable.push({ host: f.host, path: f.path, urn: f.urn, error: err.message });
  };

  for (const vm of monitoringVms(input.model)) {
    const mine = input.files.filter((f) => f.host === vm.name);
    for (const f of mine.filter((x) => under(engine.shinkenDir, x.path) && x.path.endsWith(".cfg"))) {
      try {
        // The arbiter's main file is key=value settings (cfg_dir ...); every other .cfg there holds definitions.
        if (f.path === shinkenMainConfig(engine)) parseKeyEqualsValue(f.content, f.path);
        else evidence.shinken.push({ vm: vm.name, path: f.path, urn: f.urn, objects: parseNagiosObjects(f.content, f.path) });
      } catch (err) {
        unreadable(f, err);
      }
    }
    const main = mine.find((f) => f.path === engine.mainConfig);
    if (!main) {
      if (!input.pending.has(`${vm.name}\0${engine.mainConfig}`)) evidence.withoutEngine.push(vm.name);
      continue;
    }
    let lines: ConfigLine[];
    try {
      lines = parseKeyEqualsValue(main.content, main.path);
    } catch (err) {
      unreadable(main, err);
      evidence.unreadableEngines.push(vm.name);
      continue;
    }
    const objectFiles: HostFile[] = [];
    const missing: string[] = [];
    for (const p of allValues(lines, "cfg_file")) {
      const f = mine.find((x) => x.path === p);
      if (f) objectFiles.push(f);
      else if (!input.pending.has(`${vm.name}\0${p}`)) missing.push(`cfg_file=${p}`);
    }
    for (const dir of allValues(lines, "cfg_dir")) {
      const found = mine.filter((x) => under(dir, x.path) && x.path.endsWith(".cfg"));
      if (!found.length && ![...input.pending].some((k) => k.startsWith(`${vm.name}\0`) && under(dir, k.split("\0")[1]))) missing.push(`cfg_dir=${dir}`);
      objectFiles.push(...found.filter((f) => !objectFiles.includes(f)));
    }
    const read = readObjectSet(objectFiles);
    if ("error" in read) {
      // A VM whose objects cannot all be read is judged by that finding alone: the rest would be judged half-read.
      unreadable(read.file ?? main, read.error);
      evidence.unreadableEngines.push(vm.name);
      continue;
    }
    const objects = read.objects;
    evidence.engines.push({ vm: vm.name, node: input.nodeOf(vm.name), main: { path: main.path, urn: main.urn, lines }, objects, objectFiles, missing });
  }

  for (const f of input.files.filter((x) => x.path === agent.config)) {
    const main = input.files.find((x) => x.host === f.host && x.path === agent.mainConfig);
    try {
      const dropIn = parseKeyEqualsValue(f.content, f.path);
      const mainLines = main ? parseKeyEqualsValue(main.content, main.path) : undefined;
      const includes = (l: ConfigLine): boolean => (l.key === "include_dir" && under(l.value, f.path)) || (l.key === "include" && l.value === f.path);
      const lines = mainLines ? mainLines.flatMap((l) => (includes(l) ? dropIn : [l])) : dropIn;
      const allowedHosts = lines.filter((l) => l.key === "allowed_hosts").flatMap((l) => l.value.split(",").map((a) => a.trim()).filter(Boolean));
      evidence.agents.push({ host: f.host, path: f.path, urn: f.urn, lines, allowedHosts, mainDelivered: main !== undefined });
    } catch (err) {
      unreadable(main && err instanceof LineConfigError && err.file === main.path ? main : f, err);
    }
  }
  return evidence;
}

/** The finding for a monitoring file this reader cannot read. */
export function unreadableFinding(u: MonitoringEvidence["unreadable"][number]): Finding {
  return { subject: `monitoring configuration of ${u.host}`, observed: `unreadable: ${u.error}`, expected: "files in Nagios's object syntax (or key=value lines), every template defined", urn: u.urn, location: u.path };
}

/** Why a monitoring policy has nothing to judge when no monitoring VM gets an engine configuration. */
export function noEngine(input: MonitoringJudgeInput): string {
  return `no monitoring engine configuration (${pathsOf(input).engine.mainConfig}) delivered to a monitoring VM (or its text is not known yet): the monitoring is only declared`;
}

export async function monitoringJudgeInput(view: PlatformView, resources: readonly PolicyResource[]): Promise<MonitoringJudgeInput> {
  const { files, pending } = await hostFilesOf(resources, view.model);
  const declared = new Map(resources.filter((r) => isResourceOf(r, RESOURCES.VmLegacy)).map((r) => [String(r.props.name), String(r.props.nodeName)]));
  const nodeOf = (vm: string): string | undefined => declared.get(vm) ?? view.model.vms.find((v) => v.name === vm)?.node;
  return { spec: view.spec, model: view.model, urn: view.urn, files, pending, hostUrn: (host) => vmUrn(resources, host, view.urn), nodeOf };
}
