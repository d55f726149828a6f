import type { Flow, PlatformModel } from "../../components/model/types";
import type { MonitoredHost } from "./types";

// Which model flow a check travels over: the flow from the monitoring tier that reaches the checked host on the
// checked port. A check is planned only over a flow the firewall opens, so a missing flow is a toolkit bug,
// reported with the host and port rather than a check that the firewall would drop.

/** Whether `ports` (`5666`, `7768:7773`) contains `port`. */
export function portsContain(ports: string, port: number): boolean {
  const [low, high = low] = ports.split(":").map(Number);
  return port >= low && port <= high;
}

/** Whether a flow's destination is `host`: its tier (and role, for a VM), or the nodes' and QDevice's zones. */
export function flowReaches(flow: Flow, host: MonitoredHost, role: "primary" | "replica" | undefined): boolean {
  const d = flow.destination;
  switch (host.kind) {
    case "node":
      return d.kind === "zone" && d.zone === "proxmoxNodes";
    case "qdevice":
      return d.kind === "zone" && d.zone === "qdevice";
    case "vm":
      return d.kind === "tier" && d.tier === host.tier && (!d.role || d.role === role);
    case "virtual-address":
      // A virtual address belongs to its tier as a whole, never to one role's VMs.
      return d.kind === "tier" && d.tier === host.tier && !d.role;
  }
}

/** Whether a flow starts at the monitoring tier and is TCP (every check here is). */
export function isMonitoringFlow(flow: Flow): boolean {
  return flow.source.kind === "tier" && flow.source.tier === "monitoring" && flow.protocol === "tcp";
}

/** The first flow (in the model's order) from monitoring to `host` on `port`; throws when there is none. */
export function monitoringFlowTo(model: Pick<PlatformModel, "flows" | "vms">, host: MonitoredHost, port: number): Flow {
  const role = host.kind === "vm" ? model.vms.find((v) => v.name === host.name)?.role : undefined;
  const flow = model.flows.find((f) => isMonitoringFlow(f) && flowReaches(f, host, role) && portsContain(f.ports, port));
  if (!flow) throw new Error(`monitoring plan: no flow from the monitoring tier reaches ${host.name} (${host.kind}${host.tier ? `, ${host.tier}` : ""}) on TCP port ${port}`);
  return flow;
}
