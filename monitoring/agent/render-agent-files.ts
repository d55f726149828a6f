import * as path from "node:path/posix";
import type { AgentPaths } from "../paths";
import type { AgentPlan, MonitoringFile } from "../plan/types";
import { renderNrpeDropIn } from "./render-nrpe-config";
import { renderNrpeMain } from "./render-nrpe-main";
import { renderSudoers } from "./render-sudoers";
import { AGENT_SCRIPT_TEXT } from "./scripts";

/**
 * Every file of one host's NRPE agent except its TLS key and certificates (the component supplies those, at
 * agentTlsPaths(paths)): the main nrpe.cfg, the drop-in, the sudoers drop-in and every check script (all of
 * them on every host, so a plan change never leaves a command naming a missing script).
 */
export function renderAgentFiles(agent: AgentPlan, paths: AgentPaths): MonitoringFile[] {
  return [
    { path: paths.mainConfig, content: renderNrpeMain(paths), mode: "0644", owner: "root:root" },
    // Readable by nagios only: it lists what may be asked of the host and where its key is.
    { path: paths.config, content: renderNrpeDropIn(agent, paths), mode: "0640", owner: "root:nagios" },
    // sudo refuses a sudoers file that is writable by anyone but root; 0440 is visudo's own mode.
    { path: paths.sudoers, content: renderSudoers(agent), mode: "0440", owner: "root:root" },
    ...Object.entries(AGENT_SCRIPT_TEXT).map(([name, content]) => ({
      path: path.join(paths.scriptDir, name),
      content,
      mode: "0755",
      owner: "root:root",
    })),
  ];
}
