// The other monitoring helpers' renderers, imported in one place: the component reads them only through here.
export { deriveMonitoringPlan } from "../../monitoring/plan/derive-monitoring-plan";
export { renderEngineFiles } from "../../monitoring/nagios/render-engine-files";
export { renderShinkenFiles } from "../../monitoring/shinken/render-shinken-files";
export { renderAgentFiles } from "../../monitoring/agent/render-agent-files";
