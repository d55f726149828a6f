import { describe, expect, it } from "vitest";
import { findingsOf, mutatePlatform, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { PLATFORM_TYPE } from "../../components/model/policy-view";
import type { IbacPolicy } from "../kit/types";
import { databaseBackupSchedulePolicy } from "./database-backup-schedule";
import { photoBackupRestoreRangePolicy } from "./photo-backup-restore-range";
import { backupOffsiteEncryptedPolicy } from "./backup-offsite-encrypted";
import { photoBackupBaculaPolicy } from "./photo-backup-bacula";
import { backupOffsiteCopyPolicy } from "./backup-offsite-copy";
import { longestGapHours } from "./systemd-unit";
import { PRODUCTION_BACULA_PATHS as P } from "../../backup/bacula/paths";

const BACKUP_POLICIES = (): IbacPolicy[] => [databaseBackupSchedulePolicy(), photoBackupRestoreRangePolicy(), backupOffsiteEncryptedPolicy(), photoBackupBaculaPolicy(), backupOffsiteCopyPolicy()];

const FULL_TIMER = "/etc/systemd/system/ibac-db-backup-full.timer";
const CAPTURE_SERVICE = "/etc/systemd/system/ibac-binlog-capture.service";

describe("backup policies on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("database-backup-schedule: prod passes; a full backup only once a day fails, naming db-2's timer", async () => {
    expect(await findingsOf(databaseBackupSchedulePolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "db-2", FULL_TIMER, (t) => t.replace("OnCalendar=*-*-* 00/12:00:00 UTC", "OnCalendar=*-*-* 00:00:00 UTC"));
    const findings = await findingsOf(databaseBackupSchedulePolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({
        subject: "full backup timer of db-2",
        observed: "OnCalendar=*-*-* 00:00:00 UTC: up to 24 h between runs",
        expected: "a run at least every 12 h (spec fullEveryHours = 12; design: every 12 h)",
        location: FULL_TIMER,
      }),
    ]);
    expect(findings[0].urn).toContain("db-2-config-copy-etc-systemd-system-ibac-db-backup-full-timer");
  });

  it("database-backup-schedule: a spec that asks for a full backup every 24 h fails against the design", async () => {
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.backupPolicy.database.fullEveryHours = 24; });
    expect(await findingsOf(databaseBackupSchedulePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "database backup schedule in the spec", observed: "fullEveryHours: 24", expected: "fullEveryHours at most 12 (the design's figure)", location: "spec.backupPolicy.database.fullEveryHours" }),
    ]);
  });

  it("database-backup-schedule: a binary-log capture that systemd does not restart fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-1", CAPTURE_SERVICE, (t) => t.replace("Restart=always\n", ""));
    expect(await findingsOf(databaseBackupSchedulePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "binary-log capture of db-1", observed: "ExecStart=/usr/local/sbin/ibac-binlog-capture, Restart=no", location: CAPTURE_SERVICE }),
    ]);
  });

  it("reads calendar events the way systemd.time(7) does", () => {
    expect(longestGapHours(["*-*-* 00/12:00:00 UTC"])).toBe(12);
    expect(longestGapHours(["*-*-* 00/1:30:00 UTC"])).toBe(1);
    expect(longestGapHours(["*-*-* 00/5:00:00 UTC"])).toBe(5);
    expect(longestGapHours(["*-*-01/2 00:00:00 UTC"])).toBe(48);
    expect(longestGapHours(["Mon *-*-* 00:00:00", "Thu *-*-* 12:00:00"])).toBe(84);
    expect(longestGapHours(["hourly"])).toBe(1);
    expect(longestGapHours(["*-*-~1"])).toBeUndefined();
  });

  it("photo-backup-restore-range: prod passes, judged from the delivered bacula-dir.conf; a spec keeping restore points only 90 days fails", async () => {
    expect(await findingsOf(photoBackupRestoreRangePolicy(), await stackResources("prod"))).toEqual([]);
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.backupPolicy.photos.oldestRestorePointDays = 90; });
    const findings = await findingsOf(photoBackupRestoreRangePolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({ subject: "oldest photo restore point", observed: "oldestRestorePointDays: 90", expected: "oldestRestorePointDays at least 183 (restore from 6 months ago)", location: "spec.backupPolicy.photos.oldestRestorePointDays" }),
    ]);
    expect(findings[0].urn).toContain(PLATFORM_TYPE);
  });

  it("photo-backup-restore-range: a Run line removed from bkp-1's rendered schedule leaves a day-long gap (simulated), naming the file", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "bkp-1", P.directorConf, (t) => t.replace(/^ {2}Run = Level=Incremental Pool=Photos-Hourly .*\n/m, ""));
    const findings = await findingsOf(photoBackupRestoreRangePolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({ subject: "newest photo restore point (Photos-Hanoi on bkp-1, simulated 2026-01-01..2028-01-02)", observed: expect.stringMatching(/^up to 24 h old /), location: `${P.directorConf}: Schedule Photos-Hanoi` }),
    ]);
    expect(findings[0].urn).toContain("bkp-1-config-copy-etc-bacula-bacula-dir-conf");
  });

  it("backup-offsite-encrypted: prod passes, judged from every bacula-fd.conf and the NAS device; a client without PKI encryption fails", async () => {
    expect(await findingsOf(backupOffsiteEncryptedPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "db-1", P.fileDaemonConf, (t) => t.replace("PKI Encryption = yes", "PKI Encryption = no"));
    const findings = await findingsOf(backupOffsiteEncryptedPolicy(), resources);
    expect(findings).toEqual([expect.objectContaining({ subject: "PKI Encryption of db-1's file daemon db-1-fd", observed: "PKI Encryption = no" })]);
    expect(findings[0].urn).toContain("db-1-config-copy-etc-bacula-bacula-fd-conf");
  });

  it("backup-offsite-encrypted: unencrypted backups declared in the spec fail", async () => {
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.backupPolicy.offsite.encrypted = false; });
    expect(await findingsOf(backupOffsiteEncryptedPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "off-site backup copy", observed: "encrypted: false", expected: "encrypted: true (the copy on the NAS is encrypted)", location: "spec.backupPolicy.offsite.encrypted" }),
    ]);
  });

  it("backup-offsite-encrypted: a NAS mount script that mounts a cluster VM fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "bkp-2", P.nasMountCommand, (t) => t.replaceAll("ibacnas@10.20.8.50:", "ibacnas@10.20.2.16:"));
    expect(await findingsOf(backupOffsiteEncryptedPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "off-site NAS device NasVolumes of bkp-2", observed: "mounts ibacnas@10.20.2.16:/volume1/ibac-backup, which is VM db-1", location: P.nasMountCommand }),
    ]);
  });

  it("photo-backup-bacula: prod passes; the photo job on another schedule fails", async () => {
    expect(await findingsOf(photoBackupBaculaPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "bkp-2", P.directorConf, (t) => t.replace('Schedule = "Photos-Hanoi"', 'Schedule = "Config-Daily"'));
    expect(await findingsOf(photoBackupBaculaPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "schedule of the photo job Backup-Photos on bkp-2", observed: "Schedule = Config-Daily", expected: "Schedule = Photos-Hanoi (the Tower-of-Hanoi rotation)" }),
    ]);
  });

  it("backup-offsite-copy: prod passes; a copy to a local device fails", async () => {
    expect(await findingsOf(backupOffsiteCopyPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "bkp-1", P.directorConf, (t) => t.replace(/(Name = "Nas-Cycle-Inc"\n {2}Pool Type = Backup\n {2}Storage = )"Nas"/, '$1"Drbd"'));
    expect(await findingsOf(backupOffsiteCopyPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "off-site copy of pool Cycle-Inc on bkp-1", observed: "the copy job Copy-Cycle-Inc writes to Nas-Cycle-Inc on storage Drbd (device DrbdVolumes), which is not the NAS" }),
    ]);
  });

  it("declares the names and requirement ids the catalogue refers to", () => {
    expect(BACKUP_POLICIES().map(({ name, requirements, severity, enforcementLevel, declaredOnly }) => ({ name, requirements, severity, enforcementLevel, declaredOnly }))).toEqual([
      { name: "database-backup-schedule", requirements: ["IBAC-BAK-001"], severity: "high", enforcementLevel: "mandatory", declaredOnly: undefined },
      { name: "photo-backup-restore-range", requirements: ["IBAC-BAK-002"], severity: "high", enforcementLevel: "mandatory", declaredOnly: undefined },
      { name: "backup-offsite-encrypted", requirements: ["IBAC-BAK-003"], severity: "critical", enforcementLevel: "mandatory", declaredOnly: undefined },
      { name: "photo-backup-bacula", requirements: ["IBAC-BAK-005"], severity: "high", enforcementLevel: "mandatory", declaredOnly: undefined },
      { name: "backup-offsite-copy", requirements: ["IBAC-BAK-007"], severity: "high", enforcementLevel: "mandatory", declaredOnly: undefined },
    ]);
  });

  it.each(["staging", "lab"])("%s passes every backup policy", async (stack) => {
    const resources = await stackResources(stack);
    for (const policy of BACKUP_POLICIES()) {
      expect(await findingsOf(policy, resources), policy.name).toEqual([]);
    }
  });
});
