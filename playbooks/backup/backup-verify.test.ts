import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runRunbook, type RunRunbookArgs } from "../engine/run-runbook";
import { AuditLog } from "../engine/audit-log";
import { RUNBOOK_EXIT } from "../../cli/runbook/command";
import type { BackupInventory } from "./inventory";
import { makeBackupVerify } from "./backup-verify";
import { backupInventory, FakeBacula } from "./fake-bacula";

const runbook = makeBackupVerify({ pollMs: 5, timeoutMs: 2000 });

// Engine-level, fake director (fake-bacula.ts). Unproven here: a VolumeToCatalog verify run by real daemons,
// and the exact wording of the differences Bacula logs (the filter keeps lines that say "differ", "not found",
// "New file", "missing", errors and warnings).
describe("backup-verify (engine, fake director)", () => {
  let lines: string[];
  let dir: string;
  let args: (fake: FakeBacula, options?: Record<string, string>, extra?: Partial<RunRunbookArgs<BackupInventory>>) => RunRunbookArgs<BackupInventory>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-verify-"));
    lines = [];
    args = (fake, options = {}, extra = {}) => ({
      runbook, inventory: backupInventory, transport: fake, options, dryRun: false, yes: false,
      audit: new AuditLog(path.join(dir, "audit.jsonl")), operator: "tester", commandLine: "ibac runbook backup-verify --stack lab",
      say: (line) => lines.push(line), ...extra,
    });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const runs = (fake: FakeBacula): string[] => fake.bconsoleLines.filter((l) => l.startsWith("run "));

  it("verifies the last good backup of every job: T each, exit 0", async () => {
    const fake = new FakeBacula();
    const outcome = await runRunbook(args(fake));
    expect(outcome.status, lines.join("\n")).toBe("completed");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(0);
    expect(runs(fake)).toEqual([
      "run job=VerifyVolume jobid=14 level=VolumeToCatalog client=s3-fd fileset=Photos yes",
      "run job=VerifyVolume jobid=21 level=VolumeToCatalog client=db-1-fd fileset=Database yes",
    ]);
    expect(lines).toContain("    Photos: backup job 14 verified by job 100: T (no differences)");
    expect(outcome.report.verified).toBe("Photos:14=T Database-db-1:21=T");
  });

  it("a dry run prints the verify runs and starts none", async () => {
    const fake = new FakeBacula();
    const outcome = await runRunbook(args(fake, {}, { dryRun: true }));
    expect(outcome.status).toBe("dry-run");
    expect(runs(fake)).toEqual([]);
    expect(lines).toContain("    would run on backup-1 (10.30.0.31): printf '%s\\n' 'run job=VerifyVolume jobid=14 level=VolumeToCatalog client=s3-fd fileset=Photos yes' | bconsole -c /etc/bacula/bconsole.conf");
  });

  it("--client verifies that client's jobs only; the last good one, skipping a failed newer one", async () => {
    const fake = new FakeBacula();
    const newest = fake.catalog.jobs.find((j) => j.jobId === 14);
    if (newest) newest.status = "E";
    const outcome = await runRunbook(args(fake, { client: "s3-fd" }));
    expect(outcome.status, lines.join("\n")).toBe("completed");
    expect(runs(fake)).toEqual(["run job=VerifyVolume jobid=13 level=VolumeToCatalog client=s3-fd fileset=Photos yes"]);
  });

  it("differences: each printed, the run ends down (exit 6)", async () => {
    const fake = new FakeBacula();
    fake.verifyOutcome.set(14, {
      status: "D",
      log: ["ibac-dir JobId 100: File: /srv/minio/export/photos/2026/a.jpg", "ibac-dir JobId 100:       SHA256 digest differs. File=Pz... Cat=n4b...\u001b[2J"],
    });
    const outcome = await runRunbook(args(fake));
    expect(outcome.status, lines.join("\n")).toBe("down");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(6);
    expect(lines).toEqual(expect.arrayContaining([
      "      ibac-dir JobId 100: File: /srv/minio/export/photos/2026/a.jpg",
      "      ibac-dir JobId 100:       SHA256 digest differs. File=Pz... Cat=n4b...?[2J",
      "    DOWN: Photos: backup job 14 differs from the catalog (verify job 100: D, 2 line(s) of differences)",
    ]));
    // The summary and the pruning messages Bacula appends are not differences.
    expect(lines.some((l) => l.includes("Termination:") || l.includes("pruning"))).toBe(false);
    expect(lines.some((l) => l.includes("\u001b"))).toBe(false);
    expect(outcome.report.verified).toBe("Photos:14=D Database-db-1:21=T");
  });

  it("a verify that ends in error: degraded (exit 5)", async () => {
    const fake = new FakeBacula();
    fake.verifyOutcome.set(21, { status: "E", log: ["ibac-dir JobId 101: Error: could not connect to the storage daemon"] });
    const outcome = await runRunbook(args(fake));
    expect(outcome.status).toBe("degraded");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(5);
    expect(lines).toContain("    DEGRADED: Database-db-1: the verify of backup job 21 ended E (verify job 101): not verified; see `list joblog jobid=101`");
  });

  it("the director down: refused, nothing run (exit 3)", async () => {
    const fake = new FakeBacula();
    fake.directorOn = [];
    const outcome = await runRunbook(args(fake));
    expect(outcome.status).toBe("refused");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(3);
    expect(outcome.reason).toBe("the director is not reachable: bacula-director.service runs on no backup VM (backup-1 inactive, backup-2 inactive); see storage and Pacemaker status on the backup VMs");
    expect(runs(fake)).toEqual([]);
  });

  it("an unknown --client: exit 2 before connecting", async () => {
    const fake = new FakeBacula();
    await expect(runRunbook(args(fake, { client: "s9-fd" }))).rejects.toThrow('--client: expected one of s3-fd, db-1-fd, found "s9-fd"');
    expect(fake.ran).toEqual([]);
  });
});
