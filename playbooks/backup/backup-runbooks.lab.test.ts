import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRunbook } from "../engine/run-runbook";
import { AuditLog } from "../engine/audit-log";
import type { CommandResult, EngineHost, HostTransport } from "../engine/types";
import type { RestorePoint, ScheduledJob } from "../../backup/rotation/types";
import { PROJECT_DIR, startRenderedLab, type RenderedLab } from "../../test/lab/bacula/rendered-lab";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { requireTool } from "../../test/support/require-tool";
import { snapshotTree, writeFile, writePhotoTree, type TreeState } from "../../test/lab/bacula/tree";
import { backupInventoryFromPlan, withHosts, type BackupInventory } from "./inventory";
import { parseLlistJobs, type CatalogJob } from "./bconsole";
import { directorServiceCommand } from "./director";
import { makeBackupRestore } from "./backup-restore";
import { makeBackupVerify } from "./backup-verify";

// backup-restore and backup-verify for real: the runbooks' own commands (bconsole lines through the rendered
// bconsole.conf's named console with its ACLs, the catalog read with sqlite3 -readonly, find | sha256sum) run by
// bash on this machine against the lab stack's rendered Bacula files on real 9.6.7 daemons (test/lab/bacula:
// director with a SQLite catalog, storage daemon, the s3-fd file daemon with TLS and PKI encryption, all on
// 127.0.0.1). The inventory is backupInventoryFromPlan of the lab's plan (paths below the lab root), its hosts
// all this machine. Stand-ins: SSH (a local transport) and systemd (`systemctl is-active bacula-director.service`
// is answered by the test: the director runs "on" the first backup VM). The plan's restore points are the
// catalog's own jobs here: the lab runs its jobs by hand (schedules off), not from the rotation (the plan's
// choice is proven in plan-restore-points.test.ts).
const PHOTOS_JOB = "Backup-Photos";

class LocalTransport implements HostTransport {
  constructor(private readonly inventory: BackupInventory) {}
  async connect(): Promise<void> {
    await Promise.resolve();
  }
  async close(): Promise<void> {
    await Promise.resolve();
  }
  async pipe(): Promise<{ from: CommandResult; to: CommandResult }> {
    return Promise.reject(new Error("the backup runbooks stream nothing"));
  }
  exec(host: EngineHost, command: string): Promise<CommandResult> {
    if (command === directorServiceCommand(this.inventory)) {
      const active = host.name === this.inventory.backupHosts[0].name;
      return Promise.resolve(active ? { code: 0, stdout: "active\n", stderr: "" } : { code: 3, stdout: "inactive\n", stderr: "" });
    }
    return new Promise((resolve, reject) => {
      const child = spawn("bash", ["-c", command], { env: { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}`, TZ: "UTC" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => { stdout += d.toString("utf8"); });
      child.stderr.on("data", (d: Buffer) => { stderr += d.toString("utf8"); });
      const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 255, stdout, stderr });
      });
    });
  }
}

/** The lab plan's inventory, every host this machine, the photos job only (the one file daemon started). */
function labInventory(lab: RenderedLab): BackupInventory {
  const local = { address: "127.0.0.1", ssh: { port: 22, user: "root", sudo: false } };
  const planned = backupInventoryFromPlan("lab", lab.plan, loadStackFile(stackFilePath(PROJECT_DIR, "lab")).model, "root", lab.paths);
  return withHosts({
    stack: planned.stack, director: planned.director, restoreRoot: planned.restoreRoot,
    backupHosts: planned.backupHosts.map((h) => ({ ...h, ...local })),
    clients: planned.clients.filter((c) => c.name === "s3-fd").map((c) => ({ ...c, host: { ...c.host, ...local } })),
    jobs: planned.jobs.filter((j) => j.name === PHOTOS_JOB),
  });
}

/** The lab's jobs as restore points: each one ends the chain of the Full and the jobs after it. */
function catalogPoints(jobs: readonly CatalogJob[]): RestorePoint[] {
  const level = (l: string): ScheduledJob["level"] => (l === "F" ? "Full" : l === "D" ? "Differential" : "Incremental");
  const scheduled = jobs.filter((j) => j.type === "B" && j.status === "T").map((j): ScheduledJob => ({ at: j.schedTime, level: level(j.level), pool: j.pool ?? "" }));
  return scheduled.map((s, i) => ({ ...s, chain: scheduled.slice(0, i + 1) }));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("backup-restore and backup-verify on the Bacula lab (real daemons, loopback)", () => {
  let lab: RenderedLab;
  let inventory: BackupInventory;
  let audit: string;
  const states: TreeState[] = [];
  let points: RestorePoint[] = [];

  beforeAll(async () => {
    lab = await startRenderedLab(["s3-fd"]);
    inventory = labInventory(lab);
    expect(inventory.jobs[0].include).toEqual([lab.photosDir]);
    audit = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-lab-audit-")), "audit.jsonl");
    const photos = lab.photosDir;
    writePhotoTree(photos, { small: 20, large: 2, largeMiB: [1, 2], seed: "runbook-lab" });
    states.push(snapshotTree(photos));
    const full = await lab.admin.runJob(`run job=${PHOTOS_JOB} level=Full yes`);
    expect(full.jobStatus, lab.logs()).toBe("T");
    await sleep(1100);
    // Changes: one file rewritten, one added, one deleted (Accurate = yes records the deletion).
    writeFile(photos, "albums/00/thumb-0000.jpg", Buffer.from("rewritten after the full\n"));
    writeFile(photos, "albums/new/added.jpg", Buffer.from("added after the full\n"));
    fs.rmSync(path.join(photos, "albums/01/thumb-0001.jpg"));
    states.push(snapshotTree(photos));
    const inc = await lab.admin.runJob(`run job=${PHOTOS_JOB} level=Incremental yes`);
    expect(inc.jobStatus, lab.logs()).toBe("T");
    points = catalogPoints(parseLlistJobs(await lab.admin.run(`llist jobname=${PHOTOS_JOB}`), "lab"));
    expect(points.map((p) => p.level)).toEqual(["Full", "Incremental"]);
  }, 240_000);

  afterAll(async () => {
    await lab?.stop();
    if (audit) fs.rmSync(path.dirname(audit), { recursive: true, force: true });
  });

  const run = async (runbook: ReturnType<typeof makeBackupRestore>, options: Record<string, string>): Promise<{ outcome: Awaited<ReturnType<typeof runRunbook>>; lines: string[] }> => {
    const lines: string[] = [];
    const outcome = await runRunbook({
      runbook, inventory, transport: new LocalTransport(inventory), options, dryRun: false, yes: true,
      audit: new AuditLog(audit), operator: "tester", commandLine: `ibac runbook ${runbook.name} --stack lab`, say: (l) => lines.push(l),
    });
    return { outcome, lines };
  };
  const restore = makeBackupRestore({ keptRestorePoints: () => points, pollMs: 200, timeoutMs: 120_000 });

  it("the state at the full (between the two jobs): the tree as it was, byte for byte, every SHA256 checked", async () => {
    const at = new Date(points[0].at.getTime() + 500).toISOString();
    const to = path.join(lab.root, "restored-at-full");
    const { outcome, lines } = await run(restore, { path: lab.photosDir, at, to });
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("completed");
    expect(snapshotTree(`${to}${lab.photosDir}`)).toEqual(states[0]);
    expect(Number(outcome.report.sha256Checked)).toBe(states[0].size);
  }, 180_000);

  it("the state now (full + incremental): the rewrite, the addition and the deletion all there", async () => {
    const to = path.join(lab.root, "restored-now");
    const { outcome, lines } = await run(restore, { path: lab.photosDir, at: new Date().toISOString(), to });
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("completed");
    expect(snapshotTree(`${to}${lab.photosDir}`)).toEqual(states[1]);
    expect(outcome.report.jobs.split(",")).toHaveLength(2);
  }, 180_000);

  it("one file, to the default place below the restore root", async () => {
    const file = `${lab.photosDir}/albums/00/thumb-0000.jpg`;
    const { outcome, lines } = await run(restore, { path: file, at: new Date().toISOString() });
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("completed");
    const [, where] = outcome.report.restoredTo.split(":");
    expect(fs.readFileSync(`${where}${file}`, "utf8")).toBe("rewritten after the full\n");
    expect(outcome.report.sha256Checked).toBe("1");
  }, 180_000);

  it("the target not empty: refused before Bacula is asked to restore", async () => {
    const to = path.join(lab.root, "restored-now");
    const { outcome } = await run(restore, { path: lab.photosDir, at: new Date().toISOString(), to });
    expect(outcome).toMatchObject({ status: "refused", reason: `${"s3-fd"}: ${to} exists and is not an empty directory: restore into a new place (--to)` });
  }, 60_000);

  it("backup-verify: Bacula's VolumeToCatalog verify of the last backup ends T", async () => {
    const { outcome, lines } = await run(makeBackupVerify({ pollMs: 200, timeoutMs: 120_000 }), {});
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("completed");
    expect(outcome.report.verified).toMatch(new RegExp(`^${PHOTOS_JOB}:\\d+=T$`));
  }, 180_000);

  it("backup-verify: a catalog digest that no longer matches the volume: Bacula's differences printed, exit 6", async () => {
    const last = points.at(-1);
    const jobs = parseLlistJobs(await lab.admin.run(`llist jobname=${PHOTOS_JOB}`), "lab").filter((j) => j.type === "B");
    const lastId = jobs.find((j) => j.schedTime.getTime() === last?.at.getTime())?.jobId;
    // The digest of the file the incremental saved, replaced in the catalog (as a tampered or damaged catalog would).
    const sql = `UPDATE File SET MD5 = '${"A".repeat(43)}' WHERE JobId = ${String(lastId)} AND FileIndex > 0 AND MD5 != '0' AND FilenameId IN (SELECT FilenameId FROM Filename WHERE Name = 'added.jpg')`;
    const update = spawnSync(requireTool("sqlite3", "sqlite3"), [lab.plan.director.catalogFile, sql], { encoding: "utf8" });
    expect(update.status, update.stderr).toBe(0);
    const { outcome, lines } = await run(makeBackupVerify({ pollMs: 200, timeoutMs: 120_000 }), {});
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("down");
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ {6}ibac-dir JobId \d+: File: \/.*\/albums\/new\/added\.jpg$/),
      expect.stringMatching(new RegExp(`^ {6}ibac-dir JobId \\d+: +SHA256 digest differs\\. File=\\S+ Cat=${"A".repeat(43)}$`)),
      expect.stringMatching(new RegExp(`^ {4}DOWN: ${PHOTOS_JOB}: backup job ${String(lastId)} differs from the catalog \\(verify job \\d+: D, 2 line\\(s\\) of differences\\)$`)),
    ]));
    expect(outcome.report.verified).toBe(`${PHOTOS_JOB}:${String(lastId)}=D`);
  }, 180_000);

  it("a job of the chain gone from the catalog (deleted): refused, naming it, before any restore", async () => {
    const jobs = parseLlistJobs(await lab.admin.run(`llist jobname=${PHOTOS_JOB}`), "lab").filter((j) => j.type === "B");
    const full = jobs.find((j) => j.schedTime.getTime() === points[0].at.getTime());
    await lab.admin.run(`delete jobid=${String(full?.jobId)} yes`);
    const restoresBefore = (await lab.admin.run(`llist jobname=${lab.plan.restoreJob}`)).split("JobId:").length;
    const { outcome } = await run(restore, { path: lab.photosDir, at: new Date().toISOString(), to: path.join(lab.root, "never") });
    expect(outcome.status).toBe("refused");
    expect(outcome.reason).toBe(`the catalog lacks the chain of the restore point ${points[1].at.toISOString()} of ${PHOTOS_JOB}: no Full in ${points[0].pool} scheduled at ${points[0].at.toISOString()} terminated normally. Nothing was restored; see \`list jobname=${PHOTOS_JOB}\` in bconsole`);
    expect((await lab.admin.run(`llist jobname=${lab.plan.restoreJob}`)).split("JobId:").length).toBe(restoresBefore);
    expect(fs.existsSync(path.join(lab.root, "never"))).toBe(false);
  }, 60_000);
});
