import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { planDatabase, type DatabaseServer, type DatabaseTopology } from "../../components/database/topology";
import { PRODUCTION_DATABASE_PATHS, type DatabasePaths } from "../../components/database/paths";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import {
  BACKUP_MANIFEST,
  BACKUP_SCRIPT_PATH,
  BACKUP_UNITS,
  BINLOG_CAPTURE_SCRIPT_PATH,
  databaseBackupLayout,
  onCalendarEveryHours,
  renderDatabaseBackupFiles,
  type PlainRenderedFile,
} from "./render-backup-units";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function stack(name: string): { topology: DatabaseTopology; servers: DatabaseServer[] } {
  const { spec, model } = loadStackFile(stackFilePath(PROJECT_DIR, name), `stacks/Pulumi.${name}.yaml`);
  const topology = planDatabase(model, spec);
  return { topology, servers: [topology.primary, ...topology.replicas] };
}

const PROD = stack("prod");
const PROD_REPLICA = PROD.topology.replicas[0];
const STACKS = fs
  .readdirSync(path.join(PROJECT_DIR, "stacks"))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes rendered files under `root` at their paths in the VM, with their modes. */
function writeUnder(root: string, files: PlainRenderedFile[]): void {
  for (const file of files) {
    const target = path.join(root, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content, { mode: parseInt(file.mode, 8) });
    fs.chmodSync(target, parseInt(file.mode, 8));
  }
}

function fileAt(files: PlainRenderedFile[], filePath: string): PlainRenderedFile {
  const file = files.find((f) => f.path === filePath);
  if (!file) throw new Error(`no rendered file ${filePath}; rendered: ${files.map((f) => f.path).join(", ")}`);
  return file;
}

function unitFile(files: PlainRenderedFile[], unit: string): PlainRenderedFile {
  return fileAt(files, `/etc/systemd/system/${unit}`);
}

/** Every value of `key=` in a unit's text. */
function directives(unitText: string, key: string): string[] {
  return unitText
    .split("\n")
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

function expectOk(result: ToolResult): void {
  expect(result.status, describeRun(result)).toBe(0);
}

describe("renderDatabaseBackupFiles", () => {
  const files = renderDatabaseBackupFiles(PROD_REPLICA, PROD.topology, PRODUCTION_DATABASE_PATHS);

  it("renders the two scripts and the seven units with their modes", () => {
    expect(files.map((f) => [f.path, f.mode, f.owner])).toEqual([
      [BACKUP_SCRIPT_PATH, "0755", "root:root"],
      [BINLOG_CAPTURE_SCRIPT_PATH, "0755", "root:root"],
      ...[
        BACKUP_UNITS.fullService,
        BACKUP_UNITS.fullTimer,
        BACKUP_UNITS.incrementalService,
        BACKUP_UNITS.incrementalTimer,
        BACKUP_UNITS.pruneService,
        BACKUP_UNITS.pruneTimer,
        BACKUP_UNITS.binlogCaptureService,
      ].map((u) => [`/etc/systemd/system/${u}`, "0644", "root:root"]),
    ]);
  });

  it("enables the timers and the capture only from the last file, after every other file", () => {
    const last = files[files.length - 1];
    expect(last.afterChange).toBe(
      "systemctl daemon-reload && systemctl enable --now ibac-db-backup-full.timer ibac-db-backup-incremental.timer ibac-db-backup-prune.timer" +
        " && systemctl enable ibac-binlog-capture.service && systemctl restart ibac-binlog-capture.service",
    );
    for (const file of files.slice(0, -1)) expect(file.afterChange ?? "").not.toContain("enable");
  });

  it("holds no credentials: the scripts read the option files the database tier writes", () => {
    for (const file of files) expect(file.content).not.toMatch(/password/i);
    expect(fileAt(files, BACKUP_SCRIPT_PATH).content).toContain(`readonly BACKUP_CNF='${PRODUCTION_DATABASE_PATHS.backupCnf}'`);
    expect(fileAt(files, BINLOG_CAPTURE_SCRIPT_PATH).content).toContain(`readonly BINLOG_CNF='${PRODUCTION_DATABASE_PATHS.binlogCnf}'`);
  });

  it("keeps each server's backups in its own directory on the backup volume", () => {
    expect(databaseBackupLayout(PROD_REPLICA, PRODUCTION_DATABASE_PATHS)).toEqual({
      root: "/srv/backup/mariadb/db-2",
      full: "/srv/backup/mariadb/db-2/full",
      incremental: "/srv/backup/mariadb/db-2/inc",
      binlog: "/srv/backup/mariadb/db-2/binlog",
      lock: "/srv/backup/mariadb/db-2/.lock",
    });
  });

  it("sandboxes every service to writing the backup volume only", () => {
    for (const unit of [BACKUP_UNITS.fullService, BACKUP_UNITS.incrementalService, BACKUP_UNITS.pruneService, BACKUP_UNITS.binlogCaptureService]) {
      const text = unitFile(files, unit).content;
      expect(directives(text, "ProtectSystem"), unit).toEqual(["strict"]);
      expect(directives(text, "ReadWritePaths"), unit).toEqual([PRODUCTION_DATABASE_PATHS.backupDir]);
      expect(directives(text, "PrivateTmp"), unit).toEqual(["yes"]);
      expect(directives(text, "NoNewPrivileges"), unit).toEqual(["yes"]);
    }
    expect(directives(unitFile(files, BACKUP_UNITS.fullService).content, "IOSchedulingClass")).toEqual(["idle"]);
    const capture = unitFile(files, BACKUP_UNITS.binlogCaptureService).content;
    expect(directives(capture, "Type")).toEqual(["simple"]);
    expect(directives(capture, "Restart")).toEqual(["always"]);
    expect(directives(capture, "RestartSec")).toEqual(["5"]);
    expect(directives(capture, "After")).toEqual(["mariadb.service"]);
    expect(directives(capture, "Wants")).toEqual(["mariadb.service"]);
    expect(directives(capture, "WantedBy")).toEqual(["multi-user.target"]);
  });

  it("rejects a path that the scripts or the units would have to escape", () => {
    expect(() => renderDatabaseBackupFiles(PROD_REPLICA, PROD.topology, { ...PRODUCTION_DATABASE_PATHS, backupDir: "/srv/my backups" })).toThrow(/paths.backupDir/);
    expect(() => renderDatabaseBackupFiles(PROD_REPLICA, PROD.topology, { ...PRODUCTION_DATABASE_PATHS, backupCnf: "/etc/mysql/%i.cnf" })).toThrow(/paths.backupCnf/);
  });
});

describe("the rendered files, checked by the real programs", () => {
  const cases = STACKS.flatMap((name) => {
    const { topology, servers } = stack(name);
    return servers.map((server) => ({ name: `${name}/${server.name}`, files: renderDatabaseBackupFiles(server, topology, PRODUCTION_DATABASE_PATHS) }));
  });

  it.each(cases)("systemd-analyze verify accepts every unit of $name", ({ files }) => {
    const analyze = requireTool("systemd-analyze", "systemd");
    // A temporary root that mirrors the VM: verify resolves ExecStart= under --root, so it checks that
    // the scripts the units run exist and are executable without touching /usr/local/sbin.
    const root = tempDir("ibac-units-");
    writeUnder(root, files);
    const units = files.filter((f) => f.path.startsWith("/etc/systemd/system/")).map((f) => path.join(root, f.path));
    const result = runTool(analyze, ["verify", "--recursive-errors=no", "--man=no", `--root=${root}`, ...units]);
    expectOk(result);
    // Unknown keys and bad values are only warnings for verify's exit status.
    expect(result.stdout + result.stderr, describeRun(result)).toBe("");
  });

  it.each(cases)("bash -n and shellcheck accept the scripts of $name", ({ files }) => {
    const bash = requireTool("bash", "bash");
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const root = tempDir("ibac-scripts-");
    writeUnder(root, files);
    for (const script of [BACKUP_SCRIPT_PATH, BINLOG_CAPTURE_SCRIPT_PATH]) {
      expectOk(runTool(bash, ["-n", path.join(root, script)]));
      expectOk(runTool(shellcheck, ["--shell=bash", "--severity=style", path.join(root, script)]));
    }
  });
});

/** The elapses `systemd-analyze calendar` computes after `base`, in UTC, and its normalized form. */
function calendar(expression: string, iterations: number, base: string): { normalized: string; elapses: number[] } {
  const analyze = requireTool("systemd-analyze", "systemd");
  const result = runTool(analyze, ["calendar", `--iterations=${iterations}`, `--base-time=${base}`, expression], { env: { ...process.env, TZ: "UTC" } });
  expectOk(result);
  const normalized = /Normalized form: (.+)/.exec(result.stdout)?.[1] ?? "";
  const elapses = [...result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g)].map((m) =>
    Date.parse(`${m[1]}T${m[2]}Z`),
  );
  expect(elapses, result.stdout).toHaveLength(iterations);
  return { normalized, elapses };
}

function gapsInHours(elapses: number[]): number[] {
  return elapses.slice(1).map((t, i) => (t - elapses[i]) / HOUR_MS);
}

describe("timer schedules", () => {
  const files = renderDatabaseBackupFiles(PROD_REPLICA, PROD.topology, PRODUCTION_DATABASE_PATHS);
  const onCalendar = (unit: string): string => {
    const values = directives(unitFile(files, unit).content, "OnCalendar");
    expect(values).toHaveLength(1);
    return values[0];
  };

  it("prod: full every 12 h, incremental every hour at half past, prune daily", () => {
    expect(PROD.topology.backup).toMatchObject({ fullEveryHours: 12, incrementalEveryHours: 1 });
    const base = "2026-03-01 00:00:00 UTC";
    const full = calendar(onCalendar(BACKUP_UNITS.fullTimer), 3, base);
    expect(gapsInHours(full.elapses)).toEqual([12, 12]);
    expect(new Date(full.elapses[0]).toISOString()).toBe("2026-03-01T12:00:00.000Z");
    const incremental = calendar(onCalendar(BACKUP_UNITS.incrementalTimer), 3, base);
    expect(gapsInHours(incremental.elapses)).toEqual([1, 1]);
    // Half an hour after the full: the two never start together.
    expect(new Date(incremental.elapses[0]).toISOString()).toBe("2026-03-01T00:30:00.000Z");
    expect(gapsInHours(calendar(onCalendar(BACKUP_UNITS.pruneTimer), 3, base).elapses)).toEqual([24, 24]);
  });

  it("every number of hours the spec allows gives a valid expression, never spaced wider than asked", () => {
    const expressions = new Map<string, number[]>();
    for (let hours = 1; hours <= 168; hours++) {
      const expression = onCalendarEveryHours(hours, 30);
      expressions.set(expression, [...(expressions.get(expression) ?? []), hours]);
    }
    for (const [expression, hoursList] of expressions) {
      // 70 days from mid-January cross February and two 31-day months: every month-end case.
      const { normalized, elapses } = calendar(expression, hoursList[0] < 24 ? Math.ceil(72 / hoursList[0]) + 1 : 40, "2026-01-15 00:00:00 UTC");
      expect(normalized).toBe(expression);
      const widest = Math.max(...gapsInHours(elapses));
      for (const hours of hoursList) {
        expect(widest, `${expression} for ${hours} h`).toBeLessThanOrEqual(hours);
        // Exact where the calendar allows it.
        if (24 % hours === 0 || hours === 168) expect(widest, `${expression} for ${hours} h`).toBe(hours);
      }
    }
  });

  it("an interval that does not divide the day restarts at midnight, with a shorter last gap", () => {
    const { elapses } = calendar(onCalendarEveryHours(5), 6, "2026-03-01 00:00:00 UTC");
    expect(gapsInHours(elapses)).toEqual([5, 5, 5, 4, 5]);
    expect(onCalendarEveryHours(5)).toBe("*-*-* 00/5:00:00 UTC");
    expect(onCalendarEveryHours(36)).toBe("*-*-* 00:00:00 UTC");
    expect(onCalendarEveryHours(48, 15)).toBe("*-*-01/2 00:15:00 UTC");
    expect(onCalendarEveryHours(168)).toBe("Mon *-*-* 00:00:00 UTC");
  });

  it("rejects what no timer can mean", () => {
    expect(() => onCalendarEveryHours(0)).toThrow(RangeError);
    expect(() => onCalendarEveryHours(169)).toThrow(RangeError);
    expect(() => onCalendarEveryHours(1.5)).toThrow(RangeError);
    expect(() => onCalendarEveryHours(12, 60)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------------
// A real run: a throwaway mariadbd (read-only, as a replica), the rendered scripts run in a sandbox built
// from their unit's hardening, mariabackup and mariadb-binlog doing the work.
// ---------------------------------------------------------------------------------------------------------

interface Tools {
  mariadbd: string;
  installDb: string;
  mariadb: string;
  mariabackup: string;
  mariadbBinlog: string;
  unshare: string;
  setpriv: string;
}

function realTools(): Tools {
  requireTool("flock", "util-linux");
  return {
    mariadbd: requireTool("mariadbd", "mariadb-server"),
    installDb: requireTool("mariadb-install-db", "mariadb-server"),
    mariadb: requireTool("mariadb", "mariadb-client"),
    mariabackup: requireTool("mariabackup", "mariadb-backup"),
    mariadbBinlog: requireTool("mariadb-binlog", "mariadb-client"),
    unshare: requireTool("unshare", "util-linux"),
    setpriv: requireTool("setpriv", "util-linux"),
  };
}

function idOf(flag: "-u" | "-g", user: string): number {
  const result = runTool("/usr/bin/id", [flag, user]);
  if (result.status !== 0) throw new Error(`no "${user}" account (it comes with mariadb-server): ${describeRun(result)}`);
  return Number(result.stdout.trim());
}

function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else fs.chownSync(child, uid, gid);
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * ProtectSystem=strict + ReadWritePaths, PrivateNetwork, NoNewPrivileges and CapabilityBoundingSet of a
 * rendered unit, rebuilt with unshare and setpriv (systemd is not PID 1 here, so it cannot run the unit):
 * a script that needs more than its unit allows fails here as it would in the VM. `probe` is a path
 * outside ReadWritePaths that must not be writable, to prove the sandbox is real.
 */
function sandboxCommand(tools: Tools, unitText: string, probe: string, command: string[]): string[] {
  expect(directives(unitText, "ProtectSystem")).toEqual(["strict"]);
  expect(directives(unitText, "PrivateNetwork")).toEqual(["yes"]);
  expect(directives(unitText, "NoNewPrivileges")).toEqual(["yes"]);
  const readWrite = directives(unitText, "ReadWritePaths").flatMap((v) => v.split(" "));
  const capabilities = directives(unitText, "CapabilityBoundingSet")
    .flatMap((v) => v.split(" "))
    .filter(Boolean)
    .map((c) => `+${c.replace(/^CAP_/, "").toLowerCase()}`);
  const setup = `set -euo pipefail
probe=$1; shift
rw=()
while [[ $1 != -- ]]; do rw+=("$1"); shift; done
shift
for dir in "\${rw[@]}"; do mount --bind "$dir" "$dir"; done
while read -r _ mountpoint _; do
  case $mountpoint in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
  for dir in "\${rw[@]}"; do [[ $mountpoint == "$dir" ]] && continue 2; done
  mount -o remount,bind,ro "$mountpoint" 2>/dev/null || true
done </proc/self/mounts
if touch "$probe" 2>/dev/null; then echo "sandbox: $probe is writable" >&2; exit 99; fi
exec "$@"`;
  return [
    tools.unshare,
    "--mount",
    "--net",
    "--propagation",
    "private",
    "/bin/bash",
    "-c",
    setup,
    "sandbox",
    probe,
    ...readWrite,
    "--",
    tools.setpriv,
    "--no-new-privs",
    "--inh-caps=-all",
    `--bounding-set=${["-all", ...capabilities].join(",")}`,
    "--",
    ...command,
  ];
}

describe("a real run against a throwaway mariadbd", () => {
  let tools: Tools;
  let work = "";
  let vmRoot = "";
  let paths: DatabasePaths;
  let files: PlainRenderedFile[] = [];
  let server: ChildProcess | undefined;
  let capture: ChildProcess | undefined;
  let mysqlUid = 0;
  let mysqlGid = 0;
  const backupUser = { user: "ibac_backup", password: crypto.randomBytes(12).toString("hex"), privileges: "RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SLAVE MONITOR" };
  const binlogUser = { user: "ibac_binlog", password: crypto.randomBytes(12).toString("hex"), privileges: "REPLICATION SLAVE" };
  const layout = (): ReturnType<typeof databaseBackupLayout> => databaseBackupLayout(PROD_REPLICA, paths);

  function sql(statement: string, socket = paths.socket): string {
    const result = runTool(tools.mariadb, ["--no-defaults", `--socket=${socket}`, "--user=root", "--batch", "--skip-column-names", "-e", statement]);
    expectOk(result);
    return result.stdout.trim();
  }

  async function startServer(): Promise<void> {
    const log = fs.openSync(path.join(work, "mariadbd.out"), "a");
    server = spawn(
      tools.mariadbd,
      [
        "--no-defaults",
        `--datadir=${paths.datadir}`,
        `--socket=${paths.socket}`,
        `--pid-file=${paths.pidFile}`,
        "--skip-networking",
        `--log-bin=${paths.binlogDir}/mariadb-bin`,
        `--log-bin-index=${paths.binlogDir}/mariadb-bin.index`,
        `--server-id=${PROD_REPLICA.serverId}`,
        "--binlog-format=ROW",
        "--log-slave-updates",
        "--gtid-strict-mode=ON",
        // What makes the backup script believe it is on a replica.
        "--read-only=ON",
        "--user=mysql",
        "--innodb-buffer-pool-size=32M",
        `--log-error=${path.join(work, "mariadbd.err")}`,
      ],
      { detached: true, stdio: ["ignore", log, log] },
    );
    fs.closeSync(log);
    const started = server;
    await waitFor("mariadbd to accept connections", () => {
      if (started.exitCode !== null) throw new Error(`mariadbd exited: ${fs.readFileSync(path.join(work, "mariadbd.err"), "utf8")}`);
      return runTool(tools.mariadb, ["--no-defaults", `--socket=${paths.socket}`, "--user=root", "-e", "SELECT 1"]).status === 0;
    });
  }

  async function stopServer(): Promise<void> {
    const running = server;
    server = undefined;
    if (!running?.pid || running.exitCode !== null) return;
    process.kill(running.pid, "SIGTERM");
    await exited(running);
  }

  /** Runs a rendered script in the sandbox of the unit that runs it in the VM. */
  function runRendered(script: string, args: string[], unit: string): ToolResult {
    const command = sandboxCommand(tools, unitFile(files, unit).content, path.join(work, "sandbox-probe"), [path.join(vmRoot, script), ...args]);
    return runTool(command[0], command.slice(1), { timeout: 50_000 });
  }

  function manifest(dir: string): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(path.join(dir, BACKUP_MANIFEST), "utf8")) as Record<string, unknown>;
  }

  function finished(dir: string): string[] {
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^\d{8}T\d{6}Z$/.test(n)).sort() : [];
  }

  function insertReadings(count: number): void {
    sql(`INSERT INTO ibac.readings (promille) VALUES ${Array.from({ length: count }, (_, i) => `(${i / 10})`).join(", ")}`);
  }

  beforeAll(async () => {
    tools = realTools();
    mysqlUid = idOf("-u", "mysql");
    mysqlGid = idOf("-g", "mysql");
    work = tempDir("ibac-dbbackup-");
    // mariadbd runs as mysql, as in the VM: it must reach its directories through the temporary one.
    fs.chmodSync(work, 0o755);
    vmRoot = path.join(work, "vm");
    paths = {
      ...PRODUCTION_DATABASE_PATHS,
      datadir: path.join(work, "data"),
      socket: path.join(work, "run", "mysqld.sock"),
      pidFile: path.join(work, "run", "mysqld.pid"),
      binlogDir: path.join(work, "binlog"),
      backupCnf: path.join(work, "etc", "ibac-backup.cnf"),
      binlogCnf: path.join(work, "etc", "ibac-binlog.cnf"),
      backupDir: path.join(work, "backup"),
    };
    for (const dir of [paths.datadir, path.dirname(paths.socket), paths.binlogDir]) {
      fs.mkdirSync(dir, { recursive: true });
      fs.chownSync(dir, mysqlUid, mysqlGid);
    }
    fs.chmodSync(paths.datadir, 0o700);
    fs.mkdirSync(path.dirname(paths.backupCnf), { recursive: true, mode: 0o700 });
    fs.mkdirSync(paths.backupDir, { mode: 0o700 });

    const install = runTool(tools.installDb, ["--no-defaults", `--datadir=${paths.datadir}`, "--user=mysql", "--skip-test-db"], { timeout: 60_000 });
    expectOk(install);
    chownTree(paths.datadir, mysqlUid, mysqlGid);
    await startServer();

    // The accounts with exactly the privileges the database tier grants them (components/database/users.ts).
    for (const account of [backupUser, binlogUser]) {
      sql(`CREATE USER '${account.user}'@'localhost' IDENTIFIED BY '${account.password}'; GRANT ${account.privileges} ON *.* TO '${account.user}'@'localhost'`);
      const cnf = account === backupUser ? paths.backupCnf : paths.binlogCnf;
      fs.writeFileSync(cnf, `[client]\nuser = ${account.user}\npassword = ${account.password}\nsocket = ${paths.socket}\n`, { mode: 0o600 });
    }
    sql("CREATE DATABASE ibac; CREATE TABLE ibac.readings (id INT AUTO_INCREMENT PRIMARY KEY, promille DECIMAL(4,2) NOT NULL) ENGINE=InnoDB");
    insertReadings(3);

    files = renderDatabaseBackupFiles(PROD_REPLICA, PROD.topology, paths);
    writeUnder(vmRoot, files);
  });

  afterAll(async () => {
    const running = capture;
    capture = undefined;
    if (running?.pid && running.exitCode === null) {
      process.kill(-running.pid, "SIGTERM");
      await exited(running);
    }
    await stopServer();
  });

  it("grants the accounts exactly the privileges the database tier gives them", () => {
    expect(sql(`SHOW GRANTS FOR '${backupUser.user}'@'localhost'`)).toContain(`GRANT ${backupUser.privileges} ON *.*`);
    expect(sql(`SHOW GRANTS FOR '${binlogUser.user}'@'localhost'`)).toContain(`GRANT ${binlogUser.privileges} ON *.*`);
  });

  const gtidAt: Record<string, string> = {};

  it("takes a full backup and then a chain of incrementals, each with its manifest", () => {
    gtidAt.full = sql("SELECT @@gtid_binlog_pos");
    const full = runRendered(BACKUP_SCRIPT_PATH, ["full"], BACKUP_UNITS.fullService);
    expectOk(full);
    insertReadings(2);
    gtidAt.inc1 = sql("SELECT @@gtid_binlog_pos");
    expectOk(runRendered(BACKUP_SCRIPT_PATH, ["incremental"], BACKUP_UNITS.incrementalService));
    insertReadings(2);
    gtidAt.inc2 = sql("SELECT @@gtid_binlog_pos");
    expectOk(runRendered(BACKUP_SCRIPT_PATH, ["incremental"], BACKUP_UNITS.incrementalService));

    const fulls = finished(layout().full);
    const incs = finished(layout().incremental);
    expect(fulls).toHaveLength(1);
    expect(incs).toHaveLength(2);
    // Nothing half-done is left beside them.
    expect(fs.readdirSync(layout().full).concat(fs.readdirSync(layout().incremental)).filter((n) => n.includes("partial"))).toEqual([]);

    const fullManifest = manifest(path.join(layout().full, fulls[0]));
    expect(fullManifest).toMatchObject({ format: 1, kind: "full", server: PROD_REPLICA.name, gtid: gtidAt.full, base: null, binlogFile: "mariadb-bin.000001" });
    expect(fullManifest.started).toBe(`${fulls[0].slice(0, 4)}-${fulls[0].slice(4, 6)}-${fulls[0].slice(6, 8)}T${fulls[0].slice(9, 11)}:${fulls[0].slice(11, 13)}:${fulls[0].slice(13, 15)}Z`);
    expect(Date.parse(String(fullManifest.finished))).toBeGreaterThanOrEqual(Date.parse(String(fullManifest.started)));
    expect(manifest(path.join(layout().incremental, incs[0]))).toMatchObject({ kind: "incremental", gtid: gtidAt.inc1, base: `full/${fulls[0]}` });
    expect(manifest(path.join(layout().incremental, incs[1]))).toMatchObject({ kind: "incremental", gtid: gtidAt.inc2, base: `inc/${incs[0]}` });
    expect(fs.existsSync(path.join(layout().full, fulls[0], "mariabackup.log"))).toBe(true);
  });

  it("the chain is restorable: prepare the full, apply the incrementals, start a server on it", async () => {
    const fulls = finished(layout().full);
    const incs = finished(layout().incremental);
    expect(fulls.length, "needs the backups of the previous test").toBe(1);
    // --prepare rewrites the backup in place: work on copies, as a restore does.
    const restore = path.join(work, "restore");
    fs.cpSync(path.join(layout().full, fulls[0]), path.join(restore, "full"), { recursive: true });
    for (const inc of incs) fs.cpSync(path.join(layout().incremental, inc), path.join(restore, inc), { recursive: true });
    const target = path.join(restore, "full");
    expectOk(runTool(tools.mariabackup, ["--prepare", `--target-dir=${target}`]));
    for (const inc of incs) expectOk(runTool(tools.mariabackup, ["--prepare", `--target-dir=${target}`, `--incremental-dir=${path.join(restore, inc)}`]));

    const socket = path.join(work, "restore.sock");
    const restored = spawn(
      tools.mariadbd,
      ["--no-defaults", `--datadir=${target}`, `--socket=${socket}`, "--skip-networking", "--user=root", "--innodb-buffer-pool-size=32M", `--log-error=${path.join(work, "restore.err")}`],
      { detached: true, stdio: "ignore" },
    );
    try {
      await waitFor("the restored mariadbd", () => {
        if (restored.exitCode !== null) throw new Error(`restored mariadbd exited: ${fs.readFileSync(path.join(work, "restore.err"), "utf8")}`);
        return runTool(tools.mariadb, ["--no-defaults", `--socket=${socket}`, "--user=root", "-e", "SELECT 1"]).status === 0;
      });
      // 3 rows before the full, 2 before each incremental.
      expect(sql("SELECT COUNT(*) FROM ibac.readings", socket)).toBe("7");
    } finally {
      if (restored.pid && restored.exitCode === null) process.kill(restored.pid, "SIGTERM");
      await exited(restored);
    }
  });

  it("does nothing on the primary (read_only=OFF), so backups follow the replica role", () => {
    sql("SET GLOBAL read_only = OFF");
    try {
      const before = finished(layout().full);
      for (const [job, unit] of [
        ["full", BACKUP_UNITS.fullService],
        ["incremental", BACKUP_UNITS.incrementalService],
      ] as const) {
        const result = runRendered(BACKUP_SCRIPT_PATH, [job], unit);
        expectOk(result);
        expect(result.stdout).toContain("this server is the primary; backups run on the replica");
      }
      expect(finished(layout().full)).toEqual(before);
    } finally {
      sql("SET GLOBAL read_only = ON");
    }
  });

  it("an incremental skips while another job holds the lock; a crashed run's .partial is never a base", async () => {
    const flock = requireTool("flock", "util-linux");
    const stale = path.join(layout().incremental, "29991231T235959Z.partial");
    fs.mkdirSync(stale);
    const incsBefore = finished(layout().incremental);
    // Hold the lock as a running full would.
    const holder = spawn(flock, [layout().lock, "sleep", "30"], { detached: true, stdio: "ignore" });
    try {
      await waitFor("the lock to be held", () => runTool(flock, ["-n", layout().lock, "true"]).status === 1);
      const result = runRendered(BACKUP_SCRIPT_PATH, ["incremental"], BACKUP_UNITS.incrementalService);
      expectOk(result);
      expect(result.stdout).toContain(`another backup job of ${PROD_REPLICA.name} is running: skipping this one`);
    } finally {
      if (holder.pid) process.kill(-holder.pid, "SIGTERM");
      await exited(holder);
    }
    expect(finished(layout().incremental)).toEqual(incsBefore);
    const next = runRendered(BACKUP_SCRIPT_PATH, ["incremental"], BACKUP_UNITS.incrementalService);
    expectOk(next);
    expect(next.stderr).toContain("29991231T235959Z.partial, left by an interrupted run");
    expect(fs.existsSync(stale)).toBe(false);
    const incs = finished(layout().incremental);
    expect(incs).toHaveLength(incsBefore.length + 1);
    expect(manifest(path.join(layout().incremental, incs[incs.length - 1]))).toMatchObject({ base: `inc/${incsBefore[incsBefore.length - 1]}` });
  });

  it("an incremental with no chain to extend, or only a stale one, takes a full backup instead", () => {
    // Servers of their own on the same mariadbd: a new replica, and one that was the primary for days.
    for (const [name, oldFull] of [
      ["db-new", undefined],
      ["db-was-primary", "20200101T000000Z"],
    ] as const) {
      const other: DatabaseServer = { ...PROD_REPLICA, name };
      const otherFiles = renderDatabaseBackupFiles(other, PROD.topology, paths);
      const otherRoot = path.join(work, `vm-${name}`);
      writeUnder(otherRoot, otherFiles);
      const otherLayout = databaseBackupLayout(other, paths);
      if (oldFull) {
        fs.mkdirSync(path.join(otherLayout.full, oldFull), { recursive: true });
        fs.writeFileSync(path.join(otherLayout.full, oldFull, BACKUP_MANIFEST), "{}\n");
      }
      const command = sandboxCommand(tools, unitFile(otherFiles, BACKUP_UNITS.incrementalService).content, path.join(work, "sandbox-probe"), [
        path.join(otherRoot, BACKUP_SCRIPT_PATH),
        "incremental",
      ]);
      const result = runTool(command[0], command.slice(1), { timeout: 50_000 });
      expectOk(result);
      expect(result.stderr, name).toMatch(oldFull ? /older than 24 h: taking a full backup instead/ : /no full backup of db-new yet: taking a full backup instead/);
      const fulls = finished(otherLayout.full).filter((f) => f !== oldFull);
      expect(fulls, name).toHaveLength(1);
      expect(manifest(path.join(otherLayout.full, fulls[0])), name).toMatchObject({ kind: "full", base: null });
      expect(finished(otherLayout.incremental), name).toEqual([]);
    }
  });

  it("captures the binary logs continuously and resumes after a server restart", async () => {
    const capturedDir = layout().binlog;
    const captured = (name: string): number => {
      try {
        return fs.statSync(path.join(capturedDir, name)).size;
      } catch {
        return -1;
      }
    };
    const onServer = (name: string): number => fs.statSync(path.join(paths.binlogDir, name)).size;
    const masterStatus = (): { file: string; position: number } => {
      const [file, position] = sql("SHOW MASTER STATUS").split("\t");
      return { file, position: Number(position) };
    };
    const logFile = path.join(work, "capture.log");
    const out = fs.openSync(logFile, "a");
    const command = sandboxCommand(tools, unitFile(files, BACKUP_UNITS.binlogCaptureService).content, path.join(work, "sandbox-probe"), [
      path.join(vmRoot, BINLOG_CAPTURE_SCRIPT_PATH),
    ]);
    // Its own process group, so that stopping it stops mariadb-binlog too (as systemd's cgroup would).
    capture = spawn(command[0], command.slice(1), { detached: true, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    const captureLog = (): string => fs.readFileSync(logFile, "utf8");

    const first = masterStatus();
    expect(first.file).toBe("mariadb-bin.000001");
    await waitFor(`${first.file} captured up to ${first.position}`, () => captured(first.file) === first.position);
    expect(captureLog()).toContain("starting from the server's first binary log");

    insertReadings(5);
    const grown = masterStatus();
    expect(grown.position).toBeGreaterThan(first.position);
    await waitFor(`${grown.file} captured up to ${grown.position}`, () => captured(grown.file) === grown.position);

    // A restart closes mariadb-bin.000001 and opens mariadb-bin.000002; mariadb-binlog loses its connection.
    await stopServer();
    await startServer();
    const afterRestart = masterStatus();
    expect(afterRestart.file).toBe("mariadb-bin.000002");
    await waitFor("the capture to resume", () => captured(afterRestart.file) === afterRestart.position, 20_000);
    // The file it resumed from was rewritten whole, up to the server's own end of it.
    await waitFor(`${first.file} complete`, () => captured(first.file) === onServer(first.file));
    insertReadings(5);
    const latest = masterStatus();
    await waitFor(`${latest.file} captured up to ${latest.position}`, () => captured(latest.file) === latest.position);
    expect(captureLog()).toMatch(/mariadb-binlog exited with status \d+; resuming in 2 s/);
    expect(captureLog()).toContain(`resuming from ${first.file} (rewriting it whole)`);

    // What was captured is a binary log mariadb-binlog reads, with the rows written to the table.
    const decoded = runTool(tools.mariadbBinlog, ["--no-defaults", path.join(capturedDir, latest.file)]);
    expectOk(decoded);
    expect(decoded.stdout).toContain("Table_map: `ibac`.`readings`");

    const running = capture;
    capture = undefined;
    const pid = running.pid;
    if (!pid) throw new Error("the capture has no pid");
    process.kill(-pid, "SIGTERM");
    await exited(running);
    await waitFor("the capture's process group to end", () => {
      try {
        process.kill(-pid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });

  it("when the file to resume from is gone from the server, moves the capture aside and starts over", async () => {
    // Another server name, so that the capture has a directory of its own holding a file the server never had.
    const gapServer: DatabaseServer = { ...PROD_REPLICA, name: "db-gap" };
    const gapFiles = renderDatabaseBackupFiles(gapServer, PROD.topology, paths);
    const gapRoot = path.join(work, "vm-gap");
    writeUnder(gapRoot, gapFiles);
    const capturedDir = databaseBackupLayout(gapServer, paths).binlog;
    fs.mkdirSync(capturedDir, { recursive: true });
    fs.writeFileSync(path.join(capturedDir, "mariadb-bin.000042"), "captured before the server was reset");
    const logFile = path.join(work, "capture-gap.log");
    const out = fs.openSync(logFile, "a");
    const command = sandboxCommand(tools, unitFile(gapFiles, BACKUP_UNITS.binlogCaptureService).content, path.join(work, "sandbox-probe"), [
      path.join(gapRoot, BINLOG_CAPTURE_SCRIPT_PATH),
    ]);
    const gapCapture = spawn(command[0], command.slice(1), { detached: true, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    const pid = gapCapture.pid;
    if (!pid) throw new Error("the capture has no pid");
    try {
      const [file, position] = sql("SHOW MASTER STATUS").split("\t");
      await waitFor(`${file} captured after the gap`, () => {
        try {
          return fs.statSync(path.join(capturedDir, file)).size === Number(position);
        } catch {
          return false;
        }
      });
    } finally {
      process.kill(-pid, "SIGTERM");
      await exited(gapCapture);
    }
    const log = fs.readFileSync(logFile, "utf8");
    expect(log).toContain("resuming from mariadb-bin.000042");
    expect(log).toMatch(/GAP: mariadb-bin\.000042 is no longer on the server; moving the captured files to before-gap-\d{8}T\d{6}Z/);
    const aside = fs.readdirSync(capturedDir).filter((n) => n.startsWith("before-gap-"));
    expect(aside).toHaveLength(1);
    expect(fs.readdirSync(path.join(capturedDir, aside[0]))).toEqual(["mariadb-bin.000042"]);
    expect(fs.existsSync(path.join(capturedDir, "mariadb-bin.000001"))).toBe(true);
  });

  it("prune keeps the real chain and the capture when everything is within retention", () => {
    const fulls = finished(layout().full);
    const incs = finished(layout().incremental);
    const binlogs = fs.readdirSync(layout().binlog).filter((n) => !n.startsWith("."));
    const result = runRendered(BACKUP_SCRIPT_PATH, ["prune"], BACKUP_UNITS.pruneService);
    expectOk(result);
    expect(finished(layout().full)).toEqual(fulls);
    expect(finished(layout().incremental)).toEqual(incs);
    expect(fs.readdirSync(layout().binlog).filter((n) => !n.startsWith("."))).toEqual(binlogs);
  });
});

describe("prune, on backups made to look old", () => {
  let vmRoot = "";
  let paths: DatabasePaths;
  let tools: Tools;
  let work = "";

  const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");

  beforeAll(() => {
    tools = realTools();
    work = tempDir("ibac-prune-");
    vmRoot = path.join(work, "vm");
    paths = { ...PRODUCTION_DATABASE_PATHS, backupDir: path.join(work, "backup") };
    fs.mkdirSync(paths.backupDir);
  });

  /** Makes a server's backup directory from stamps and binary-log mtimes, runs prune, returns what is left. */
  function pruneAndList(
    name: string,
    backups: { full: number[]; inc: number[]; binlogs: Record<string, number> },
  ): { full: string[]; inc: string[]; binlogs: string[]; output: string } {
    const server: DatabaseServer = { ...PROD_REPLICA, name };
    const files = renderDatabaseBackupFiles(server, PROD.topology, paths);
    writeUnder(vmRoot, files);
    const layout = databaseBackupLayout(server, paths);
    for (const [dir, times] of [
      [layout.full, backups.full],
      [layout.incremental, backups.inc],
    ] as const) {
      for (const t of times) {
        fs.mkdirSync(path.join(dir, stamp(t)), { recursive: true });
        fs.writeFileSync(path.join(dir, stamp(t), BACKUP_MANIFEST), "{}\n");
      }
    }
    for (const [file, mtime] of Object.entries(backups.binlogs)) {
      fs.mkdirSync(path.dirname(path.join(layout.binlog, file)), { recursive: true });
      fs.writeFileSync(path.join(layout.binlog, file), "binlog");
      fs.utimesSync(path.join(layout.binlog, file), mtime / 1000, mtime / 1000);
    }
    const unit = unitFile(files, BACKUP_UNITS.pruneService).content;
    const command = sandboxCommand(tools, unit, path.join(work, "sandbox-probe"), [path.join(vmRoot, BACKUP_SCRIPT_PATH), "prune"]);
    const result = runTool(command[0], command.slice(1));
    expectOk(result);
    const list = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);
    const binlogs = fs.existsSync(layout.binlog) ? (fs.readdirSync(layout.binlog, { recursive: true }) as string[]).sort() : [];
    return { full: list(layout.full), inc: list(layout.incremental), binlogs, output: result.stdout + result.stderr };
  }

  it("drops what no restore within the retention needs, keeping the full that covers the window's start", () => {
    const now = Date.now();
    const retention = PROD.topology.backup.retentionDays * DAY_MS;
    const full = [now - 20 * DAY_MS, now - 15 * DAY_MS, now - 10 * DAY_MS, now - DAY_MS];
    const inc = [now - 20 * DAY_MS + HOUR_MS, now - 15 * DAY_MS + HOUR_MS, now - DAY_MS + HOUR_MS];
    const left = pruneAndList("db-aged", {
      full,
      inc,
      binlogs: {
        "mariadb-bin.000001": now - 19 * DAY_MS,
        "mariadb-bin.000002": now - 15 * DAY_MS - HOUR_MS,
        "mariadb-bin.000003": now - retention,
        "mariadb-bin.000004": now - 2 * HOUR_MS,
        "before-gap-20200101T000000Z/mariadb-bin.000009": now - 30 * DAY_MS,
      },
    });
    expect(left.full, left.output).toEqual(full.slice(1).map(stamp));
    expect(left.inc, left.output).toEqual(inc.slice(1).map(stamp));
    // Written before the kept full (15 days ago) started: not needed to roll it forward.
    expect(left.binlogs, left.output).toEqual(["mariadb-bin.000003", "mariadb-bin.000004"]);
  });

  it("never drops the newest chain, however old, nor the binary logs written since it", () => {
    const now = Date.now();
    const left = pruneAndList("db-stale", {
      full: [now - 100 * DAY_MS],
      inc: [now - 100 * DAY_MS + HOUR_MS],
      binlogs: { "mariadb-bin.000001": now - 101 * DAY_MS, "mariadb-bin.000002": now - 99 * DAY_MS, "mariadb-bin.000003": now - 98 * DAY_MS },
    });
    expect(left.full).toEqual([stamp(now - 100 * DAY_MS)]);
    expect(left.inc).toEqual([stamp(now - 100 * DAY_MS + HOUR_MS)]);
    expect(left.binlogs).toEqual(["mariadb-bin.000002", "mariadb-bin.000003"]);
  });

  it("on a server without backups (only ever the primary), keeps the capture for the retention time", () => {
    const now = Date.now();
    const left = pruneAndList("db-primary", {
      full: [],
      inc: [],
      binlogs: { "mariadb-bin.000001": now - 30 * DAY_MS, "mariadb-bin.000002": now - 3 * DAY_MS, "mariadb-bin.000003": now - 20 * DAY_MS },
    });
    // 000003 is old but the newest file: the capture is still writing it.
    expect(left.binlogs).toEqual(["mariadb-bin.000002", "mariadb-bin.000003"]);
  });
});
