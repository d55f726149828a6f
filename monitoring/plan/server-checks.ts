import { diskCommand, loadCommand, memoryCommand, quorumCommand, timesyncCommand, updatesCommand } from "./agent-commands";
import { networkCheck, nrpeCheck, type PlanContext, type PlannedCheck } from "./planned-check";
import type { MonitoredHost } from "./types";

/** The Proxmox API's port on every node (the monitoring-to-nodes-api flow's). */
export const PROXMOX_API_PORT = 8006;

/**
 * The server layer of a host with an agent: load, memory, disks, time and pending security updates; a node also
 * its API and its corosync quorum. Reachability is the host check itself (a connect to the agent's port).
 */
export function serverChecks(ctx: PlanContext, host: MonitoredHost): PlannedCheck[] {
  if (!host.agent) return [];
  const p = ctx.paths;
  const checks = [
    nrpeCheck(ctx, host, "server", "load", loadCommand(p)),
    nrpeCheck(ctx, host, "server", "memory", memoryCommand(p)),
    nrpeCheck(ctx, host, "server", "disk", diskCommand(p)),
    nrpeCheck(ctx, host, "server", "time sync", timesyncCommand(p)),
    nrpeCheck(ctx, host, "server", "security updates", updatesCommand(p)),
  ];
  if (host.kind !== "node") return checks;
  return [
    ...checks,
    networkCheck(ctx, host, "server", "Proxmox API", { kind: "proxmox-api", port: PROXMOX_API_PORT }, "the Proxmox API answers over TLS (cluster, quorum and HA state)"),
    nrpeCheck(ctx, host, "server", "quorum", quorumCommand(p)),
  ];
}
