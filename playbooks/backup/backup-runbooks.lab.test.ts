import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRunbook } from "../engine/run-runbook";
import { AuditLog } from "../engine/audit-log";
import type { CommandResult, EngineHost, HostTransport } from "../engine/types";
import type { RestorePoint, ScheduledJob } from "../../backup/rotation/types";
import { HAND_CONFIGS, startBaculaLab, type BaculaLab } from "../../test/lab/bacula/bacula-lab";
import { LAB_NAMES } from "../../test/lab/bacula/hand-configs";
import { requireTool } from "../../test/support/require-tool";
import { snapshotTree, writeFile, writePhotoTree, type TreeState } from "../../test/lab/bacula/tree";
import { withHosts, type BackupInventory } from "./inventory";
import { parseLlistJobs, type CatalogJob } from "./bconsole";
import { directorServiceCommand } from "./director";
import { makeBackupRestore } from "./backup-restore";
import { makeBackupVerify } from "./backup-verify";

// backup-restore and backup-verify for real: the runbooks' own commands (bconsole lines, the catalog query,
// find | sha256sum) run by bash on this machine against h14-lab's Bacula 9.6.7 lab (director with a SQLite
// catalog, storage daemon, file daemons with TLS and PKI encryption, all on 127.0.0.1). Stand-ins: SSH (a
// local transport: every host is this machine) and systemd (`systemctl is-active bacula-director.service` is
// answered from the lab director's process). The plan's restore points are the catalog's own jobs here: the lab
// runs its jobs by hand, not from the rotation's schedule (the plan's choice is proven in plan-restore-points).
const VERIFY_JOB = "verify-photos";

class LocalTransport implements HostTransport {
  constructor(private readonly lab: BaculaLab) {}
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
    if (command === directorServiceCommand(inventory(this.lab))) {
      // The director runs "on" backup-1; backup-2 is the unpromoted VM.
      return Promise.resolve(host.name === "backup-1" ? { code: 0, stdout: "active\n", stderr: "" } : { code: 3, stdout: "inactive\n", stderr: "" });
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

function inventory(lab: BaculaLab): BackupInventory {
  const local = (name: string): { name: string; address: string; ssh: { port: number; user: string; sudo: boolean } } => ({ name, address: "127.0.0.1", ssh: { port: 22, user: "root", sudo: false } });
  return withHosts({
    stack: "lab",
    director: { service: "bacula-director.service", bconsoleConfig: lab.layout.console.conf, restoreJob: LAB_NAMES.restoreJob, verifyJob: VERIFY_JOB },
    restoreRoot: path.join(lab.layout.root, "runbook-restores"),
    backupHosts: [local("backup-1"), local("backup-2")],
    clients: [{ name: LAB_NAMES.photosClient, host: local(LAB_NAMES.photosClient) }],
    jobs: [{ name: LAB_NAMES.photosJob, client: LAB_NAMES.photosClient, fileSet: LAB_NAMES.photosFileSet, include: [lab.layout.photosDir] }],
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
  let lab: BaculaLab;
  let audit: string;
  const states: TreeState[] = [];
  let points: RestorePoint[] = [];

  beforeAll(async () => {
    lab = await startBaculaLab({
      configs: {
        ...HAND_CONFIGS,
        // The lab's director plus the Verify job the toolkit's director also defines (VolumeToCatalog).
        director: (l) => `${HAND_CONFIGS.director(l)}Job {\n  Name = "${VERIFY_JOB}"\n  Type = Verify\n  Level = VolumeToCatalog\n  Client = "${LAB_NAMES.photosClient}"\n  FileSet = "${LAB_NAMES.photosFileSet}"\n  Pool = "${LAB_NAMES.photosPool}"\n  Messages = Standard\n}\n`,
      },
    });
    audit = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-lab-audit-")), "audit.jsonl");
    const photos = lab.layout.photosDir;
    writePhotoTree(photos, { small: 20, large: 2, largeMiB: [1, 2], seed: "runbook-lab" });
    states.push(snapshotTree(photos));
    const full = await lab.bconsole.runJob(`run job=${LAB_NAMES.photosJob} level=Full yes`);
    expect(full.jobStatus, lab.logs()).toBe("T");
    await sleep(1100);
    // Changes: one file rewritten, one added, one deleted (Accurate = yes records the deletion).
    writeFile(photos, "albums/00/thumb-0000.jpg", Buffer.from("rewritten after the full\n"));
    writeFile(photos, "albums/new/added.jpg", Buffer.from("added after the full\n"));
    fs.rmSync(path.join(photos, "albums/01/thumb-0001.jpg"));
    states.push(snapshotTree(photos));
    const inc = await lab.bconsole.runJob(`run job=${LAB_NAMES.photosJob} level=Incremental yes`);
    expect(inc.jobStatus, lab.logs()).toBe("T");
    points = catalogPoints(parseLlistJobs(await lab.bconsole.run(`llist jobname=${LAB_NAMES.photosJob}`), "lab"));
    expect(points.map((p) => p.level)).toEqual(["Full", "Incremental"]);
  }, 240_000);

  afterAll(async () => {
    await lab?.stop();
    if (audit) fs.rmSync(path.dirname(audit), { recursive: true, force: true });
  });

  const run = async (runbook: ReturnType<typeof makeBackupRestore>, options: Record<string, string>): Promise<{ outcome: Awaited<ReturnType<typeof runRunbook>>; lines: string[] }> => {
    const lines: string[] = [];
    const outcome = await runRunbook({
      runbook, inventory: inventory(lab), transport: new LocalTransport(lab), options, dryRun: false, yes: true,
      audit: new AuditLog(audit), operator: "tester", commandLine: `ibac runbook ${runbook.name} --stack lab`, say: (l) => lines.push(l),
    });
    return { outcome, lines };
  };
  const restore = makeBackupRestore({ keptRestorePoints: () => points, pollMs: 200, timeoutMs: 120_000 });

  it("the state at the full (between the two jobs): the tree as it was, byte for byte, every SHA256 checked", async () => {
    const at = new Date(points[0].at.getTime() + 500).toISOString();
    const to = path.join(lab.layout.root, "restored-at-full");
    const { outcome, lines } = await run(restore, { path: lab.layout.photosDir, at, to });
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("completed");
    expect(snapshotTree(`${to}${lab.layout.photosDir}`)).toEqual(states[0]);
    expect(Number(outcome.report.sha256Checked)).toBe(states[0].size);
  }, 180_000);

  it("the state now (full + incremental): the rewrite, the addition and the deletion all there", async () => {
    const to = path.join(lab.layout.root, "restored-now");
    const { outcome, lines } = await run(restore, { path: lab.layout.photosDir, at: new Date().toISOString(), to });
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("completed");
    expect(snapshotTree(`${to}${lab.layout.photosDir}`)).toEqual(states[1]);
    expect(outcome.report.jobs.split(",")).toHaveLength(2);
  }, 180_000);

  it("one file, to the default place below the restore root", async () => {
    const file = `${lab.layout.photosDir}/albums/00/thumb-0000.jpg`;
    const { outcome, lines } = await run(restore, { path: file, at: new Date().toISOString() });
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("completed");
    const [, where] = outcome.report.restoredTo.split(":");
    expect(fs.readFileSync(`${where}${file}`, "utf8")).toBe("rewritten after the full\n");
    expect(outcome.report.sha256Checked).toBe("1");
  }, 180_000);

  it("the target not empty: refused before Bacula is asked to restore", async () => {
    const to = path.join(lab.layout.root, "restored-now");
    const { outcome } = await run(restore, { path: lab.layout.photosDir, at: new Date().toISOString(), to });
    expect(outcome).toMatchObject({ status: "refused", reason: `${LAB_NAMES.photosClient}: ${to} exists and is not an empty directory: restore into a new place (--to)` });
  }, 60_000);

  it("backup-verify: Bacula's VolumeToCatalog verify of the last backup ends T", async () => {
    const { outcome, lines } = await run(makeBackupVerify({ pollMs: 200, timeoutMs: 120_000 }), {});
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("completed");
    expect(outcome.report.verified).toMatch(new RegExp(`^${LAB_NAMES.photosJob}:\\d+=T$`));
  }, 180_000);

  it("backup-verify: a catalog digest that no longer matches the volume: Bacula's differences printed, exit 6", async () => {
    const last = points.at(-1);
    const jobs = parseLlistJobs(await lab.bconsole.run(`llist jobname=${LAB_NAMES.photosJob}`), "lab").filter((j) => j.type === "B");
    const lastId = jobs.find((j) => j.schedTime.getTime() === last?.at.getTime())?.jobId;
    // The digest of the file the incremental saved, replaced in the catalog (as a tampered or damaged catalog would).
    const sql = `UPDATE File SET MD5 = '${"A".repeat(43)}' WHERE JobId = ${String(lastId)} AND FileIndex > 0 AND MD5 != '0' AND FilenameId IN (SELECT FilenameId FROM Filename WHERE Name = 'added.jpg')`;
    const update = spawnSync(requireTool("sqlite3", "sqlite3"), [lab.layout.director.catalogFile, sql], { encoding: "utf8" });
    expect(update.status, update.stderr).toBe(0);
    const { outcome, lines } = await run(makeBackupVerify({ pollMs: 200, timeoutMs: 120_000 }), {});
    expect(outcome.status, `${lines.join("\n")}\n${lab.logs()}`).toBe("down");
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ {6}backup-dir JobId \d+: File: \/.*\/albums\/new\/added\.jpg$/),
      expect.stringMatching(new RegExp(`^ {6}backup-dir JobId \\d+: +SHA256 digest differs\\. File=\\S+ Cat=${"A".repeat(43)}$`)),
      expect.stringMatching(new RegExp(`^ {4}DOWN: ${LAB_NAMES.photosJob}: backup job ${String(lastId)} differs from the catalog \\(verify job \\d+: D, 2 line\\(s\\) of differences\\)$`)),
    ]));
    expect(outcome.report.verified).toBe(`${LAB_NAMES.photosJob}:${String(lastId)}=D`);
  }, 180_000);

  it("a job of the chain gone from the catalog (deleted): refused, naming it, before any restore", async () => {
    const jobs = parseLlistJobs(await lab.bconsole.run(`llist jobname=${LAB_NAMES.photosJob}`), "lab").filter((j) => j.type === "B");
    const full = jobs.find((j) => j.schedTime.getTime() === points[0].at.getTime());
    await lab.bconsole.run(`delete jobid=${String(full?.jobId)} yes`);
    const restoresBefore = (await lab.bconsole.run("llist jobname=restore")).split("JobId:").length;
    const { outcome } = await run(restore, { path: lab.layout.photosDir, at: new Date().toISOString(), to: path.join(lab.layout.root, "never") });
    expect(outcome.status).toBe("refused");
    expect(outcome.reason).toBe(`the catalog lacks the chain of the restore point ${points[1].at.toISOString()} of ${LAB_NAMES.photosJob}: no Full in ${LAB_NAMES.photosPool} scheduled at ${points[0].at.toISOString()} terminated normally. Nothing was restored; see \`list jobname=${LAB_NAMES.photosJob}\` in bconsole`);
    expect((await lab.bconsole.run("llist jobname=restore")).split("JobId:").length).toBe(restoresBefore);
    expect(fs.existsSync(path.join(lab.layout.root, "never"))).toBe(false);
  }, 60_000);
});
