import type { Flow, PlatformModel } from "../../components/model/types";
import { monitorFlowIds } from "../../components/model/flows";
import { AGENT_PORT } from "./defaults";
import { flowReaches, isMonitoringFlow, portsContain } from "./flow-lookup";
import type { MonitorCheck, MonitoringPlan } from "./types";

/** The port a check connects to: the agent's for an NRPE check, else its own. */
export function checkPort(check: MonitorCheck): number {
  return check.command.kind === "nrpe" ? AGENT_PORT : check.command.port;
}

/**
 * Whether a monitoring flow is one that checks something: into a tier (the monitoring tier's own VMs only
 * through their agent: the other flow between them carries the engines' daemons) or into the nodes' or the
 * QDevice's zone. The relay flow carries notifications, not checks.
 */
export function isCheckingFlow(flow: Flow): boolean {
  if (!isMonitoringFlow(flow)) return false;
  const d = flow.destination;
  if (d.kind === "zone") return d.zone === "proxmoxNodes" || d.zone === "qdevice";
  return d.tier !== "monitoring" || Object.values(monitorFlowIds("monitoring")).includes(flow.id);
}

/**
 * Both directions between flows and checks, as sentences: a checking flow into a tier or zone that has
 * monitored hosts without any check over it, and a check whose flow the model lacks, does not start at the
 * monitoring tier, does not reach the check's host or does not open the check's port. Empty when they agree.
 */
export function coverageProblems(plan: Pick<MonitoringPlan, "hosts" | "checks">, model: Pick<PlatformModel, "flows" | "vms">): string[] {
  const problems: string[] = [];
  const hosts = new Map(plan.hosts.map((h) => [h.name, h]));
  const roleOf = (name: string) => model.vms.find((v) => v.name === name)?.role;
  for (const flow of model.flows.filter(isCheckingFlow)) {
    const reachable = plan.hosts.some((h) => flowReaches(flow, h, roleOf(h.name)));
    if (reachable && !plan.checks.some((c) => c.flowId === flow.id)) problems.push(`flow ${flow.id} (${flow.purpose}) has no check`);
  }
  const flows = new Map(model.flows.map((f) => [f.id, f]));
  for (const check of plan.checks) {
    const name = `check "${check.description}" on ${check.host}`;
    const flow = flows.get(check.flowId);
    const host = hosts.get(check.host);
    const port = checkPort(check);
    if (!flow) problems.push(`${name} travels over flow ${check.flowId}, which the model does not have`);
    else if (!isMonitoringFlow(flow)) problems.push(`${name} travels over flow ${check.flowId}, which does not start at the monitoring tier over TCP`);
    else if (!host) problems.push(`${name} is on a host the plan does not have`);
    else if (!flowReaches(flow, host, roleOf(host.name))) problems.push(`${name} travels over flow ${check.flowId}, which does not reach ${host.name}`);
    else if (!portsContain(flow.ports, port)) problems.push(`${name} connects to port ${port}, which flow ${check.flowId} does not open (${flow.ports})`);
  }
  return problems;
}
