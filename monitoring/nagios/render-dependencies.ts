// dependencies.cfg: where a dependency adds something the parents do not. Host parents already make a node
// failure one problem; here a service that stops is one problem too (check-masters.ts says which check
// depends on which). A dependent check neither runs nor notifies while its master fails; its own first
// notification waits (services.cfg, first_notification_delay) until the master has surely had its say.

import type { MonitoringPlan } from "../plan/types";
import { checksByHost, masterOf } from "./check-masters";
import { defineObject, objectFile } from "./object-text";

export function renderDependencies(plan: MonitoringPlan): string {
  const byHost = checksByHost(plan);
  const blocks = plan.checks
    .flatMap((dependent) => {
      const master = masterOf(byHost, dependent);
      if (!master) return [];
      return [
        defineObject("servicedependency", [
          ["host_name", master.host],
          ["service_description", master.description],
          ["dependent_host_name", dependent.host],
          ["dependent_service_description", dependent.description],
          // While the master fails, the dependent check neither notifies nor needs to run.
          ["notification_failure_criteria", "w,u,c"],
          ["execution_failure_criteria", "c"],
          // A chain (replication -> connection -> port) holds while any link fails.
          ["inherits_parent", 1],
        ]),
      ];
    });
  return objectFile("Dependencies: checks that mean nothing while another one fails", blocks);
}
