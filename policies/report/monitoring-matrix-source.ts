// Where the report's monitoring matrix comes from: the Nagios objects the offline plan delivers to the active
// monitoring VM (the evidence) when it has them; otherwise the monitoring plan derived from the spec and the
// model, said so in the caption.
import type { PlatformModel } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import type { PlanArtifact } from "../../components/offline-plan/run-offline-plan";
import { PRODUCTION_MONITORING_PATHS } from "../../monitoring/paths";
import { deriveMonitoringPlan } from "../../monitoring/plan/derive-monitoring-plan";
import { monitoringServers } from "../../monitoring/plan/engine-plan";
import { buildMonitoringMatrix, monitoringMatrixFromPlan, type MonitoringMatrix } from "./monitoring-matrix";
import { matrixInputsFromObjects } from "./monitoring-objects";

/** Why the plan stands in for the objects: the components build no objects, and no TLS endpoints reach here. */
export const PLAN_FALLBACK_REASON = "the offline plan delivers no Nagios objects to the monitoring VMs; certificate checks of the TLS endpoints are not shown";

export function monitoringMatrixFor(artifacts: readonly PlanArtifact[], spec: PlatformSpec, model: PlatformModel): MonitoringMatrix {
  const active = monitoringServers(model)[0]?.vm;
  const dir = `${PRODUCTION_MONITORING_PATHS.engine.objectsDir}/`;
  const objects = artifacts.filter((a) => a.vm === active && a.path.startsWith(dir) && a.path.endsWith(".cfg"));
  const inputs = matrixInputsFromObjects(objects);
  if (inputs.checks.length) {
    return buildMonitoringMatrix(inputs.hosts, inputs.checks, `the rendered Nagios objects on ${active} (${objects.map((o) => o.path.slice(dir.length)).join(", ")} in ${PRODUCTION_MONITORING_PATHS.engine.objectsDir})`);
  }
  return monitoringMatrixFromPlan(deriveMonitoringPlan(spec, model, []), PLAN_FALLBACK_REASON);
}
