// dependencies.cfg: where a dependency adds something the parents do not. Host parents already make a node
// failure one problem; here a database's replication and read-only checks depend on its connection check,
// so a server that refuses connections notifies once (the connection), not three times.

import type { MonitorCheck, MonitoringPlan } from "../plan/types";
import { defineObject, objectFile } from "./object-text";

function isMysql(c: MonitorCheck, check: "connection" | "replication" | "read-only"): boolean {
  return c.command.kind === "mysql" && c.command.check === check;
}

export function renderDependencies(plan: MonitoringPlan): string {
  const blocks = plan.checks
    .filter((c) => isMysql(c, "replication") || isMysql(c, "read-only"))
    .flatMap((dependent) => {
      const master = plan.checks.find((m) => m.host === dependent.host && isMysql(m, "connection"));
      if (!master) return [];
      return [
        defineObject("servicedependency", [
          ["host_name", master.host],
          ["service_description", master.description],
          ["dependent_host_name", dependent.host],
          ["dependent_service_description", dependent.description],
          // While the connection fails, the dependent checks neither notify nor need to run.
          ["notification_failure_criteria", "w,u,c"],
          ["execution_failure_criteria", "c"],
        ]),
      ];
    });
  return objectFile("Dependencies: checks that mean nothing while another one fails", blocks);
}
