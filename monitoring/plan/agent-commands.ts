import { AGENT_SCRIPTS, type AgentScript, type MonitoringPaths } from "../paths";
import type { AgentCommand, ExpiryThresholds } from "./types";

// The commands NRPE agents run, each an absolute argv with fixed arguments (the agent takes none from the
// network). Debian's plugins are where monitoring-plugins puts them on every host (the engine's pluginDir,
// which a lab root does not move); the toolkit's scripts are in the agent's scriptDir.

const plugin = (paths: MonitoringPaths, name: string): string => `${paths.engine.pluginDir}/${name}`;
const script = (paths: MonitoringPaths, name: AgentScript): string => `${paths.agent.scriptDir}/${name}`;

/**
 * A piece of a command name from a model name (`ibac-s3`, `loadBalancer`, `db-1-fd`): lower case, digits and
 * `_` only, the narrowest set that NRPE's `command[...]`, check_nrpe's `-c` and every reader of the names take.
 */
export const AGENT_COMMAND_NAME = /^ibac_[a-z0-9_]+$/;
function namePart(text: string): string {
  const part = text.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (!part) throw new Error(`monitoring plan: ${JSON.stringify(text)} makes an empty agent command name`);
  return part;
}

/** The load average per CPU (-r), 1, 5 and 15 minutes: a brief spike warns only when it is large. */
export function loadCommand(paths: MonitoringPaths): AgentCommand {
  return { name: "ibac_load", argv: [plugin(paths, "check_load"), "-r", "-w", "2,1.5,1.2", "-c", "4,3,2"], asRoot: false, what: "load average per CPU" };
}

/** MemAvailable as a share of the memory: warning under 10 %, critical under 5 %. */
export function memoryCommand(paths: MonitoringPaths): AgentCommand {
  return { name: "ibac_memory", argv: [script(paths, AGENT_SCRIPTS.memory), "10", "5"], asRoot: false, what: "available memory" };
}

/** Every local file system but the in-memory and image ones: warning under 15 % free, critical under 8 %. */
export function diskCommand(paths: MonitoringPaths): AgentCommand {
  const pseudo = ["tmpfs", "devtmpfs", "overlay", "squashfs", "efivarfs", "nsfs"].flatMap((t) => ["-X", t]);
  return { name: "ibac_disk", argv: [plugin(paths, "check_disk"), "-w", "15%", "-c", "8%", "-l", "-A", ...pseudo], asRoot: false, what: "free space of every local file system" };
}

export function timesyncCommand(paths: MonitoringPaths): AgentCommand {
  return { name: "ibac_timesync", argv: [script(paths, AGENT_SCRIPTS.timesync)], asRoot: false, what: "the clock is synchronised" };
}

/**
 * Pending security updates: `-o` counts only the upgrades from a security archive, which are critical; the
 * package lists are refreshed by apt's own daily timer, never by the agent (that would need root).
 */
export function updatesCommand(paths: MonitoringPaths): AgentCommand {
  return { name: "ibac_updates", argv: [plugin(paths, "check_apt"), "-o"], asRoot: false, what: "pending security updates" };
}

/** corosync's quorum (corosync-quorumtool needs root). */
export function quorumCommand(paths: MonitoringPaths): AgentCommand {
  return { name: "ibac_quorum", argv: [script(paths, AGENT_SCRIPTS.quorum)], asRoot: true, what: "the corosync cluster is quorate" };
}

/** A DRBD resource connected and UpToDate on both sides (drbdadm status needs root). */
export function drbdCommand(paths: MonitoringPaths, resource: string): AgentCommand {
  return { name: `ibac_drbd_${namePart(resource)}`, argv: [script(paths, AGENT_SCRIPTS.drbd), resource], asRoot: true, what: `DRBD resource ${resource} connected and UpToDate` };
}

/** Pacemaker quorate, no failed action, every resource started (crm_mon needs root or haclient). */
export function pacemakerCommand(paths: MonitoringPaths): AgentCommand {
  return { name: "ibac_pacemaker", argv: [script(paths, AGENT_SCRIPTS.pacemaker)], asRoot: true, what: "Pacemaker quorate, every resource started, no failed action" };
}

/** Every HAProxy backend has a server UP, read from the stats socket (root and haproxy only). */
export function haproxyCommand(paths: MonitoringPaths, statsSocket: string): AgentCommand {
  return { name: "ibac_haproxy", argv: [script(paths, AGENT_SCRIPTS.haproxy), statsSocket], asRoot: true, what: "every HAProxy backend has a server up" };
}

/** keepalived's state of one VRRP instance is MASTER or BACKUP, not FAULT. */
export function vrrpCommand(paths: MonitoringPaths, instance: string, address: string): AgentCommand {
  return { name: `ibac_vrrp_${namePart(address)}`, argv: [script(paths, AGENT_SCRIPTS.vrrp), instance], asRoot: true, what: `VRRP instance ${instance} is MASTER or BACKUP` };
}

/** The newest Bacula job of a client ended OK within `hours` (the catalog is root and bacula only). */
export function baculaJobCommand(paths: MonitoringPaths, catalog: string, client: string, hours: number): AgentCommand {
  return { name: `ibac_bacula_${namePart(client)}`, argv: [script(paths, AGENT_SCRIPTS.baculaJob), catalog, client, String(hours)], asRoot: true, what: `the newest Bacula job of ${client} ended OK within ${hours} hours` };
}

/** An IKE SA of the swanctl connection ESTABLISHED with its child SA INSTALLED (the vici socket is root's). */
export function ipsecCommand(paths: MonitoringPaths, connection: string): AgentCommand {
  return { name: "ibac_ipsec", argv: [script(paths, AGENT_SCRIPTS.ipsec), connection], asRoot: true, what: `IPsec connection ${connection} established` };
}

/** A certificate file's expiry; the certificates are public (0644), so no root. */
export function certFileCommand(paths: MonitoringPaths, slug: string, file: string, expiry: ExpiryThresholds): AgentCommand {
  return {
    name: `ibac_cert_${namePart(slug)}`,
    argv: [script(paths, AGENT_SCRIPTS.certFile), file, String(expiry.warnDays), String(expiry.criticalDays)],
    asRoot: false,
    what: `certificate ${file} valid for more than ${expiry.warnDays} days`,
  };
}

/** The monitoring engine runs and writes its status. */
export function engineCommand(paths: MonitoringPaths): AgentCommand {
  return { name: "ibac_engine", argv: [script(paths, AGENT_SCRIPTS.engine)], asRoot: false, what: "the monitoring engine runs and writes its status" };
}
