import { stackPolicy } from "../kit/define-policy";
import { deliveredFiles } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { databaseVms } from "./database-vms";
import { vmUrn } from "../kit/platform-view";
import { fileKey, pendingFiles } from "../kit/pending-files";
import { effectiveBoolean, effectiveValue, filesByVm, hasServerConfig, serverSettings } from "./option-files";
import { PRODUCTION_DATABASE_PATHS } from "../../components/database/paths";

/**
 * Seed design, "Database" and "Data corruption": the replica assures availability when the primary is lost.
 * Asynchronous replication can lose the last commits on a failover; semi-synchronous replication with the
 * AFTER_SYNC ("lossless") wait point does not while a replica acknowledges. Checked in the option files the
 * stack delivers, as MariaDB reads them (every file, in include order): on the primary the master side on
 * and the wait point AFTER_SYNC, on every replica the slave side on.
 */
export function databaseSemiSyncPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "database-semi-sync",
    description: "Database replication is semi-synchronous: the primary waits, at AFTER_SYNC, for a replica's acknowledgement of each commit, and every replica acknowledges (the rendered MariaDB option files).",
    requirements: ["IBAC-DB-005"],
    severity: "medium",
    enforcementLevel: "advisory",
  }, async (view, resources, report) => {
    const byVm = filesByVm(await deliveredFiles(resources, view.model));
    const pending = await pendingFiles(resources, view.model);
    for (const vm of databaseVms(view.model)) {
      const files = byVm.get(vm.name) ?? [];
      if (!hasServerConfig(files)) {
        if (pending.has(fileKey(vm.name, PRODUCTION_DATABASE_PATHS.roleCnf))) continue;
        reportFinding(report, { subject: `semi-synchronous replication on ${vm.name}`, observed: "no MariaDB option file delivered", expected: "option files that turn semi-sync on", urn: vmUrn(resources, vm.name, view.urn) });
        continue;
      }
      const settings = serverSettings(files);
      const side = vm.role === "primary" ? "rpl_semi_sync_master_enabled" : "rpl_semi_sync_slave_enabled";
      const on = effectiveBoolean(settings, side);
      if (on?.on !== true) {
        reportFinding(report, {
          subject: `semi-synchronous replication on ${vm.name} (${vm.role})`,
          observed: on ? `${on.setting.name} = ${on.setting.value} in ${on.setting.path}` : `${side} not set (MariaDB's default: OFF)`,
          expected: `${side} = ON`,
          urn: on?.setting.urn ?? vmUrn(resources, vm.name, view.urn),
          ...(on ? { location: on.setting.path } : {}),
        });
      }
      if (vm.role === "primary") {
        const wait = effectiveValue(settings, "rpl_semi_sync_master_wait_point");
        if (wait?.value.toUpperCase() !== "AFTER_SYNC") {
          reportFinding(report, {
            subject: `semi-sync wait point on ${vm.name} (primary)`,
            observed: wait ? `rpl_semi_sync_master_wait_point = ${wait.value} in ${wait.path}` : "rpl_semi_sync_master_wait_point not set (MariaDB's default: AFTER_COMMIT)",
            expected: "rpl_semi_sync_master_wait_point = AFTER_SYNC (no commit visible before a replica has it)",
            urn: wait?.urn ?? vmUrn(resources, vm.name, view.urn),
            ...(wait ? { location: wait.path } : {}),
          });
        }
      }
    }
  });
}
