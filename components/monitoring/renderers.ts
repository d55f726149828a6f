// The other monitoring helpers' renderers, imported in one place: the component reads them only through here.
export { deriveMonitoringPlan } from "../../monitoring/plan/derive-monitoring-plan";
export { renderShinkenFiles } from "../../monitoring/shinken/render-shinken-files";
export { renderEngineFiles } from "../../monitoring/nagios/render-engine-files";
export { MONITOR_DB_USER } from "../../monitoring/nagios/render-resource";
export { renderAgentFiles } from "../../monitoring/agent/render-agent-files";
export { agentTlsPaths } from "../../monitoring/agent/tls-files";

