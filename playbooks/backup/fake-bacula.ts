// Test support: a recording transport that answers the backup runbooks' commands as the backup VMs, the
// director (bconsole, in the formats of samples/, which the real 9.6 director printed) and a client would,
// and changes state as a restore or a verify job would. It proves the runbooks' logic and the commands they
// send; Bacula carrying them out is not proven by it.
import * as crypto from "node:crypto";
import { RunbookInputError } from "../engine/errors";
import type { CommandResult, EngineHost, HostTransport } from "../engine/types";
import type { RestorePoint } from "../../backup/rotation/types";
import { bconsoleLinesOf } from "./bconsole";
import { withHosts, type BackupInventory } from "./inventory";
import { targetStateCommand } from "./backup-restore";

export const backupInventory: BackupInventory = withHosts({
  stack: "lab",
  director: { service: "bacula-director.service", bconsoleConfig: "/etc/bacula/bconsole.conf", catalogFile: "/srv/bacula/director/bacula.db", restoreJob: "RestoreFiles", verifyJob: "VerifyVolume" },
  restoreRoot: "/srv/bacula-restore",
  backupHosts: [
    { name: "backup-1", address: "10.30.0.31", ssh: { port: 22, user: "root", sudo: false } },
    { name: "backup-2", address: "10.30.0.32", ssh: { port: 22, user: "root", sudo: false } },
  ],
  clients: [
    { name: "s3-fd", host: { name: "s3-fd", address: "10.30.0.12", ssh: { port: 22, user: "root", sudo: false } } },
    { name: "db-1-fd", host: { name: "db-1-fd", address: "10.30.0.41", ssh: { port: 22, user: "root", sudo: false } } },
  ],
  jobs: [
    { name: "Photos", client: "s3-fd", fileSet: "Photos", include: ["/srv/minio/export"] },
    { name: "Database-db-1", client: "db-1-fd", fileSet: "Database", include: ["/var/backups/mariadb"] },
  ],
});

const at = (iso: string): Date => new Date(iso);
const F = { at: at("2026-11-01T00:05:00Z"), level: "Full", pool: "Photos-Full" } as const;
const D = { at: at("2026-11-29T00:05:00Z"), level: "Differential", pool: "Photos-D1" } as const;
const I1 = { at: at("2026-11-30T01:05:00Z"), level: "Incremental", pool: "Photos-I" } as const;
const I2 = { at: at("2026-11-30T02:05:00Z"), level: "Incremental", pool: "Photos-I" } as const;

/** The plan's restore points of the photos at NOW (what the rotation simulator answers). */
export const NOW = at("2026-11-30T03:00:00Z");
export const PHOTO_POINTS: RestorePoint[] = [
  { ...F, chain: [F] },
  { ...D, chain: [F, D] },
  { ...I1, chain: [F, D, I1] },
  { ...I2, chain: [F, D, I1, I2] },
];
export const keptRestorePoints = (jobName: string): readonly RestorePoint[] => (jobName === "Photos" ? PHOTO_POINTS : []);

export interface FakeJob {
  jobId: number;
  name: string;
  type: string;
  level: string;
  client: string;
  status: string;
  schedTime: string;
  jobFiles: number;
  jobErrors: number;
  pool: string;
  /** llist's answers while it runs before it ends with `status`. */
  runningPolls?: number;
}

export interface FakeFile {
  path: string;
  name: string;
  jobId: number;
  fileIndex: number;
  content?: string;
}

const DIR = "/srv/minio/export/photos/2026/";

export function photoCatalog(): { jobs: FakeJob[]; files: FakeFile[] } {
  const job = (jobId: number, s: { at: Date; level: string; pool: string }): FakeJob => ({
    jobId, name: "Photos", type: "B", level: s.level[0], client: "s3-fd", status: "T", schedTime: s.at.toISOString().replace("T", " ").replace(/\.\d+Z$/, ""), jobFiles: 3, jobErrors: 0, pool: s.pool,
  });
  return {
    jobs: [job(11, F), job(12, D), job(13, I1), job(14, I2), { ...job(21, F), name: "Database-db-1", client: "db-1-fd", pool: "Database" }],
    files: [
      { path: DIR, name: "", jobId: 11, fileIndex: 1 },
      { path: DIR, name: "a.jpg", jobId: 11, fileIndex: 2, content: "a, first version" },
      { path: DIR, name: "b.jpg", jobId: 11, fileIndex: 3, content: "b" },
      { path: DIR, name: "a.jpg", jobId: 12, fileIndex: 1, content: "a, second version" },
      { path: DIR, name: "c.jpg", jobId: 13, fileIndex: 1, content: "c" },
      // Deleted in job 14: Accurate mode records it with FileIndex -2 (as the 9.6 lab catalog showed).
      { path: DIR, name: "b.jpg", jobId: 14, fileIndex: -2 },
    ],
  };
}

/** Bacula's digest of a content: base64 of the SHA256, standard alphabet, no padding. */
export function baculaDigest(content: string): string {
  return crypto.createHash("sha256").update(content).digest("base64").replace(/=+$/, "");
}

function llistBlock(j: FakeJob, status: string): string {
  const rows: [string, string | number][] = [
    ["JobId", j.jobId], ["Job", `${j.name}.${j.schedTime.replace(" ", "_").replace(/:/g, ".")}_0${j.jobId % 10}`], ["Name", j.name], ["PurgedFiles", 0], ["Type", j.type], ["Level", j.level],
    ["ClientId", 1], ["ClientName", j.client], ["JobStatus", status], ["SchedTime", j.schedTime], ["StartTime", j.schedTime], ["EndTime", j.schedTime], ["RealEndTime", j.schedTime],
    ["JobTDate", 1796000000], ["VolSessionId", 0], ["VolSessionTime", 0], ["JobFiles", j.jobFiles], ["JobBytes", 1000], ["ReadBytes", 0], ["JobErrors", j.jobErrors],
    ["JobMissingFiles", 0], ["PoolId", 1], ["PoolName", j.pool], ["PriorJobId", 0], ["FileSetId", 1], ["FileSet", "Photos"], ["HasBase", 0], ["HasCache", 0], ["Comment", "NULL"],
  ];
  return `${rows.map(([k, v]) => `${k.padStart(16)}: ${v}`).join("\n")}\n\n`;
}

const hexText = (hex: string): string => Buffer.from(hex, "hex").toString("utf8");

export class FakeBacula implements HostTransport {
  readonly ran: { host: string; command: string }[] = [];
  readonly bconsoleLines: string[] = [];
  /** Where bacula-director.service is active. */
  directorOn: string[] = ["backup-1"];
  /** bconsole gets no greeting (the director is down or refuses the console). */
  directorAnswers = true;
  unreachable = new Set<string>();
  /** Files on each client, by absolute path. */
  readonly clientFiles = new Map<string, Map<string, string>>();
  /** Directories that exist (and hold something) on the clients. */
  readonly usedDirs = new Set<string>();
  /** The status a verify of a backup job ends with, and the differences it logs. */
  verifyOutcome = new Map<number, { status: string; log: string[] }>();
  /** Applied to each restored file's content (a corruption on the way back). */
  corrupt?: (path: string, content: string) => string;
  restoreStatus = "T";
  private nextJobId = 100;

  constructor(readonly catalog: { jobs: FakeJob[]; files: FakeFile[] } = photoCatalog()) {}

  async connect(host: EngineHost): Promise<void> {
    if (this.unreachable.has(host.name)) throw new RunbookInputError(`${host.name} (root@${host.address}:22): unreachable (ECONNREFUSED)`);
    await Promise.resolve();
  }

  async close(): Promise<void> {
    await Promise.resolve();
  }

  async pipe(): Promise<{ from: CommandResult; to: CommandResult }> {
    return Promise.reject(new Error("the backup runbooks stream nothing"));
  }

  async exec(host: EngineHost, command: string): Promise<CommandResult> {
    await this.connect(host);
    this.ran.push({ host: host.name, command });
    const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: "" });
    if (command === `systemctl is-active ${backupInventory.director.service}`) {
      const active = this.directorOn.includes(host.name);
      return { code: active ? 0 : 3, stdout: active ? "active\n" : "inactive\n", stderr: "" };
    }
    const lines = bconsoleLinesOf(command);
    if (lines !== undefined) {
      if (!this.directorOn.includes(host.name)) throw new Error(`bconsole on ${host.name}, where the director does not run`);
      this.bconsoleLines.push(lines.join("\n"));
      if (!this.directorAnswers) return { code: 1, stdout: "Connecting to Director 10.30.0.30:9101\n", stderr: "Director authorization problem.\n" };
      return ok(`Connecting to Director 10.30.0.30:9101\n1000 OK: 103 ibac-dir Version: 9.6.7 (10 December 2020)\nEnter a period to cancel a command.\n${lines[0]}\n${this.director(lines)}`);
    }
    if (command.startsWith(`sqlite3 -readonly -json ${backupInventory.director.catalogFile} `)) {
      if (!this.directorOn.includes(host.name)) return { code: 1, stdout: "", stderr: "Error: unable to open database file\n" };
      return ok(this.sql(command));
    }
    const files = this.clientFiles.get(host.name) ?? new Map<string, string>();
    const target = /^if \[ -L '?([^' ]+)'? \]/.exec(command);
    if (target && command === targetStateCommand(target[1])) {
      const dir = target[1];
      const has = this.usedDirs.has(dir) || [...files.keys()].some((f) => f.startsWith(`${dir}/`));
      return ok(has ? "used\n" : "absent\n");
    }
    const find = /^find '?([^' ]+)'? -type f/.exec(command);
    if (find) {
      const root = find[1];
      const under = [...files.entries()].filter(([f]) => f === root || f.startsWith(`${root}/`));
      if (under.length === 0) return { code: 1, stdout: "", stderr: `find: '${root}': No such file or directory\n` };
      return ok(under.map(([f, c]) => `${crypto.createHash("sha256").update(c).digest("hex")}  ${f}\u0000`).join(""));
    }
    throw new Error(`unexpected command on ${host.name}: ${command}`);
  }

  /** The restore and verify jobs this fake director ran. */
  readonly started: FakeJob[] = [];

  private director(lines: readonly string[]): string {
    const line = lines[0];
    // The file selection mode of a directory restore: cd to the parent, mark the directory, done, yes.
    const tree = /^restore client=(\S+) restorejob=(\S+) jobid=([\d,]+) where="([^"]+)" replace=never$/.exec(line);
    if (tree) {
      const cd = /^cd "([^"]+)"$/.exec(lines[1] ?? "");
      const mark = /^mark "([^"]+)"$/.exec(lines[2] ?? "");
      if (!cd || !mark || lines[3] !== "done" || lines[4] !== "yes" || lines.length !== 5) return "unexpected file selection dialogue\n";
      return this.restore(tree[1], tree[3].split(",").map(Number), false, `${cd[1]}${mark[1]}/`, tree[4]);
    }
    if (line === "version") return "ibac-dir Version: 9.6.7 (10 December 2020) x86_64-pc-linux-gnu debian bookworm/sid\n";
    const byName = /^llist jobname=(\S+)$/.exec(line);
    if (byName) return `Using Catalog "MyCatalog"\n${this.catalog.jobs.filter((j) => j.name === byName[1]).map((j) => llistBlock(j, j.status)).join("")}`;
    const byId = /^llist jobid=(\d+)$/.exec(line);
    if (byId) {
      const j = [...this.catalog.jobs, ...this.started].find((x) => x.jobId === Number(byId[1]));
      if (!j) return "No results to list.\n";
      if ((j.runningPolls ?? 0) > 0) {
        j.runningPolls = (j.runningPolls ?? 0) - 1;
        return llistBlock(j, "R");
      }
      return llistBlock(j, j.status);
    }
    const restore = /^restore client=(\S+) restorejob=(\S+) jobid=([\d,]+) file="([^"]+)" where="([^"]+)" replace=never yes$/.exec(line);
    if (restore && lines.length === 1) return this.restore(restore[1], restore[3].split(",").map(Number), true, restore[4], restore[5]);
    const verify = /^run job=VerifyVolume jobid=(\d+) level=VolumeToCatalog client=(\S+) fileset=(\S+) yes$/.exec(line);
    if (verify) {
      const outcome = this.verifyOutcome.get(Number(verify[1])) ?? { status: "T", log: [] };
      const jobId = this.nextJobId++;
      this.started.push({ jobId, name: "VerifyVolume", type: "V", level: "O", client: verify[2], status: outcome.status, schedTime: "2026-11-30 03:00:00", jobFiles: 3, jobErrors: outcome.status === "T" ? 0 : 1, pool: "NULL", runningPolls: 1 });
      return `Using Catalog "MyCatalog"\nJob queued. JobId=${jobId}\n`;
    }
    const joblog = /^list joblog jobid=(\d+)$/.exec(line);
    if (joblog) {
      const v = this.started.find((j) => j.jobId === Number(joblog[1]));
      const backup = [...this.verifyOutcome.entries()].find(([, o]) => o.status === v?.status)?.[1].log ?? [];
      // The cell format of 9.6's `list joblog` (samples/joblog-verify-differences.txt): `| message` up to `\   |`.
      const bar = `+${"-".repeat(100)}+`;
      const cells = [...backup, `ibac-dir JobId ${joblog[1]}: Bacula ibac-dir 9.6.7 (10Dec20):\n  JobId:                  ${joblog[1]}\n  Termination:            Verify Differences\n`, `ibac-dir JobId ${joblog[1]}: Begin pruning Jobs older than 6 months 20 days .`];
      return `${bar}\n| LogText${" ".repeat(93)}|\n${bar}\n${cells.map((l) => `| ${l}\n\\       |\n`).join("")}${bar}\n`;
    }
    return `${line.split(" ")[0]}: is an invalid command.\n`;
  }

  private versions(jobIds: readonly number[]): FakeFile[] {
    return this.catalog.files.filter((f) => jobIds.includes(f.jobId));
  }

  /** sqlite3 -json's answer to fileVersionsSql (nothing at all when no row matches). */
  private sql(command: string): string {
    const ids = /IN \(([\d,]+)\)/.exec(command)?.[1].split(",").map(Number) ?? [];
    // The SQL arrives single-quoted for the shell: each ' of it as '\''.
    const [dir, base, below] = [...command.matchAll(/X'\\''([0-9A-F]*)'\\''/g)].map((m) => hexText(m[1]));
    const rows = this.versions(ids).filter((f) => (f.path === dir && f.name === base) || f.path.startsWith(below));
    const hex = (s: string): string => Buffer.from(s, "utf8").toString("hex").toUpperCase();
    if (rows.length === 0) return "";
    return `[${rows.map((f) => `{"path":"${hex(f.path)}","name":"${hex(f.name)}","fileIndex":${f.fileIndex},"jobId":${f.jobId},"digest":"${f.content !== undefined ? baculaDigest(f.content) : "0"}"}`).join(",\n")}]\n`;
  }

  private restore(client: string, jobIds: number[], isFile: boolean, what: string, where: string): string {
    const newest = new Map<string, FakeFile>();
    for (const f of this.versions(jobIds)) {
      const full = `${f.path}${f.name}`;
      const hit = isFile ? full === what : f.path.startsWith(what);
      if (hit) newest.set(full, f);
    }
    const restored = [...newest.entries()].filter(([, f]) => f.fileIndex > 0);
    const jobId = this.nextJobId++;
    this.started.push({ jobId, name: "RestoreFiles", type: "R", level: "F", client, status: this.restoreStatus, schedTime: "2026-11-30 03:00:00", jobFiles: restored.length, jobErrors: this.restoreStatus === "T" ? 0 : 1, pool: "NULL", runningPolls: 2 });
    const files = this.clientFiles.get(client) ?? new Map<string, string>();
    this.clientFiles.set(client, files);
    for (const [full, f] of restored) {
      if (f.content === undefined) continue;
      const path = `${where}${full}`;
      files.set(path, this.corrupt ? this.corrupt(path, f.content) : f.content);
    }
    return `Using Catalog "MyCatalog"\nBootstrap records written to /srv/bacula/director/ibac-dir.restore.1.bsr\n\n${restored.length} file${restored.length === 1 ? "" : "s"} selected to be restored.\n\nUsing Catalog "MyCatalog"\nJob queued. JobId=${jobId}\n`;
  }
}

