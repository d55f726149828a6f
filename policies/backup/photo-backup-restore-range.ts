import type { Flow } from "../../components/model/types";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";

/** Seed design, "Backup strategy": restore each photo from 1 hour to 6 months ago (6 months: 183 days). */
export const DESIGN_NEWEST_RESTORE_POINT_HOURS = 1;
export const DESIGN_OLDEST_RESTORE_POINT_DAYS = 183;

/** Whether the model has a flow from one tier to another on a port (Bacula's director and storage daemon). */
function hasFlow(flows: readonly Flow[], from: string, to: string, port: string): boolean {
  return flows.some((f) => f.source.kind === "tier" && f.source.tier === from && f.destination.kind === "tier" && f.destination.tier === to && f.protocol === "tcp" && f.ports === port);
}

/**
 * Seed design, "Backup strategy": photos are backed up by Bacula with the "Tower of Hanoi" rotation so that any
 * file can be restored from 1 hour to 6 months ago. The toolkit does not render Bacula yet, so there is no
 * resource to read: this checks the design the spec declares (backupPolicy.photos) and that the model's flows
 * let the Bacula director and storage daemon reach the object store's file daemon.
 */
export function photoBackupRestoreRangePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "photo-backup-restore-range",
    description:
      "The declared photo backup design (Bacula, Tower-of-Hanoi rotation) keeps restore points from at most 1 hour to at least 183 days back; Bacula is not built by the toolkit yet, so this checks the spec's backupPolicy.photos and the model's Bacula flows, not a deployed configuration.",
    requirements: ["IBAC-BAK-002"],
    // Bacula is not rendered (IBAC-BAK-005): the restore range is the spec's word for it.
    declaredOnly: ["IBAC-BAK-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (view, _resources, report) => {
    const photos = view.spec.backupPolicy.photos;
    const at = (key: string): string => `spec.backupPolicy.photos.${key}`;
    if (photos.rotation !== "hanoi") {
      reportFinding(report, { subject: "photo backup rotation", observed: `rotation: ${String(photos.rotation)}`, expected: "rotation: hanoi (Tower of Hanoi)", urn: view.urn, location: at("rotation") });
    }
    if (!(photos.newestRestorePointHours <= DESIGN_NEWEST_RESTORE_POINT_HOURS)) {
      reportFinding(report, {
        subject: "newest photo restore point",
        observed: `newestRestorePointHours: ${photos.newestRestorePointHours}`,
        expected: `newestRestorePointHours at most ${DESIGN_NEWEST_RESTORE_POINT_HOURS} (restore from 1 hour ago)`,
        urn: view.urn,
        location: at("newestRestorePointHours"),
      });
    }
    if (!(photos.oldestRestorePointDays >= DESIGN_OLDEST_RESTORE_POINT_DAYS)) {
      reportFinding(report, {
        subject: "oldest photo restore point",
        observed: `oldestRestorePointDays: ${photos.oldestRestorePointDays}`,
        expected: `oldestRestorePointDays at least ${DESIGN_OLDEST_RESTORE_POINT_DAYS} (restore from 6 months ago)`,
        urn: view.urn,
        location: at("oldestRestorePointDays"),
      });
    }
    const missing = [
      ...(hasFlow(view.model.flows, "backup", "objectStore", "9102") ? [] : ["backup -> objectStore tcp/9102 (director to file daemon)"]),
      ...(hasFlow(view.model.flows, "objectStore", "backup", "9103") ? [] : ["objectStore -> backup tcp/9103 (file daemon to storage daemon)"]),
    ];
    if (missing.length) {
      reportFinding(report, { subject: "Bacula flows of the photo backups", observed: `no flow ${missing.join(", no flow ")}`, expected: "both Bacula flows between the backup tier and the object store", urn: view.urn, location: "model.flows" });
    }
  });
}
