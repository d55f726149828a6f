// services.cfg: one service per check of the plan. _LAYER (server|service) and _FLOW (the model flow the check
// travels over) are custom variables, so the policies and the report read them from the rendered objects.

import type { MonitorCheck, MonitoringPlan } from "../plan/types";
import { checkCommandFor, COMMANDS } from "./render-commands";
import { dependentChecks, dependentNotificationDelaySeconds } from "./check-masters";
import { agentPorts } from "./render-hosts";
import { SERVICE_TEMPLATE } from "./object-names";
import { commandArgument, defineObject, objectFile, objectValue, show } from "./object-text";

const DESCRIPTION = /^[A-Za-z0-9 ._-]{1,100}$/;
const FLOW_ID = /^[A-Za-z0-9._:>-]{1,120}$/;

/** Checks every check's host, description and flow; throws on the first problem. */
export function checkServices(plan: MonitoringPlan): void {
  const hosts = new Set(plan.hosts.map((h) => h.name));
  const seen = new Set<string>();
  for (const c of plan.checks) {
    if (!hosts.has(c.host)) throw new Error(`nagios: check ${show(c.description)}: host ${show(c.host)} is not a monitored host`);
    commandArgument(c.description, DESCRIPTION, "1 to 100 letters, digits, blanks and '._-'", `check on ${c.host}: description`);
    const key = `${c.host}\u0000${c.description}`;
    if (seen.has(key)) throw new Error(`nagios: check "${c.description}" on ${c.host}: defined twice`);
    seen.add(key);
    commandArgument(c.flowId, FLOW_ID, "a flow id of letters, digits and '._:>-'", `check "${c.description}" on ${c.host}: flowId`);
    objectValue(c.what, `check "${c.description}" on ${c.host}: what`);
    if (c.command.kind === "nrpe") checkAgentCommand(plan, c);
  }
}

/** An NRPE check names a command the host's agent defines: otherwise the agent answers "command not defined". */
function checkAgentCommand(plan: MonitoringPlan, c: MonitorCheck): void {
  if (c.command.kind !== "nrpe") return;
  const agent = plan.agents.find((a) => a.host === c.host);
  if (!agent) throw new Error(`nagios: check "${c.description}" on ${c.host}: an NRPE check on a host without an agent`);
  const name = c.command.agentCommand;
  if (!agent.commands.some((a) => a.name === name)) throw new Error(`nagios: check "${c.description}" on ${c.host}: the agent has no command ${show(name)}`);
}

export function serviceObject(plan: MonitoringPlan, c: MonitorCheck, extra: readonly (readonly [string, string | number | undefined])[] = []): string {
  return defineObject("service", [
    ["use", SERVICE_TEMPLATE],
    ["host_name", c.host],
    ["service_description", c.description],
    ["check_command", checkCommandFor(c, agentPorts(plan).get(c.host))],
    ["notes", c.what],
    ...extra,
    ["_LAYER", c.layer],
    ["_FLOW", c.flowId],
  ]);
}

/** `handlerOn`: on the standby, the checks that get the takeover event handler (the plan's own engine check). */
export function renderServices(plan: MonitoringPlan, handlerOn: (c: MonitorCheck) => boolean = () => false): string {
  checkServices(plan);
  const handler = [["event_handler", COMMANDS.standbyTakeover], ["event_handler_enabled", 1]] as const;
  const dependents = dependentChecks(plan);
  const delay = [["first_notification_delay", dependentNotificationDelaySeconds(plan)]] as const;
  return objectFile("Services: every check of the monitoring plan", plan.checks.map((c) => serviceObject(plan, c, [...(handlerOn(c) ? handler : []), ...(dependents.has(c) ? delay : [])])));
}
