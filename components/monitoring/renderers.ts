// The other monitoring helpers' renderers, imported in one place: the component reads them only through here.
export { deriveMonitoringPlan } from "../../monitoring/plan/derive-monitoring-plan";
export { renderEngineFiles } from "../../monitoring/nagios/render-engine-files";
export { MONITOR_DB_USER } from "../../monitoring/nagios/render-resource";
export { renderAgentFiles } from "../../monitoring/agent/render-agent-files";
export { agentTlsPaths } from "../../monitoring/agent/tls-files";

/**
 * Shinken's daemon files (renderShinkenFiles, monitoring/shinken/) have not landed: until they do, a stack with
 * engine shinken stops here rather than deploying Shinken's VMs with the objects and no daemons.
 */
export function renderShinkenFiles(): never {
  throw new Error("monitoring files: engine shinken: Shinken's daemon files are not rendered yet (renderShinkenFiles, monitoring/shinken/); use engine nagios4");
}
