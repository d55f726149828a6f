// The db-* runbooks run by the real CLI, over real SSH, against real MariaDB servers in the network-namespace
// lab (test/lab): no mocks anywhere on this path.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDatabaseLab, type DatabaseLab } from "../lab/database-lab";
import { CREATE_DRILL_TABLE, DRILL_TABLE, lostAcks, startWriters } from "../lab/concurrent-writers";
import { installBackupScripts, startBinlogCapture, type BackupScripts } from "../lab/backup-scripts";
import { withRestoredServer } from "../lab/restored-server";
import type { RunResult } from "../lab/run";
import type { AuditEntry } from "../../playbooks/engine/audit-log";
import { renderRoleCnf } from "../../components/database/render-my-cnf";

const BIN = path.resolve(__dirname, "../../bin/ibac.js");

describe("db-* runbooks over SSH against the real MariaDB lab", () => {
  let lab: DatabaseLab;
  let audit: string;
  let scripts: Map<string, BackupScripts>;

  /** `ibac runbook ...` from the control namespace, as an operator's machine would run it. */
  const ibac = (args: string[], inventoryFile = lab.inventoryFile): Promise<RunResult> =>
    lab.runInControl([process.execPath, BIN, "runbook", ...args, "--stack", "lab", "--inventory", inventoryFile,
      "--identity", lab.sshKeyFile, "--known-hosts", lab.knownHostsFile, "--audit-log", audit], { timeoutMs: 180_000 });

  /** One value from SQL run as the local administrator. */
  const q = async (host: string | DatabaseLab["hosts"][number], sql: string): Promise<string> => (await lab.sql(host, sql)).trim();

  const shown = (r: RunResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

  /**
   * What must not change when a runbook refuses or dry-runs: roles, replication, role files, the data. Not
   * the GTID position: the primary's heartbeat moves it every second.
   */
  const snapshot = async (): Promise<string> => {
    const parts: string[] = [];
    for (const h of lab.hosts) {
      // A stopped server (a failover's lost primary) is part of the state, not an error.
      const down = await q(h, "SELECT 1").then(() => false, () => true);
      if (down) {
        parts.push(`${h.name} down`);
      } else {
        const s = await lab.slaveStatus(h);
        parts.push(`${h.name} ro=${await q(h, "SELECT @@read_only")} events=${await q(h, "SELECT @@event_scheduler")} data=${await q(h, `CHECKSUM TABLE ${DRILL_TABLE}`)} io=${s.Slave_IO_Running ?? "-"} sql=${s.Slave_SQL_Running ?? "-"} master=${s.Master_Host ?? "-"}`);
      }
      parts.push(fs.readFileSync(h.paths.roleCnf, "utf8"));
    }
    return parts.join("\n");
  };

  /**
   * A resume (`--from-step from`) past a safety step, in a state where that step's check must refuse:
   * exit 3, the reason, which step refused, and nothing changed on any server.
   */
  const refusesResume = async (runbook: string[], from: number, refusedAt: number, why: string | RegExp): Promise<void> => {
    const before = await snapshot();
    const r = await ibac([...runbook, "--from-step", String(from), "--yes"]);
    expect(r.code, shown(r)).toBe(3);
    if (typeof why === "string") expect(r.stdout).toContain(why);
    else expect(r.stdout).toMatch(why);
    expect(r.stdout).toContain(`Nothing was changed. Resuming at step ${from} would skip step ${refusedAt}, whose check refuses`);
    expect(r.stdout).not.toContain(`[${from}/`);
    expect(await snapshot()).toBe(before);
  };

  /** Waits until db-2 has received (not necessarily applied) everything db-1 logged. */
  const received = async (): Promise<void> => {
    const pos = (await q("db-1", "SELECT @@gtid_binlog_pos")).split(",").find((g) => g.startsWith("0-")) ?? "";
    for (let i = 0; i < 100; i++) {
      if (((await lab.slaveStatus("db-2")).Gtid_IO_Pos ?? "").split(",").includes(pos)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`db-2 did not receive ${pos}`);
  };

  const primaryName = async (): Promise<string> => {
    for (const h of lab.hosts) if ((await q(h, "SELECT @@read_only").catch(() => "down")) === "0") return h.name;
    throw new Error("no primary");
  };

  const waitCaughtUp = async (): Promise<void> => {
    const primary = await primaryName();
    const pos = await q(primary, "SELECT @@gtid_binlog_pos");
    for (const h of lab.hosts.filter((x) => x.name !== primary)) {
      expect(await q(h, `SELECT MASTER_GTID_WAIT('${pos}', 30)`)).toBe("0");
    }
  };

  beforeAll(async () => {
    lab = await startDatabaseLab();
    audit = path.join(lab.root, "audit.jsonl");
    await lab.sql(lab.hosts[0], CREATE_DRILL_TABLE);
    scripts = new Map(lab.hosts.map((h) => [h.name, installBackupScripts(lab, h)]));
    await waitCaughtUp();
  }, 180_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it("rejects an unknown runbook and an unknown stack with exit code 2", async () => {
    const unknown = await ibac(["db-failovr"]);
    expect(unknown.code, shown(unknown)).toBe(2);
    expect(unknown.stderr).toContain('no runbook "db-failovr"; did you mean "db-failover"?');
    const stack = await lab.runInControl([process.execPath, BIN, "runbook", "db-failover", "--stack", "nosuch"]);
    expect(stack.code, shown(stack)).toBe(2);
    expect(stack.stderr).toContain("stacks/Pulumi.nosuch.yaml: no such stack");
  });

  it("stops with exit code 2 on wrong SSH credentials and on an unreachable host, changing nothing", async () => {
    const before = await snapshot();
    const wrongKey = path.join(lab.root, "wrong_key");
    await lab.runInControl(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", wrongKey]);
    const denied = await lab.runInControl([process.execPath, BIN, "runbook", "db-switchover", "--stack", "lab", "--inventory", lab.inventoryFile,
      "--identity", wrongKey, "--known-hosts", lab.knownHostsFile, "--audit-log", audit, "--yes"]);
    expect(denied.code, shown(denied)).toBe(2);
    expect(denied.stderr).toMatch(/db-1 \(root@[\d.]+:22\): SSH login refused: the key .*wrong_key is not accepted for user root/);

    const inventory = JSON.parse(fs.readFileSync(lab.inventoryFile, "utf8")) as { hosts: { address: string }[] };
    inventory.hosts[1].address = lab.controlAddress.replace(/\.\d+$/, ".249");
    const unreachableFile = path.join(lab.root, "unreachable.json");
    fs.writeFileSync(unreachableFile, JSON.stringify(inventory));
    const unreachable = await ibac(["db-switchover", "--yes"], unreachableFile);
    expect(unreachable.code, shown(unreachable)).toBe(2);
    expect(unreachable.stderr).toMatch(/db-2 \(root@[\d.]+\.249:22\): unreachable/);
    expect(unreachable.stderr).toContain("Nothing was changed.");
    expect(await snapshot()).toBe(before);
  });

  it("dry runs print every change with its host and change nothing", async () => {
    const before = await snapshot();
    for (const args of [["db-switchover"], ["db-rejoin", "--host", "db-2"], ["db-reclone", "--host", "db-2"]]) {
      const r = await ibac([...args, "--dry-run"]);
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`would run on db-[12] \\(${lab.hosts[0].address.replace(/\.\d+$/, "")}\\.\\d+\\): `));
    }
    const failover = await ibac(["db-failover", "--dry-run"]);
    expect(failover.code, shown(failover)).toBe(3);
    expect(failover.stdout).toContain("STOP: db-1 still answers");
    expect(await snapshot()).toBe(before);
    const entries = fs.readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.some((e) => e.result === "dry-run" && e.host === "db-1" && e.command === "SET GLOBAL read_only = ON".replace(/.*/, e.command ?? ""))).toBe(true);
  }, 120_000);

  it("db-failover refuses while the old primary still answers and changes nothing", async () => {
    const before = await snapshot();
    const r = await ibac(["db-failover", "--yes"]);
    expect(r.code, shown(r)).toBe(3);
    expect(r.stdout).toContain("db-1 still answers");
    expect(r.stdout).toContain("promoting now would leave two primaries");
    expect(await snapshot()).toBe(before);
  });

  it("db-switchover refuses when the replica lags more than the spec allows", async () => {
    const strict = JSON.parse(fs.readFileSync(lab.inventoryFile, "utf8")) as { maxLagSeconds: number };
    strict.maxLagSeconds = 1;
    const strictFile = path.join(lab.root, "strict.json");
    fs.writeFileSync(strictFile, JSON.stringify(strict));
    await lab.sql("db-2", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE");
    try {
      await lab.sql("db-1", `INSERT INTO ${DRILL_TABLE} (writer, n) VALUES (0, 1)`);
      let lag = 0;
      for (let i = 0; i < 50 && !(lag > 1); i++) {
        await new Promise((r) => setTimeout(r, 200));
        lag = Number((await lab.slaveStatus("db-2")).Seconds_Behind_Master);
      }
      expect(lag).toBeGreaterThan(1);
      const before = await snapshot();
      const r = await ibac(["db-switchover", "--yes"], strictFile);
      expect(r.code, shown(r)).toBe(3);
      expect(r.stdout).toMatch(/db-2 is \d+ s behind db-1; the stack allows at most 1 s/);
      expect(await snapshot()).toBe(before);
    } finally {
      await lab.sql("db-2", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE");
    }
    await waitCaughtUp();
  }, 60_000);

  describe("--from-step re-checks every earlier safety step: a resume past one in a state it refuses changes nothing", () => {
    it("db-switchover past step 1 (the replica replicates, within the lag): db-2's replication stopped", async () => {
      await lab.sql("db-2", "STOP SLAVE");
      try {
        await refusesResume(["db-switchover"], 2, 1, "db-2's replication is not running (IO: No, SQL: No");
      } finally {
        await lab.sql("db-2", "START SLAVE");
      }
      await waitCaughtUp();
    }, 60_000);

    it("db-switchover past step 2 (writes stopped): db-1 still writable", async () => {
      await refusesResume(["db-switchover"], 3, 2, "db-1 still accepts writes (read_only = OFF): its writes were not stopped, and the later steps would promote db-2 beside it, two writable primaries");
    }, 60_000);

    it("db-switchover past step 3 (the replica applied everything): db-2 30 s behind a read-only db-1", async () => {
      await lab.sql("db-2", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE");
      try {
        await lab.sql("db-1", `INSERT INTO ${DRILL_TABLE} (writer, n) VALUES (97, 1)`);
        await lab.sql("db-1", "SET GLOBAL event_scheduler = OFF; SET GLOBAL read_only = ON");
        await refusesResume(["db-switchover"], 4, 3, /db-2 has not applied everything db-1 logged \(up to 0-\d+-\d+\): promoting it now would lose those transactions/);
      } finally {
        await lab.sql("db-1", "SET GLOBAL read_only = OFF; SET GLOBAL event_scheduler = ON");
        await lab.sql("db-2", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE");
      }
      await waitCaughtUp();
    }, 60_000);

    it("db-switchover past step 4 (the promotion): db-2 still a replica of a read-only db-1", async () => {
      await lab.sql("db-1", "SET GLOBAL event_scheduler = OFF; SET GLOBAL read_only = ON");
      try {
        const pos = await q("db-1", "SELECT @@gtid_binlog_pos");
        expect(await q("db-2", `SELECT MASTER_GTID_WAIT('${pos}', 30)`)).toBe("0");
        await refusesResume(["db-switchover"], 5, 4, "db-2 has not been promoted (it is read-only and replicates from db-1): pointing db-1 at it now would make them replicate from each other");
      } finally {
        await lab.sql("db-1", "SET GLOBAL read_only = OFF; SET GLOBAL event_scheduler = ON");
      }
    }, 60_000);

    it("db-switchover refuses to resume into two writable primaries", async () => {
      await lab.sql("db-2", "SET GLOBAL read_only = OFF");
      try {
        await refusesResume(["db-switchover"], 4, 1, "more than one server accepts writes (db-1, db-2): split brain");
      } finally {
        await lab.sql("db-2", "SET GLOBAL read_only = ON");
      }
    }, 60_000);

    it("db-failover past step 1 (the primary is down): db-1 answers", async () => {
      await refusesResume(["db-failover"], 2, 1, "db-1 still answers (port 3306 from db-2, its server on its own host): promoting now would leave two primaries");
    }, 60_000);

    it("db-failover past step 2 (the old primary fenced): db-1 down but its role file still says primary", async () => {
      await lab.stopServer("db-1");
      try {
        await refusesResume(["db-failover"], 3, 2, `db-1 is not fenced: its role file ${lab.host("db-1").paths.roleCnf} says primary, so it would start as a writable primary beside the promoted one`);
      } finally {
        await lab.startServer("db-1");
      }
      await waitCaughtUp();
    }, 90_000);

    it("db-failover past step 3 (everything received applied): db-2's SQL thread stopped behind, db-1 fenced and down", async () => {
      const roleFile = lab.host("db-1").paths.roleCnf;
      const role = fs.readFileSync(roleFile, "utf8");
      await lab.sql("db-2", "STOP SLAVE SQL_THREAD");
      try {
        await lab.sql("db-1", `INSERT INTO ${DRILL_TABLE} (writer, n) VALUES (97, 2)`);
        await received();
        await lab.stopServer("db-1");
        fs.writeFileSync(roleFile, renderRoleCnf("fenced", { semiSyncEnabled: lab.semiSync }));
        await refusesResume(["db-failover"], 4, 3, /db-2 has not applied everything it received \(up to 0-\d+-\d+; SQL thread: No\): promoting it now would lose those transactions/);
      } finally {
        fs.writeFileSync(roleFile, role);
        await lab.startServer("db-1");
        await lab.sql("db-2", "START SLAVE");
      }
      await waitCaughtUp();
    }, 90_000);
  });

  it("db-switchover swaps the roles and loses nothing", async () => {
    await lab.sql("db-1", `INSERT INTO ${DRILL_TABLE} (writer, n) VALUES (0, 2)`);
    const r = await ibac(["db-switchover", "--yes"]);
    expect(r.code, shown(r)).toBe(0);
    expect(await primaryName()).toBe("db-2");
    expect(fs.readFileSync(lab.host("db-2").paths.roleCnf, "utf8")).toContain("# role: primary");
    expect(fs.readFileSync(lab.host("db-1").paths.roleCnf, "utf8")).toContain("# role: replica");
    const s = await lab.slaveStatus("db-1");
    expect([s.Slave_IO_Running, s.Slave_SQL_Running, s.Master_Host, s.Using_Gtid]).toEqual(["Yes", "Yes", lab.host("db-2").address, "Slave_Pos"]);
    expect(await q("db-1", `SELECT COUNT(*) FROM ${DRILL_TABLE} WHERE writer = 0`)).toBe("2");
    expect(r.stdout).toContain("set database.primary: db-2 in stacks/Pulumi.lab.yaml");
  }, 60_000);

  it("db-failover under 8 concurrent writers after kill -9 of the primary loses no acknowledged transaction", async () => {
    const writers = startWriters(lab, 8);
    await new Promise((r) => setTimeout(r, 2000));
    const killedAt = Date.now();
    await lab.killServer("db-2");
    // The dry run first, in the state it is for: it prints the fence and the promotion, and runs neither.
    const dry = await ibac(["db-failover", "--dry-run"]);
    expect(dry.code, shown(dry)).toBe(0);
    expect(dry.stdout).toMatch(/would run on db-2 \([\d.]+\): write .*role\.cnf \(role: fenced\)/);
    expect(dry.stdout).toMatch(/would run on db-1 \([\d.]+\): mariadb .*STOP SLAVE; SELECT @@gtid_slave_pos; RESET SLAVE ALL/);
    expect(await q("db-1", "SELECT @@read_only")).toBe("1");
    expect(fs.readFileSync(lab.host("db-2").paths.roleCnf, "utf8")).toContain("# role: primary");
    const r = await ibac(["db-failover", "--yes"]);
    expect(r.code, shown(r)).toBe(0);
    const newPrimary = lab.host("db-1");
    for (let i = 0; i < 50 && !writers.acks().some((a) => a.address === newPrimary.address && a.atMs > killedAt); i++) await new Promise((res) => setTimeout(res, 100));
    const { acks } = await writers.stop();
    const firstWrite = acks.filter((a) => a.address === newPrimary.address && a.atMs > killedAt).sort((a, b) => a.atMs - b.atMs)[0];
    expect(firstWrite, "a write was accepted on the promoted server").toBeDefined();
    expect(acks.filter((a) => a.atMs < killedAt).length).toBeGreaterThan(50);
    expect(await lostAcks(lab, "db-1", acks)).toEqual([]);
    expect(r.stdout).toMatch(/lastAppliedGtid: 0-\d+-\d+/);
    expect(r.stdout).toMatch(/downtimeSeconds: \d+\.\d \(from db-2.s last heartbeat to the promotion/);
    expect(fs.readFileSync(lab.host("db-2").paths.roleCnf, "utf8")).toContain("# role: fenced");
    console.log(`failover: ${firstWrite.atMs - killedAt} ms from kill -9 to the first accepted write (a dry run included; bench/db-drill.ts measures without); ${acks.length} acknowledged, 0 lost`);
  }, 120_000);

  it("db-rejoin brings the old primary back as a replica and every table's checksum matches", async () => {
    const r = await ibac(["db-rejoin", "--host", "db-2", "--yes"]);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/checksums: all \d+ tables match/);
    const s = await lab.slaveStatus("db-2");
    expect([s.Slave_IO_Running, s.Slave_SQL_Running, s.Master_Host]).toEqual(["Yes", "Yes", lab.host("db-1").address]);
    expect(await q("db-2", "SELECT @@read_only")).toBe("1");
    if (lab.semiSync) expect(await lab.globalStatus("db-1", "Rpl_semi_sync_master_status")).toBe("ON");
  }, 120_000);

  it("db-reclone rebuilds a replica from the primary and keeps its old datadir", async () => {
    await lab.sql("db-1", `INSERT INTO ${DRILL_TABLE} (writer, n) VALUES (0, 3)`);
    const r = await ibac(["db-reclone", "--host", "db-2", "--yes"]);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/checksums: all \d+ tables match/);
    expect(fs.readdirSync(lab.host("db-2").dir).some((f) => f.startsWith("data.before-reclone-"))).toBe(true);
    expect(await q("db-2", `SELECT COUNT(*) FROM ${DRILL_TABLE} WHERE writer = 0`)).toBe("3");
  }, 120_000);

  describe("--from-step of db-rejoin re-checks its safety steps", () => {
    it("past step 1 (one primary, the returning server read-only): db-2 writable too", async () => {
      await lab.sql("db-2", "SET GLOBAL read_only = OFF");
      try {
        await refusesResume(["db-rejoin", "--host", "db-2"], 2, 1, "more than one server accepts writes (db-1, db-2): split brain");
      } finally {
        await lab.sql("db-2", "SET GLOBAL read_only = ON");
      }
    }, 60_000);

    it("past step 2 (restarted as a replica): db-2's role file says primary", async () => {
      const roleFile = lab.host("db-2").paths.roleCnf;
      const role = fs.readFileSync(roleFile, "utf8");
      fs.writeFileSync(roleFile, renderRoleCnf("primary", { semiSyncEnabled: lab.semiSync }));
      try {
        await refusesResume(["db-rejoin", "--host", "db-2"], 3, 2, `db-2's role file ${roleFile} says primary: it was not restarted as a replica`);
      } finally {
        fs.writeFileSync(roleFile, role);
      }
    }, 60_000);

    it("past step 5 (stopped for its re-clone): db-2 runs with an errant transaction", async () => {
      // Left in place: the next test re-clones db-2 because of it (and one more of its own).
      await lab.sql("db-2", `STOP SLAVE; INSERT INTO ${DRILL_TABLE} (writer, n) VALUES (98, 1)`);
      await refusesResume(["db-rejoin", "--host", "db-2"], 10, 5, "db-2's server runs on its old data, which must be rebuilt: resuming after this step would skip stopping it and its re-clone");
    }, 60_000);

    it("db-reclone resumed at the swap (step 6) refuses while db-2's server runs", async () => {
      const before = await snapshot();
      const r = await ibac(["db-reclone", "--host", "db-2", "--from-step", "6", "--yes"]);
      expect(r.code, shown(r)).toBe(3);
      expect(r.stdout).toContain("STOP: db-2's server runs: swapping its datadir from under it would corrupt it; it must be stopped first");
      expect(r.stdout).toContain("Nothing was changed by step 6.");
      expect(await snapshot()).toBe(before);
    }, 60_000);
  });

  it("db-rejoin finds an errant transaction, saves it for audit and re-clones", async () => {
    // A transaction only db-2 has, as a primary that committed without any replica's ack would leave.
    await lab.sql("db-2", `STOP SLAVE; INSERT INTO ${DRILL_TABLE} (writer, n) VALUES (99, 1)`);
    const r = await ibac(["db-rejoin", "--host", "db-2", "--yes"]);
    expect(r.code, shown(r)).toBe(0);
    const saved = /errantTransactions: (0-\d+)-(\d+)\.\.(\d+), saved to (\S+) on db-2/.exec(r.stdout);
    expect(saved, shown(r)).not.toBeNull();
    expect(saved?.[1]).toBe(`0-${lab.host("db-2").serverId}`);
    const errantFile = fs.readFileSync(saved?.[4] ?? "", "utf8");
    expect((fs.statSync(saved?.[4] ?? "").mode & 0o777).toString(8), "saved transactions are readable by their owner only").toBe("600");
    expect(errantFile).toMatch(/INSERT INTO `ibac`\.`drill`[\s\S]*@1=99/);
    expect(r.stdout).toMatch(/checksums: all \d+ tables match/);
    expect(await q("db-2", `SELECT COUNT(*) FROM ${DRILL_TABLE} WHERE writer = 99`)).toBe("0");
  }, 120_000);

  describe("db-restore-pitr from the rendered backups of the replica", () => {
    let gtids: string[] = [];
    let timeBetween = "";
    let stopCapture: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const replica = lab.host("db-2");
      const backup = scripts.get("db-2");
      if (!backup) throw new Error("no backup scripts for db-2");
      stopCapture = await startBinlogCapture(replica, backup);
      await lab.sql("db-1", "CREATE TABLE IF NOT EXISTS ibac.pitr (id INT PRIMARY KEY, note VARCHAR(20)) ENGINE=InnoDB");
      await waitCaughtUp();
      await backup.run("full");
      for (let id = 1; id <= 3; id++) {
        await lab.sql("db-1", `INSERT INTO ibac.pitr VALUES (${id}, 'before-inc')`);
      }
      await waitCaughtUp();
      await backup.run("incremental");
      for (let id = 4; id <= 6; id++) {
        await lab.sql("db-1", `INSERT INTO ibac.pitr VALUES (${id}, 'after-inc')`);
        gtids.push(await q("db-1", "SELECT @@gtid_binlog_pos"));
      }
      // A second boundary between the rows before and after the time target.
      await new Promise((r) => setTimeout(r, 1100));
      timeBetween = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString();
      await new Promise((r) => setTimeout(r, 1100));
      for (let id = 7; id <= 9; id++) await lab.sql("db-1", `INSERT INTO ibac.pitr VALUES (${id}, 'late')`);
      gtids = gtids.map((g) => g.split(",").find((x) => x.startsWith("0-")) ?? g);
      await waitCaughtUp();
      // The capture writes what the replica logs; give it a moment to flush the last events.
      await new Promise((r) => setTimeout(r, 1500));
    }, 180_000);

    afterAll(async () => {
      await stopCapture?.();
    });

    /** The restored rows; checks that the run stopped its temporary server and that the restore is owner-only. */
    const restoredIds = async (r: RunResult): Promise<string> => {
      const datadir = /restoredDatadir: (\S+) on db-2/.exec(r.stdout)?.[1];
      expect(datadir, shown(r)).toBeDefined();
      const dir = datadir ?? "";
      const running = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes(`--datadir=${dir}`);
        } catch {
          return false;
        }
      });
      expect(running, "the temporary server was stopped when the run ended").toEqual([]);
      expect(fs.existsSync(`${dir}-run/mysqld.sock`)).toBe(false);
      const mode = (f: string): string => (fs.statSync(f).mode & 0o777).toString(8);
      expect([dir, `${dir}-run`, `${dir}-run/replayed.sql`, `${dir}.prepare.log`].map(mode)).toEqual(["700", "700", "600", "600"]);
      const ids = await withRestoredServer(lab, "db-2", dir, (socket) =>
        lab.runInHost("db-2", ["mariadb", "--no-defaults", `--socket=${socket}`, "-uroot", "-N", "-B", "-e", "SELECT GROUP_CONCAT(id ORDER BY id) FROM ibac.pitr"]));
      return ids.stdout.trim();
    };

    it("restores exactly up to a GTID between two known transactions", async () => {
      const r = await ibac(["db-restore-pitr", "--host", "db-2", "--to", gtids[1], "--yes"]);
      expect(r.code, shown(r)).toBe(0);
      expect(await restoredIds(r)).toBe("1,2,3,4,5");
    }, 120_000);

    it("restores exactly up to a second", async () => {
      const r = await ibac(["db-restore-pitr", "--host", "db-2", "--to", timeBetween, "--yes"]);
      expect(r.code, shown(r)).toBe(0);
      expect(await restoredIds(r)).toBe("1,2,3,4,5,6");
    }, 120_000);

    it("refuses a target outside the backed-up range with exit code 2", async () => {
      const early = await ibac(["db-restore-pitr", "--host", "db-2", "--to", "2001-01-01 00:00:00", "--yes"]);
      expect(early.code, shown(early)).toBe(2);
      expect(early.stderr + early.stdout).toContain("is before the oldest restore point");
      const late = await ibac(["db-restore-pitr", "--host", "db-2", "--to", "2099-01-01T00:00:00Z", "--yes"]);
      expect(late.code, shown(late)).toBe(2);
      expect(late.stderr + late.stdout).toContain("is after the newest restore point");
    }, 60_000);

    it("refuses to resume: a part-way replay must not be applied twice", async () => {
      const restores = (): string[] => fs.readdirSync(lab.host("db-2").dir).filter((f) => f.includes(".pitr-"));
      const before = restores();
      const r = await ibac(["db-restore-pitr", "--host", "db-2", "--to", gtids[1], "--from-step", "5", "--yes"]);
      expect(r.code, shown(r)).toBe(3);
      expect(r.stdout).toContain("STOP: a point-in-time restore is never resumed: a replay that stopped part-way would apply its first transactions twice");
      expect(r.stdout).toContain("Nothing was changed. Resuming at step 5 would skip step 1, whose check refuses");
      expect(restores()).toEqual(before);
    }, 60_000);

    it("a dry run of db-restore-pitr prints its commands and starts nothing", async () => {
      const restores = (): string[] => fs.readdirSync(lab.host("db-2").dir).filter((f) => f.includes(".pitr-"));
      const before = restores();
      const r = await ibac(["db-restore-pitr", "--host", "db-2", "--to", gtids[0], "--dry-run"]);
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout).toMatch(/would run on db-2 \([\d.]+\): umask 077 && \{ mariabackup --prepare/);
      expect(r.stdout).toMatch(/would run on db-2 \([\d.]+\): stop the temporary server on /);
      expect(restores()).toEqual(before);
    }, 60_000);
  });

  it("the audit log holds every command as sent and no password", () => {
    const text = fs.readFileSync(audit, "utf8");
    const entries = text.trim().split("\n").map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.some((e) => e.command?.includes("CHANGE MASTER") === false && e.as?.startsWith("CHANGE MASTER TO") && e.stdin?.includes("@@REPLICATION_PASSWORD@@"))).toBe(true);
    for (const secret of Object.values(lab.passwords)) expect(text).not.toContain(secret);
    expect((fs.statSync(audit).mode & 0o777).toString(8)).toBe("600");
  });
});
