// The Bacula files the stack delivers, read once for the backup policies: every bacula-dir.conf, bacula-sd.conf
// and bacula-fd.conf with the VM it goes to, and the questions several policies ask of them (a job's value
// through its JobDefs, the pools a job writes to, which storage daemon device is the NAS and where it mounts).
import { PRODUCTION_BACULA_PATHS, type BaculaPaths } from "../../backup/bacula/paths";
import type { DeliveredFile } from "../kit/rendered-files";
import type { Finding } from "../kit/types";
import { BaculaConfigError, baculaBool, directiveValue, directiveValues, findResource, parseBaculaConfig, resourceName, resourcesOf, type BaculaResource } from "./bacula-config-reader";
import { RunLineError, parseRunLine, type ParsedRun } from "./bacula-run-line";

/** One delivered Bacula configuration file, read. */
export interface BaculaConf {
  vm: string;
  path: string;
  urn: string;
  resources: BaculaResource[];
}

export interface BaculaEvidence {
  directors: BaculaConf[];
  storageDaemons: BaculaConf[];
  fileDaemons: BaculaConf[];
  /** Bacula files this reader could not read: a finding each (an unreadable file proves nothing). */
  unreadable: { vm: string; path: string; urn: string; error: string }[];
  /** Every delivered file, for the scripts the configuration names (the NAS mount command). */
  files: readonly DeliveredFile[];
}

/** The Bacula configuration files among the delivered files, read. */
export function readBaculaEvidence(files: readonly DeliveredFile[], paths: BaculaPaths = PRODUCTION_BACULA_PATHS): BaculaEvidence {
  const evidence: BaculaEvidence = { directors: [], storageDaemons: [], fileDaemons: [], unreadable: [], files };
  const kinds: [string, BaculaConf[]][] = [[paths.directorConf, evidence.directors], [paths.storageConf, evidence.storageDaemons], [paths.fileDaemonConf, evidence.fileDaemons]];
  for (const file of files) {
    const into = kinds.find(([p]) => p === file.path)?.[1];
    if (!into) continue;
    try {
      into.push({ vm: file.vm, path: file.path, urn: file.urn, resources: parseBaculaConfig(file.content) });
    } catch (err) {
      if (!(err instanceof BaculaConfigError)) throw err;
      evidence.unreadable.push({ vm: file.vm, path: file.path, urn: file.urn, error: err.message });
    }
  }
  return evidence;
}

/** The finding for a Bacula file this reader cannot read. */
export function unreadableFinding(u: BaculaEvidence["unreadable"][number]): Finding {
  return { subject: `Bacula configuration of ${u.vm}`, observed: `unreadable: ${u.error}`, expected: "a configuration in Bacula's syntax, braces balanced, no @includes", urn: u.urn, location: u.path };
}

/** `path: Type Name` for a finding's location. */
export function locationOf(conf: BaculaConf, resource?: BaculaResource): string {
  return resource ? `${conf.path}: ${resource.rawType} ${resourceName(resource) ?? `(line ${resource.line})`}` : conf.path;
}

// ---------------------------------------------------------------------------------------------------------
// The director's jobs, schedules and pools.

/** A job's directive, or its JobDefs' (Bacula's inheritance: the job's own value wins). */
export function jobValue(conf: BaculaConf, job: BaculaResource, key: string): string | undefined {
  const own = directiveValue(job, key);
  if (own !== undefined) return own;
  const defsName = directiveValue(job, "JobDefs");
  const defs = defsName === undefined ? undefined : findResource(conf.resources, "JobDefs", defsName);
  return defs ? directiveValue(defs, key) : undefined;
}

/** The director's jobs of a type (`Backup`, `Copy`, `Restore`, `Verify`), case-insensitively. */
export function jobsOfType(conf: BaculaConf, type: string): BaculaResource[] {
  return resourcesOf(conf.resources, "Job").filter((j) => jobValue(conf, j, "Type")?.toLowerCase() === type.toLowerCase());
}

/** A schedule's Run lines, read; a line Bacula would refuse (or this reader cannot model) as its error. */
export function scheduleRuns(schedule: BaculaResource): { line: string; run?: ParsedRun; error?: string }[] {
  return directiveValues(schedule, "Run").map((line) => {
    try {
      return { line, run: parseRunLine(line) };
    } catch (err) {
      if (!(err instanceof RunLineError)) throw err;
      return { line, error: err.message };
    }
  });
}

/** The pools a backup job writes to: its own, its level pools, and every pool its schedule's Run lines name. */
export function poolsOfJob(conf: BaculaConf, job: BaculaResource): string[] {
  const pools = new Set<string>();
  for (const key of ["Pool", "Full Backup Pool", "Incremental Backup Pool", "Differential Backup Pool"]) {
    const value = jobValue(conf, job, key);
    if (value !== undefined) pools.add(value);
  }
  const scheduleName = jobValue(conf, job, "Schedule");
  const schedule = scheduleName === undefined ? undefined : findResource(conf.resources, "Schedule", scheduleName);
  for (const r of schedule ? scheduleRuns(schedule) : []) {
    if (r.run?.pool !== undefined) pools.add(r.run.pool);
    for (const key of ["fullpool", "incrementalpool", "differentialpool"]) {
      const value = r.run?.overrides[key];
      if (value !== undefined) pools.add(value);
    }
  }
  return [...pools];
}

// ---------------------------------------------------------------------------------------------------------
// Clients.

/** The director's Client resources with the file daemon configurations (any VM) that declare that name. */
export function clientsWithFileDaemons(director: BaculaConf, evidence: BaculaEvidence): { client: BaculaResource; name: string; address: string | undefined; fileDaemons: BaculaConf[] }[] {
  return resourcesOf(director.resources, "Client").map((client) => {
    const name = resourceName(client) ?? "";
    const fileDaemons = evidence.fileDaemons.filter((fd) => resourcesOf(fd.resources, "FileDaemon").some((r) => resourceName(r) === name));
    return { client, name, address: directiveValue(client, "Address"), fileDaemons };
  });
}

// ---------------------------------------------------------------------------------------------------------
// The NAS: the storage daemon's device that mounts a remote directory before it writes.

export interface NasDevice {
  conf: BaculaConf;
  device: BaculaResource;
  name: string;
  archiveDevice: string | undefined;
  /** The program of the device's Mount Command. */
  mountCommand: string | undefined;
  /** What the mount command mounts, read from the delivered script: `user@host:path` for sshfs, `host:path` for NFS. */
  target?: { host: string; path: string; user?: string };
  /** Why the target is unknown (the script is not delivered, or mounts nothing this reader recognises). */
  problem?: string;
}

/** The remote a mount script mounts: the first `sshfs [user@]host:path` or `mount ... host:/path` in it. */
export function mountTarget(script: string): NasDevice["target"] {
  const lines = script.split("\n").filter((l) => !l.trimStart().startsWith("#"));
  for (const line of lines) {
    const sshfs = /\bsshfs\s+(?:([^\s@'"]+)@)?([^\s:'"]+):(\S*)/.exec(line);
    if (sshfs) return { host: sshfs[2], path: sshfs[3], ...(sshfs[1] ? { user: sshfs[1] } : {}) };
    const nfs = /\bmount(?:\.nfs4?)?\s+(?:-\S+\s+(?:\S+\s+)?)*([^\s:'"@]+):(\/\S*)/.exec(line);
    if (nfs) return { host: nfs[1], path: nfs[2] };
  }
  return undefined;
}

/** The storage daemon devices that mount a directory before writing (Requires Mount), with what they mount. */
export function nasDevices(sd: BaculaConf, files: readonly DeliveredFile[]): NasDevice[] {
  return resourcesOf(sd.resources, "Device").filter((d) => baculaBool(directiveValue(d, "Requires Mount")) === true).map((device): NasDevice => {
    const base = { conf: sd, device, name: resourceName(device) ?? "", archiveDevice: directiveValue(device, "Archive Device") };
    const command = directiveValue(device, "Mount Command")?.trim();
    const program = command?.split(/\s+/)[0];
    if (!program) return { ...base, mountCommand: undefined, problem: "no Mount Command" };
    // The command may mount directly (`sshfs host:path %m`) or call a script the stack delivers.
    const direct = mountTarget(command ?? "");
    if (direct) return { ...base, mountCommand: program, target: direct };
    const script = files.find((f) => f.vm === sd.vm && f.path === program);
    if (!script) return { ...base, mountCommand: program, problem: `its Mount Command ${program} is not delivered to ${sd.vm}` };
    const target = mountTarget(script.content);
    return target ? { ...base, mountCommand: program, target } : { ...base, mountCommand: program, problem: `${program} mounts no remote directory this policy recognises (sshfs or NFS)` };
  });
}

/** The director's Storage resources that point at one of the storage daemon's NAS devices. */
export function nasStorages(director: BaculaConf, devices: readonly NasDevice[]): { storage: BaculaResource; name: string; device: NasDevice }[] {
  return resourcesOf(director.resources, "Storage").flatMap((storage) => {
    const device = devices.find((d) => d.name === directiveValue(storage, "Device"));
    return device ? [{ storage, name: resourceName(storage) ?? "", device }] : [];
  });
}
