import { AGENT_SCRIPTS, type AgentPaths } from "../../monitoring/paths";
import type { AgentPlan } from "../../monitoring/plan/types";

/** An agent as the plan derives one, for the renderer's tests and the live NRPE test. */
export function sampleAgent(paths: AgentPaths, overrides: Partial<AgentPlan> = {}): AgentPlan {
  const script = (name: string): string => `${paths.scriptDir}/${name}`;
  return {
    host: "s3-1",
    address: "10.20.0.11",
    port: 5666,
    allowedFrom: ["10.20.0.31", "10.20.0.32"],
    tlsName: "s3-1.ibac.internal",
    commands: [
      { name: "ibac_load", argv: ["/usr/lib/nagios/plugins/check_load", "-r", "-w", "2,1.5,1", "-c", "4,3,2"], asRoot: false, what: "load" },
      { name: "ibac_memory", argv: [script(AGENT_SCRIPTS.memory), "10", "5"], asRoot: false, what: "memory" },
      { name: "ibac_drbd_storage", argv: [script(AGENT_SCRIPTS.drbd), "storage"], asRoot: true, what: "DRBD storage" },
      { name: "ibac_pacemaker", argv: [script(AGENT_SCRIPTS.pacemaker)], asRoot: true, what: "Pacemaker" },
    ],
    ...overrides,
  };
}
