import type { PlatformModel } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import type { MonitoringPaths } from "../paths";
import { AGENT_PORT } from "./defaults";
import { monitoringFlowTo } from "./flow-lookup";
import type { AgentCommand, CheckCommand, CheckLayer, ExpiryThresholds, MonitorCheck, MonitoredHost } from "./types";

/** A check and, for an NRPE check, the command its host's agent runs for it. */
export interface PlannedCheck {
  check: MonitorCheck;
  agentCommand?: AgentCommand;
}

/** What every check builder reads. */
export interface PlanContext {
  spec: PlatformSpec;
  model: PlatformModel;
  paths: MonitoringPaths;
  expiry: ExpiryThresholds;
  /** Every monitored host, by name. */
  hosts: ReadonlyMap<string, MonitoredHost>;
}

export function hostNamed(ctx: PlanContext, name: string): MonitoredHost {
  const host = ctx.hosts.get(name);
  if (!host) throw new Error(`monitoring plan: no monitored host named ${name}`);
  return host;
}

/** A check the host's agent runs, over the host's agent flow. */
export function nrpeCheck(ctx: PlanContext, host: MonitoredHost, layer: CheckLayer, description: string, command: AgentCommand): PlannedCheck {
  if (!host.agent) throw new Error(`monitoring plan: ${host.name} runs no agent, so it cannot run ${command.name}`);
  const flow = monitoringFlowTo(ctx.model, host, AGENT_PORT);
  return { check: { host: host.name, description, layer, command: { kind: "nrpe", agentCommand: command.name }, flowId: flow.id, what: command.what }, agentCommand: command };
}

/** A check from the monitoring VM to the host's port, over the monitoring flow that opens it. */
export function networkCheck(ctx: PlanContext, host: MonitoredHost, layer: CheckLayer, description: string, command: Exclude<CheckCommand, { kind: "nrpe" }>, what: string): PlannedCheck {
  const flow = monitoringFlowTo(ctx.model, host, command.port);
  return { check: { host: host.name, description, layer, command, flowId: flow.id, what } };
}
