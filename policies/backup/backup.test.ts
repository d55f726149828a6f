import { describe, expect, it } from "vitest";
import { findingsOf, mutatePlatform, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { PLATFORM_TYPE } from "../../components/model/policy-view";
import { databaseBackupSchedulePolicy } from "./database-backup-schedule";
import { photoBackupRestoreRangePolicy } from "./photo-backup-restore-range";
import { backupOffsiteEncryptedPolicy } from "./backup-offsite-encrypted";
import { longestGapHours } from "./systemd-unit";

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

  it("photo-backup-restore-range: prod passes; restore points kept only 90 days fails", async () => {
    expect(await findingsOf(photoBackupRestoreRangePolicy(), await stackResources("prod"))).toEqual([]);
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.backupPolicy.photos.oldestRestorePointDays = 90; });
    const findings = await findingsOf(photoBackupRestoreRangePolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({ subject: "oldest photo restore point", observed: "oldestRestorePointDays: 90", expected: "oldestRestorePointDays at least 183 (restore from 6 months ago)", location: "spec.backupPolicy.photos.oldestRestorePointDays" }),
    ]);
    expect(findings[0].urn).toContain(PLATFORM_TYPE);
  });

  it("photo-backup-restore-range: a newest restore point 24 h old fails", async () => {
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.backupPolicy.photos.newestRestorePointHours = 24; });
    expect(await findingsOf(photoBackupRestoreRangePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "newest photo restore point", observed: "newestRestorePointHours: 24" }),
    ]);
  });

  it("backup-offsite-encrypted: prod passes; unencrypted backups fail", async () => {
    expect(await findingsOf(backupOffsiteEncryptedPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.backupPolicy.offsite.encrypted = false; });
    expect(await findingsOf(backupOffsiteEncryptedPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "off-site backup copy", observed: "encrypted: false", expected: "encrypted: true (the copy on the NAS is encrypted)", location: "spec.backupPolicy.offsite.encrypted" }),
    ]);
  });

  it("backup-offsite-encrypted: a 'NAS' that is one of the cluster's own VMs fails", async () => {
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.backupPolicy.offsite.nasAddress = p.model.vms.find((v) => v.name === "bkp-1")?.nics[0].address ?? ""; });
    expect(await findingsOf(backupOffsiteEncryptedPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "off-site backup NAS", observed: expect.stringMatching(/^nasAddress: 10\.20\.\d+\.\d+, which is VM bkp-1$/), location: "spec.backupPolicy.offsite.nasAddress" }),
    ]);
  });

  it("declares the names and requirement ids the catalogue refers to", () => {
    expect([databaseBackupSchedulePolicy(), photoBackupRestoreRangePolicy(), backupOffsiteEncryptedPolicy()].map(({ name, requirements, severity, enforcementLevel }) => ({ name, requirements, severity, enforcementLevel }))).toEqual([
      { name: "database-backup-schedule", requirements: ["IBAC-BAK-001"], severity: "high", enforcementLevel: "mandatory" },
      { name: "photo-backup-restore-range", requirements: ["IBAC-BAK-002"], severity: "high", enforcementLevel: "mandatory" },
      { name: "backup-offsite-encrypted", requirements: ["IBAC-BAK-003"], severity: "critical", enforcementLevel: "mandatory" },
    ]);
  });

  it.each(["staging", "lab"])("%s passes every backup policy", async (stack) => {
    const resources = await stackResources(stack);
    for (const policy of [databaseBackupSchedulePolicy(), photoBackupRestoreRangePolicy(), backupOffsiteEncryptedPolicy()]) {
      expect(await findingsOf(policy, resources), policy.name).toEqual([]);
    }
  });
});
