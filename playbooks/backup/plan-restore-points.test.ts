import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { deriveBaculaPlan } from "../../backup/bacula/derive-bacula-plan";
import { photoRotation } from "../../backup/rotation/hanoi-plan";
import { PROJECT_DIR } from "../../test/fixtures/specs";
import { backupInventoryFromPlan, loadBackupInventoryFile } from "./inventory";
import { planRestorePoints } from "./plan-restore-points";
import { coveringRestorePoint } from "./restore-point";

const prod = loadStackFile(stackFilePath(PROJECT_DIR, "prod"));
const plan = deriveBaculaPlan(prod.spec, prod.model, photoRotation(prod.spec.backupPolicy.photos));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// The real plan of the prod stack (derive-bacula-plan.ts) and the real simulator (simulate.ts): what the
// restore runbook takes as "the restore points the plan keeps".
describe("the plan's restore points for backup-restore (prod, real plan and simulator)", () => {
  const kept = planRestorePoints(plan);
  const now = new Date("2027-03-01T10:30:00Z");

  it("photos: one at most the promised hour old and one at least the promised days old; every chain starts with a Full and ends with the point", () => {
    const points = kept("Backup-Photos", now);
    const newest = points.at(-1);
    const oldest = points[0];
    expect(now.getTime() - (newest?.at.getTime() ?? 0)).toBeLessThanOrEqual(prod.spec.backupPolicy.photos.newestRestorePointHours * HOUR);
    expect(now.getTime() - oldest.at.getTime()).toBeGreaterThanOrEqual(prod.spec.backupPolicy.photos.oldestRestorePointDays * DAY);
    for (const p of points) {
      expect(p.chain[0].level).toBe("Full");
      expect(p.chain.at(-1)?.at.getTime()).toBe(p.at.getTime());
    }
  });

  it("a time between two restore points picks the earlier; the chain names the pools Bacula writes to", () => {
    const points = kept("Backup-Photos", now);
    const at = new Date(points[points.length - 2].at.getTime() + 60_000);
    const chosen = coveringRestorePoint(points, at, "Backup-Photos");
    expect(chosen.at).toEqual(points[points.length - 2].at);
    expect(chosen.chain.every((s) => plan.pools.some((p) => p.name === s.pool))).toBe(true);
  });

  it("a database job: its own schedule and pools, restore points back to its retention", () => {
    const points = kept("Backup-db-1", now);
    expect(points.length).toBeGreaterThan(24);
    expect(now.getTime() - points[0].at.getTime()).toBeGreaterThanOrEqual(prod.spec.backupPolicy.database.retentionDays * DAY);
    expect(new Set(points.flatMap((p) => p.chain.map((s) => s.pool)))).toEqual(new Set(["Cycle-Full", "Cycle-Diff", "Cycle-Inc"]));
  });

  it("an unknown job is the operator's mistake", () => {
    expect(() => kept("Backup-Nope", now)).toThrow(`no backup job Backup-Nope in the stack's Bacula plan (${plan.backupJobs.map((j) => j.name).join(", ")})`);
  });
});

describe("backup inventory", () => {
  it("from the plan: the backup VMs, the plan's restore and verify jobs, a client per file daemon, SSH to where Bacula reaches it", () => {
    const inventory = backupInventoryFromPlan("prod", plan, prod.model, "ops");
    expect(inventory.backupHosts.map((h) => h.name)).toEqual(plan.director.vms);
    expect(inventory.director).toEqual({ service: "bacula-director.service", bconsoleConfig: "/etc/bacula/bconsole.conf", catalogFile: plan.director.catalogFile, restoreJob: plan.restoreJob, verifyJob: plan.verifyJob });
    expect(inventory.clients.find((c) => c.name === "s3-fd")?.host).toEqual({ name: "s3-fd", address: prod.model.virtualIps.objectStore, ssh: { port: 22, user: "ops", sudo: true } });
    expect(inventory.jobs.find((j) => j.name === "Backup-Photos")?.include).toEqual(plan.fileSets.find((f) => f.name === "Photos")?.include);
    expect(inventory.hosts.map((h) => h.name)).toEqual([...plan.director.vms, ...plan.clients.map((c) => c.name)]);
  });

  it("a file: checked by the schema (a relative bconsole path is refused: Bacula would read /etc/bacula instead)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-inventory-"));
    try {
      const inventory = backupInventoryFromPlan("lab", plan, prod.model, "root");
      const file = { stack: inventory.stack, director: inventory.director, restoreRoot: inventory.restoreRoot, backupHosts: inventory.backupHosts, clients: inventory.clients, jobs: inventory.jobs };
      const good = path.join(dir, "good.json");
      fs.writeFileSync(good, JSON.stringify(file));
      expect(loadBackupInventoryFile(good, "lab").hosts).toHaveLength(file.backupHosts.length + file.clients.length);
      const bad = path.join(dir, "bad.json");
      fs.writeFileSync(bad, JSON.stringify({ ...file, director: { ...file.director, bconsoleConfig: "bconsole.conf" } }, null, 2));
      expect(() => loadBackupInventoryFile(bad, "lab")).toThrow(`${bad}: director.bconsoleConfig: expected an absolute path (letters, digits, _ . + -, no dot segments), found "bconsole.conf"`);
      const unknownClient = path.join(dir, "client.json");
      fs.writeFileSync(unknownClient, JSON.stringify({ ...file, jobs: [{ ...file.jobs[0], client: "nobody-fd" }] }, null, 2));
      expect(() => loadBackupInventoryFile(unknownClient, "lab")).toThrow(`${unknownClient}: jobs[0].client: expected one of the clients (${plan.clients.map((c) => c.name).join(", ")}), found "nobody-fd"`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
