import type { ServiceMonitor } from "../tiers/monitors";
import type { CheckCommand, MonitoringPlan } from "../../monitoring/plan/types";

// The monitoring tier's `monitors`: every check the plan runs, in the shape every tier reports its monitors in,
// so the monitoring tier's list is what its engine really checks (the other tiers' lists say where a monitoring
// flow lets a check through; the plan, derived from the same flows, says which check goes over it).

const VIRTUAL_ADDRESS_PREFIX = "vip-";

/** The port a check connects to: the agent's for an NRPE check. */
function portOf(command: CheckCommand, agentPort: number | undefined, host: string): number {
  if (command.kind !== "nrpe") return command.port;
  if (agentPort === undefined) throw new Error(`monitoring monitors: the NRPE check ${command.agentCommand} of ${host} has no agent on that host`);
  return agentPort;
}

export function planMonitors(plan: MonitoringPlan): ServiceMonitor[] {
  const hosts = new Map(plan.hosts.map((h) => [h.name, h]));
  const agentPorts = new Map(plan.agents.map((a) => [a.host, a.port]));
  return plan.checks.map((check): ServiceMonitor => {
    const host = hosts.get(check.host);
    if (!host) throw new Error(`monitoring monitors: the check "${check.description}" names the host ${check.host}, which the plan does not monitor`);
    const target = host.kind === "vm"
      ? { vm: host.name }
      : host.kind === "virtual-address" ? { virtualAddress: host.name.startsWith(VIRTUAL_ADDRESS_PREFIX) ? host.name.slice(VIRTUAL_ADDRESS_PREFIX.length) : host.name } : {};
    return {
      id: `${check.flowId}@${check.host}/${check.description}`,
      ...target,
      address: host.address,
      layer: check.layer,
      protocol: "tcp",
      port: portOf(check.command, agentPorts.get(check.host), check.host),
      flowId: check.flowId,
      what: check.what,
    };
  });
}
