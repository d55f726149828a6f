// standby.cfg, on the standby VM only (Nagios manual, "Redundant and Failover Network Monitoring", scenario
// 1): the standby runs every check with notifications off, and checks the active engine through the active
// VM's agent (ibac_engine). The takeover handler on that service and on the active VM's host (hosts.cfg)
// turns the standby's notifications on while the active one is down and off once it is back.

import type { MonitorCheck, MonitoringPlan, MonitoringServer } from "../plan/types";
import type { EnginePaths } from "../paths";
import { COMMANDS, TAKEOVER_SCRIPT } from "./render-commands";
import { ENGINE_SERVICE } from "./object-names";
import { serviceObject } from "./render-services";
import { defineObject, filePath, objectFile } from "./object-text";

/** The agent command the standby checks the active engine by (monitoring/agent: AGENT_SCRIPTS.engine). */
export const ENGINE_AGENT_COMMAND = "ibac_engine";

/** The plan's own engine check of the active VM, if it has one (then services.cfg carries the handler). */
export function isEngineCheck(c: MonitorCheck, activeVm: string): boolean {
  return c.host === activeVm && c.command.kind === "nrpe" && c.command.agentCommand === ENGINE_AGENT_COMMAND;
}

/** The flow the active VM's NRPE checks travel over: the engine check uses the same one. */
function agentFlow(plan: MonitoringPlan, vm: string): string {
  const nrpe = plan.checks.find((c) => c.host === vm && c.command.kind === "nrpe");
  if (!nrpe) throw new Error(`nagios: standby: the active monitoring VM ${vm} has no NRPE check to take its agent flow from`);
  return nrpe.flowId;
}

export function renderStandby(plan: MonitoringPlan, active: MonitoringServer, paths: EnginePaths): string {
  const agent = plan.agents.find((a) => a.host === active.vm);
  if (!agent) throw new Error(`nagios: standby: the active monitoring VM ${active.vm} has no agent to check its engine by`);
  if (!agent.commands.some((c) => c.name === ENGINE_AGENT_COMMAND)) {
    throw new Error(`nagios: standby: the agent of the active monitoring VM ${active.vm} has no command ${ENGINE_AGENT_COMMAND}`);
  }
  // The plan's own engine check if it has one (services.cfg then carries the handler), else one here.
  const planned = plan.checks.find((c) => isEngineCheck(c, active.vm));
  const description = planned?.description ?? ENGINE_SERVICE;
  const on = (macro: string): string => `$${macro}:${active.vm}$`;
  const onService = (macro: string): string => `$${macro}:${active.vm}:${description}$`;
  // Nagios's own state words only (UP, DOWN, HARD, ...): no output macro, so no shell is involved.
  const line = [
    `${filePath(paths.scriptDir, "scriptDir")}/${TAKEOVER_SCRIPT}`,
    on("HOSTSTATE"),
    on("HOSTSTATETYPE"),
    onService("SERVICESTATE"),
    onService("SERVICESTATETYPE"),
  ].join(" ");
  const blocks = [defineObject("command", [["command_name", COMMANDS.standbyTakeover], ["command_line", line]])];
  if (!planned) {
    const check: MonitorCheck = {
      host: active.vm,
      description,
      layer: "service",
      command: { kind: "nrpe", agentCommand: ENGINE_AGENT_COMMAND },
      flowId: agentFlow(plan, active.vm),
      what: `the monitoring engine on ${active.vm} runs and writes its status`,
    };
    blocks.push(serviceObject(plan, check, [["event_handler", COMMANDS.standbyTakeover], ["event_handler_enabled", 1]]));
  }
  return objectFile(`Standby: checks the active engine on ${active.vm} and takes over its notifications while it is down`, blocks);
}
