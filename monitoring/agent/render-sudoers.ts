import type { AgentPlan } from "../plan/types";
import { sudoersCommand } from "./command-line";
import { AGENT_USER } from "./render-nrpe-main";

/**
 * The sudoers drop-in: the agent's user may run exactly the argv of each root command as root, without a
 * password, and nothing else. A command without root gets no rule; an agent without any gets a file with
 * comments only (sudo accepts it), so the delivered file set does not depend on the plan.
 */
export function renderSudoers(agent: AgentPlan): string {
  const rules = agent.commands.filter((c) => c.asRoot).map((c) => `${AGENT_USER} ALL=(root) NOPASSWD: ${sudoersCommand(c)}`);
  return [
    `# iBac NRPE agent of ${agent.host}: the root commands of its checks, rendered, do not edit.`,
    ...rules,
    "",
  ].join("\n");
}
