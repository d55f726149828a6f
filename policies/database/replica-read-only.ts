import { PRODUCTION_DATABASE_PATHS } from "../../components/database/paths";
import { stackPolicy } from "../kit/define-policy";
import { deliveredFiles } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { databaseVms } from "./database-vms";
import { vmUrn } from "../kit/platform-view";
import { fileKey, pendingFiles } from "../kit/pending-files";
import { effectiveBoolean, filesByVm, isServerGroup, parseOptionFile, serverSettings, type OptionSetting } from "./option-files";

function shown(s: OptionSetting): string {
  return `${s.name}${s.value === "" ? "" : ` = ${s.value}`}`;
}

/**
 * Seed design, "Database": MariaDB master/slave, the master read/write and the slave read-only. The role file
 * each database VM gets (which runbooks rewrite on a switchover) must say so, and no other option file the
 * stack delivers may override it.
 */
export function databaseReplicaReadOnlyPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "database-replica-read-only",
    description: "The database replica runs read-only (read_only=ON in the role file the stack delivers to it) and the primary runs writable.",
    requirements: ["IBAC-DB-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const byVm = filesByVm(await deliveredFiles(resources, view.model));
    const pending = await pendingFiles(resources, view.model);
    const roleCnf = PRODUCTION_DATABASE_PATHS.roleCnf;
    for (const vm of databaseVms(view.model)) {
      const files = byVm.get(vm.name) ?? [];
      const subject = `read_only of ${vm.name} (${vm.role})`;
      const wantOn = vm.role === "replica";
      const expected = wantOn ? "read_only = ON (the replica refuses writes)" : "read_only = OFF (the primary takes the writes)";
      const roleFile = files.find((f) => f.path === roleCnf);
      if (!roleFile) {
        if (pending.has(fileKey(vm.name, roleCnf))) continue;
        reportFinding(report, { subject, observed: "no role file delivered", expected: `${roleCnf} with ${expected}`, urn: vmUrn(resources, vm.name, view.urn), location: roleCnf });
        continue;
      }
      // The role file alone first: it is what the runbooks rewrite, so it must carry the role.
      const inRoleFile = effectiveBoolean(parseOptionFile(roleFile).filter((s) => isServerGroup(s.group)), "read_only");
      if (inRoleFile?.on !== wantOn) {
        reportFinding(report, {
          subject,
          observed: inRoleFile ? shown(inRoleFile.setting) : "read_only not set (MariaDB's default: OFF)",
          expected,
          urn: roleFile.urn,
          location: roleCnf,
        });
        continue;
      }
      // Then what the server actually reads: a later option file could override the role file.
      const effective = effectiveBoolean(serverSettings(files), "read_only");
      if (effective && effective.on !== wantOn) {
        reportFinding(report, { subject, observed: `${shown(effective.setting)} in ${effective.setting.path}, read after the role file`, expected, urn: effective.setting.urn, location: effective.setting.path });
      }
    }
  });
}
