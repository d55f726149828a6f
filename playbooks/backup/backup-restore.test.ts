import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runRunbook, type RunRunbookArgs } from "../engine/run-runbook";
import { AuditLog } from "../engine/audit-log";
import { RUNBOOK_EXIT } from "../../cli/runbook/command";
import type { BackupInventory } from "./inventory";
import { makeBackupRestore } from "./backup-restore";
import { backupInventory, FakeBacula, keptRestorePoints, NOW } from "./fake-bacula";

const runbook = makeBackupRestore({ keptRestorePoints, now: () => NOW, pollMs: 5, timeoutMs: 2000 });
const PHOTOS = "/srv/minio/export/photos/2026";
const TO = "/srv/bacula-restore/case-1";

// Engine-level: the real engine and runbook, a fake director, catalog and client (fake-bacula.ts) answering in
// the formats the real 9.6.7 director printed (samples/). Unproven here: Bacula carrying out the restore.
describe("backup-restore (engine, fake director)", () => {
  let lines: string[];
  let dir: string;
  let args: (fake: FakeBacula, options: Record<string, string>, extra?: Partial<RunRunbookArgs<BackupInventory>>) => RunRunbookArgs<BackupInventory>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-restore-"));
    lines = [];
    args = (fake, options, extra = {}) => ({
      runbook, inventory: backupInventory, transport: fake, options, dryRun: false, yes: true,
      audit: new AuditLog(path.join(dir, "audit.jsonl")), operator: "tester", commandLine: "ibac runbook backup-restore --stack lab",
      say: (line) => lines.push(line), ...extra,
    });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const restoreLines = (fake: FakeBacula): string[] => fake.bconsoleLines.filter((l) => l.startsWith("restore "));

  it("a dry run reads the catalog, prints the restore on the director's VM, restores nothing", async () => {
    const fake = new FakeBacula();
    const outcome = await runRunbook(args(fake, { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }, { dryRun: true }));
    expect(outcome.status, lines.join("\n")).toBe("dry-run");
    expect(restoreLines(fake)).toEqual([]);
    const line = `restore client=s3-fd restorejob=RestoreFiles jobid=11,12,13 where="${TO}" replace=never`;
    expect(lines).toContain(`    would run on backup-1 (10.30.0.31): printf '%s\\n' '${line}' 'cd "/srv/minio/export/photos/"' 'mark "2026"' done yes | bconsole -c /etc/bacula/bconsole.conf`);
    expect(outcome.commands.filter((c) => c.kind === "change")).toHaveLength(1);
    expect(lines).toContain("    --at 2026-11-30T01:30:00.000Z: the plan's restore point is 2026-11-30T01:05:00.000Z (Incremental in Photos-I)");
    expect(lines).toContain(`    would compare find ${PHOTOS.replace(/^/, `${TO}`)} -type f -exec sha256sum -z -- {} + on s3-fd with the catalog's digests`);
  });

  it("restores a directory from the chain the plan names, waits for the job, checks every file's SHA256", async () => {
    const fake = new FakeBacula();
    const outcome = await runRunbook(args(fake, { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }));
    expect(outcome.status, lines.join("\n")).toBe("completed");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(0);
    expect(restoreLines(fake)).toEqual([`restore client=s3-fd restorejob=RestoreFiles jobid=11,12,13 where="${TO}" replace=never\ncd "/srv/minio/export/photos/"\nmark "2026"\ndone\nyes`]);
    // a.jpg from the Differential (its second version), b.jpg from the Full, c.jpg from the Incremental.
    expect([...(fake.clientFiles.get("s3-fd")?.entries() ?? [])].sort()).toEqual([
      [`${TO}${PHOTOS}/a.jpg`, "a, second version"], [`${TO}${PHOTOS}/b.jpg`, "b"], [`${TO}${PHOTOS}/c.jpg`, "c"],
    ]);
    expect(outcome.report).toMatchObject({ restorePoint: "2026-11-30T01:05:00.000Z", jobs: "11,12,13", restoreJob: "100", filesRestored: "4", sha256Checked: "3", restoredTo: `s3-fd:${TO}` });
  });

  it("one file, at a time after the last incremental (which deleted b.jpg): file=, the newest chain; the default place", async () => {
    const fake = new FakeBacula();
    const outcome = await runRunbook(args(fake, { path: `${PHOTOS}/a.jpg`, at: "2026-11-30T02:59:00+00:00" }));
    expect(outcome.status, lines.join("\n")).toBe("completed");
    const where = "/srv/bacula-restore/Photos-20261130T020500Z";
    expect(restoreLines(fake)).toEqual([`restore client=s3-fd restorejob=RestoreFiles jobid=11,12,13,14 file="${PHOTOS}/a.jpg" where="${where}" replace=never yes`]);
    expect(outcome.report.sha256Checked).toBe("1");
  });

  it("a restored file whose SHA256 is not the catalog's fails the run, named", async () => {
    const fake = new FakeBacula();
    fake.corrupt = (p, c) => (p.endsWith("c.jpg") ? `${c}!` : c);
    const outcome = await runRunbook(args(fake, { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }));
    expect(outcome).toMatchObject({ status: "failed", stoppedAt: 3 });
    expect(outcome.reason).toMatch(new RegExp(`^1 restored file\\(s\\) do not match the catalog:\\nSHA256 differs: ${TO}${PHOTOS}/c.jpg \\(catalog [0-9a-f]{64}, restored [0-9a-f]{64}\\)$`));
  });

  it("a restore job that ends in error fails at step 2 and says where to look", async () => {
    const fake = new FakeBacula();
    fake.restoreStatus = "E";
    const outcome = await runRunbook(args(fake, { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }));
    expect(outcome).toMatchObject({ status: "failed", stoppedAt: 2, reason: "restore job 100 ended with status E and 1 error(s): see `list joblog jobid=100`" });
  });

  describe("refuses bad input before connecting (exit 2)", () => {
    it.each<[string, Record<string, string>, string]>([
      ["a relative path", { path: "srv/x", at: "2026-11-30T01:30:00Z" }, '--path: expected an absolute path without control characters, quotes ("), backslashes, or ".", ".." or empty segments, found "srv/x"'],
      ["a dot-dot segment", { path: `${PHOTOS}/../../../etc/shadow`, at: "2026-11-30T01:30:00Z" }, `--path: expected an absolute path without control characters, quotes ("), backslashes, or ".", ".." or empty segments, found "${PHOTOS}/../../../etc/shadow"`],
      ["a control character", { path: `${PHOTOS}/a\nb`, at: "2026-11-30T01:30:00Z" }, `--path: expected an absolute path without control characters, quotes ("), backslashes, or ".", ".." or empty segments, found "${PHOTOS}/a\\nb"`],
      ["a quote", { path: `${PHOTOS}/a" where="/`, at: "2026-11-30T01:30:00Z" }, `--path: expected an absolute path without control characters, quotes ("), backslashes, or ".", ".." or empty segments, found "${PHOTOS}/a\\" where=\\"/"`],
      ["a path in no file set", { path: "/etc/passwd", at: "2026-11-30T01:30:00Z" }, "--path: /etc/passwd is in no backed-up file set (Photos: /srv/minio/export; Database-db-1: /var/backups/mariadb)"],
      ["a time without a zone", { path: PHOTOS, at: "2026-11-30 01:30:00" }, '--at: expected an ISO 8601 time with a zone such as 2026-11-30T02:30:00Z, found "2026-11-30 01:30:00"'],
      ["a time in the future (its zone counted)", { path: PHOTOS, at: "2026-11-30T04:01:00+01:00" }, "--at: 2026-11-30T03:01:00.000Z is in the future (now 2026-11-30T03:00:00.000Z)"],
      ["a time before the oldest restore point", { path: PHOTOS, at: "2026-10-31T23:00:00Z" }, "--at: 2026-10-31T23:00:00.000Z is before the oldest restore point of Photos the plan keeps (2026-11-01T00:05:00.000Z, Full in Photos-Full)"],
      ["a target inside the backed-up tree", { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: "/srv/minio/export/restored" }, "--to: /srv/minio/export/restored is inside the backed-up /srv/minio/export on s3-fd: restore to a new place (such as /srv/bacula-restore/...), then move what you need"],
      ["the root as target (the original place)", { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: "/" }, '--to: expected an absolute path without control characters, quotes ("), backslashes, or ".", ".." or empty segments, found "/"'],
    ])("%s", async (_what, options, message) => {
      const fake = new FakeBacula();
      await expect(runRunbook(args(fake, options))).rejects.toThrow(message);
      expect(fake.ran).toEqual([]);
    });

    it("now itself is not the future: 04:00+01:00 is 03:00Z (dry run completes)", async () => {
      const outcome = await runRunbook(args(new FakeBacula(), { path: PHOTOS, at: "2026-11-30T04:00:00+01:00", to: TO }, { dryRun: true }));
      expect(outcome.status, lines.join("\n")).toBe("dry-run");
    });
  });

  describe("refuses, nothing changed (exit 3), when", () => {
    const refused = async (fake: FakeBacula, options: Record<string, string> = { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }): Promise<string | undefined> => {
      const outcome = await runRunbook(args(fake, options));
      expect(outcome.status, lines.join("\n")).toBe("refused");
      expect(RUNBOOK_EXIT[outcome.status]).toBe(3);
      expect(restoreLines(fake)).toEqual([]);
      expect(outcome.commands.every((c) => c.kind === "probe")).toBe(true);
      return outcome.reason;
    };

    it("the catalog lacks a job of the chain: it names the job", async () => {
      const fake = new FakeBacula();
      fake.catalog.jobs = fake.catalog.jobs.filter((j) => j.jobId !== 12);
      expect(await refused(fake)).toBe("the catalog lacks the chain of the restore point 2026-11-30T01:05:00.000Z of Photos: no Differential in Photos-D1 scheduled at 2026-11-29T00:05:00.000Z terminated normally. Nothing was restored; see `list jobname=Photos` in bconsole");
    });

    it("a job of the chain ended in error", async () => {
      const fake = new FakeBacula();
      const inc = fake.catalog.jobs.find((j) => j.jobId === 13);
      if (inc) inc.status = "E";
      expect(await refused(fake)).toContain("no Incremental in Photos-I scheduled at 2026-11-30T01:05:00.000Z terminated normally; the catalog has it as job 13 with status E");
    });

    it("the director runs on no backup VM", async () => {
      const fake = new FakeBacula();
      fake.directorOn = [];
      expect(await refused(fake)).toBe("the director is not reachable: bacula-director.service runs on no backup VM (backup-1 inactive, backup-2 inactive); see storage and Pacemaker status on the backup VMs");
    });

    it("the director's VM does not answer SSH", async () => {
      const fake = new FakeBacula();
      fake.unreachable.add("backup-1");
      expect(await refused(fake)).toBe("the director is not reachable: bacula-director.service runs on no backup VM (backup-1 unreachable, backup-2 inactive); see storage and Pacemaker status on the backup VMs");
    });

    it("the director does not greet bconsole", async () => {
      const fake = new FakeBacula();
      fake.directorAnswers = false;
      expect(await refused(fake)).toBe("the director is not reachable: bconsole on backup-1 got no greeting (exit 1: Director authorization problem.)");
    });

    it("two directors are active", async () => {
      const fake = new FakeBacula();
      fake.directorOn = ["backup-1", "backup-2"];
      expect(await refused(fake)).toBe("bacula-director.service is active on backup-1 and backup-2: two directors on one catalog; fix the backup tier's cluster first");
    });

    it("the target exists and is not empty", async () => {
      const fake = new FakeBacula();
      fake.usedDirs.add(TO);
      expect(await refused(fake)).toBe(`s3-fd: ${TO} exists and is not an empty directory: restore into a new place (--to)`);
    });

    it("the path has no version in the chain", async () => {
      const fake = new FakeBacula();
      expect(await refused(fake, { path: `${PHOTOS}/c.jpg`, at: "2026-11-29T12:00:00Z", to: TO })).toBe(`the catalog has no version of ${PHOTOS}/c.jpg in the chain of 2026-11-29T00:05:00.000Z (jobs 11, 12): it was not backed up then, or was deleted`);
    });

    it("the catalog answers with a hostile value", async () => {
      const fake = new FakeBacula();
      const full = fake.catalog.jobs.find((j) => j.jobId === 11);
      if (full) full.pool = "Photos-Full;reboot";
      expect(await refused(fake)).toBe('backup-1: llist jobname=Photos: job 11: PoolName: expected a pool name, found "Photos-Full;reboot"');
    });
  });

  it("--from-step 2 with the target filled by an earlier attempt: refused (a half-done restore is not topped up)", async () => {
    const fake = new FakeBacula();
    fake.usedDirs.add(TO);
    const outcome = await runRunbook(args(fake, { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }, { fromStep: 2 }));
    expect(outcome).toMatchObject({ status: "refused", stoppedAt: 2, reason: `s3-fd: ${TO} exists and is not an empty directory: restore into a new place (--to)` });
    expect(restoreLines(fake)).toEqual([]);
  });

  it("--from-step 3 with nothing restored: refused, resume from step 2", async () => {
    const outcome = await runRunbook(args(new FakeBacula(), { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }, { fromStep: 3 }));
    expect(outcome).toMatchObject({ status: "refused", stoppedAt: 2, reason: `s3-fd: ${TO} holds nothing: the restore did not happen; resume from step 2` });
  });

  it("--from-step 3 after a restore: step 1's check runs again, accepting the filled target", async () => {
    const fake = new FakeBacula();
    expect((await runRunbook(args(fake, { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }))).status).toBe("completed");
    lines.length = 0;
    const resumed = await runRunbook(args(fake, { path: PHOTOS, at: "2026-11-30T01:30:00Z", to: TO }, { fromStep: 3 }));
    expect(resumed.status, lines.join("\n")).toBe("completed");
    expect(restoreLines(fake)).toHaveLength(1);
    expect(resumed.report.sha256Checked).toBe("3");
  });
});
