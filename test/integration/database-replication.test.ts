import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { planDatabase } from "../../components/database/topology";
import { PRODUCTION_DATABASE_PATHS, tlsFiles, type DatabasePaths } from "../../components/database/paths";
import { defaultBufferPoolMiB, renderRoleCnf, renderServerCnf } from "../../components/database/render-my-cnf";
import { renderReplicaSetupSql } from "../../components/database/render-setup-sql";
import { loadInventoryFile } from "../../playbooks/engine/inventory";
import { run } from "../lab/run";
import { LAB_BUFFER_POOL_MIB, startDatabaseLab, type DatabaseLab, type LabHost } from "../lab/database-lab";
import { processAlive } from "../support/process-alive";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const APP_USER = "ibac_app";

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}


/** PIDs of live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text) && processAlive(pid);
    } catch {
      return false;
    }
  });
}

/**
 * SQL as the local administrator without TLS. The client uses TLS even over the socket when the server offers
 * it, so the lab's own queries would otherwise count in the primary's TLS handshake counter.
 */
async function adminWithoutTls(host: LabHost, sql: string): Promise<string> {
  const r = await run("mariadb", [`--defaults-file=${host.paths.adminCnf}`, "--skip-ssl", "-N", "-B", "-e", sql]);
  if (r.code !== 0) throw new Error(`${host.name}: ${sql}: ${r.stderr}`);
  return r.stdout;
}

async function tlsHandshakes(host: LabHost): Promise<number> {
  return Number((await adminWithoutTls(host, "SHOW GLOBAL STATUS LIKE 'Ssl_finished_accepts'")).split("\t")[1]);
}

function netnsList(): string {
  return spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
}

/** The production rendering with every production path replaced by the lab host's: what the lab must have run. */
function productionFileWithLabPaths(production: string, paths: DatabasePaths): string {
  let text = production;
  for (const key of Object.keys(PRODUCTION_DATABASE_PATHS) as (keyof DatabasePaths)[]) {
    text = text.split(PRODUCTION_DATABASE_PATHS[key]).join(paths[key]);
  }
  return text;
}

describe("real MariaDB lab: primary and replica from the rendered files, in network namespaces", () => {
  let lab: DatabaseLab;
  let primary: LabHost;
  let replica: LabHost;
  let startMs = 0;

  beforeAll(async () => {
    const t = Date.now();
    lab = await startDatabaseLab();
    startMs = Date.now() - t;
    [primary, replica] = lab.hosts;
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it("starts in seconds with one primary and one replica at the lab stack's service addresses", () => {
    const { spec, model } = loadStackFile(stackFilePath(PROJECT_DIR, "lab"));
    const topology = planDatabase(model, spec);
    expect(lab.hosts.map((h) => [h.name, h.role, h.address])).toEqual([
      [topology.primary.name, "primary", topology.primary.address],
      ...topology.replicas.map((r) => [r.name, "replica", r.address]),
    ]);
    expect(startMs).toBeLessThan(30_000);
  });

  it("runs mariadbd from the production rendering: only the paths and the buffer pool differ", () => {
    const { spec, model } = loadStackFile(stackFilePath(PROJECT_DIR, "lab"));
    const topology = planDatabase(model, spec);
    for (const host of lab.hosts) {
      const server = [topology.primary, ...topology.replicas].find((s) => s.name === host.name);
      if (!server) throw new Error(`${host.name} is not in the model`);
      const production = renderServerCnf(server, topology, PRODUCTION_DATABASE_PATHS);
      const expected = productionFileWithLabPaths(production, host.paths).replace(
        `innodb_buffer_pool_size = ${defaultBufferPoolMiB(server.memoryGiB)}M`,
        `innodb_buffer_pool_size = ${LAB_BUFFER_POOL_MIB}M`,
      );
      expect(fs.readFileSync(host.paths.serverCnf, "utf8")).toBe(expected);
      expect(fs.readFileSync(host.paths.roleCnf, "utf8")).toBe(renderRoleCnf(host.role, { semiSyncEnabled: true }));
      // every lab path is under the host's own directory
      for (const p of Object.values(host.paths)) expect(p.startsWith(`${host.dir}/`)).toBe(true);
    }
  });

  it("replicates with GTID (slave_pos) from the primary's service address, over TLS with the certificate verified", async () => {
    const s = await lab.slaveStatus(replica);
    expect(s).toMatchObject({
      Slave_IO_Running: "Yes",
      Slave_SQL_Running: "Yes",
      Master_Host: primary.address,
      Master_Port: "3306",
      Master_User: "ibac_repl",
      Using_Gtid: "Slave_Pos",
      Master_SSL_Allowed: "Yes",
      Master_SSL_Verify_Server_Cert: "Yes",
      Master_SSL_CA_File: tlsFiles(replica.paths).ca,
      Last_IO_Errno: "0",
      Last_SQL_Errno: "0",
    });
    expect(await lab.sql(replica, "SELECT @@read_only, @@gtid_strict_mode, @@server_id")).toBe(`1\t1\t${replica.serverId}\n`);
    expect(await lab.sql(primary, "SELECT @@read_only, @@server_id")).toBe(`0\t${primary.serverId}\n`);
    // The replica holds exactly the primary's GTIDs: the setup SQL went through replication, nothing was written locally.
    const primaryGtid = (await lab.sql(primary, "SELECT @@gtid_binlog_pos")).trim();
    expect(primaryGtid).toMatch(new RegExp(`^0-${primary.serverId}-\\d+$`));
    // The primary's heartbeat keeps the position moving: wait until the replica has reached it, then check
    // that every GTID the replica logged came from the primary.
    expect(await lab.sql(replica, `SELECT MASTER_GTID_WAIT('${primaryGtid}', 10)`)).toBe("0\n");
    const replicaState = (await lab.sql(replica, "SELECT @@gtid_binlog_state")).trim();
    expect(replicaState.split(",").map((g) => g.split("-")[1])).toEqual([String(primary.serverId)]);
  });

  it("the replication session is TLS: exactly one TLS handshake on the primary when the replica reconnects, and no connection without TLS", async () => {
    expect(await lab.sql(primary, "SHOW GRANTS FOR 'ibac_repl'@'10.60.2.0/255.255.255.0'")).toMatch(/REQUIRE SSL/);
    expect(await lab.sql(primary, "SELECT @@require_secure_transport")).toBe("1\n");
    const dumpThreads = (): Promise<string> => adminWithoutTls(primary, "SELECT USER, HOST FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'");

    // Between the two readings, only the replica's IO thread connects to the primary.
    await lab.sql(replica, "STOP SLAVE IO_THREAD");
    await until("old binlog dump thread gone", 10_000, dumpThreads, (v) => v === "");
    const before = await tlsHandshakes(primary);
    await lab.sql(replica, "START SLAVE IO_THREAD");
    const dump = await until("binlog dump thread of ibac_repl", 15_000, dumpThreads, (v) => v !== "");
    expect(dump).toMatch(new RegExp(`^ibac_repl\\t${replica.address.replace(/\./g, "\\.")}:\\d+\\n$`));
    expect(await tlsHandshakes(primary)).toBe(before + 1);

    // Negative control: the same replica told not to use TLS cannot connect at all.
    await lab.sql(replica, "STOP SLAVE; CHANGE MASTER TO MASTER_SSL = 0; START SLAVE");
    const refused = await until("IO thread refused without TLS", 15_000, () => lab.slaveStatus(replica), (s) => s.Last_IO_Errno !== "0");
    expect(refused.Slave_IO_Running).not.toBe("Yes");
    expect(refused.Last_IO_Errno).toBe("1045");
    // Back to exactly what the toolkit renders.
    await lab.sql(replica, renderReplicaSetupSql(lab.topology, lab.passwords.replication, tlsFiles(replica.paths).ca));
    await until("replication with TLS again", 15_000, () => lab.slaveStatus(replica), (s) => s.Slave_IO_Running === "Yes" && s.Master_SSL_Allowed === "Yes");
  });

  it("semi-sync is active on the primary, with the replica acknowledging", async () => {
    await until("semi-sync client back after the reconnect", 10_000, () => lab.globalStatus(primary, "Rpl_semi_sync_master_clients"), (v) => v === "1");
    expect(await lab.globalStatus(primary, "Rpl_semi_sync_master_status")).toBe("ON");
    expect(await lab.globalStatus(replica, "Rpl_semi_sync_slave_status")).toBe("ON");
    expect(await lab.sql(primary, "SELECT @@rpl_semi_sync_master_wait_point, @@rpl_semi_sync_master_timeout")).toBe("AFTER_SYNC\t10000\n");
  });

  it("a row the application writes over TCP+TLS on the primary appears on the replica, acknowledged semi-synchronously", async () => {
    await lab.sql(primary, "CREATE TABLE ibac.lab_probe (id INT PRIMARY KEY, note VARCHAR(64) NOT NULL)");
    const yesBefore = Number(await lab.globalStatus(primary, "Rpl_semi_sync_master_yes_tx"));
    const noBefore = Number(await lab.globalStatus(primary, "Rpl_semi_sync_master_no_tx"));
    const out = await lab.sqlAs(primary, APP_USER, lab.passwords.application,
      "INSERT INTO ibac.lab_probe VALUES (1, 'from the application'); SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')");
    expect(out).toMatch(/^Ssl_cipher\t(TLS_AES_256_GCM_SHA384|TLS_CHACHA20_POLY1305_SHA256)\nSsl_version\tTLSv1\.3\n$/);
    // At least one more: the primary's heartbeat (one transaction a second) may commit in between too.
    expect(Number(await lab.globalStatus(primary, "Rpl_semi_sync_master_yes_tx"))).toBeGreaterThanOrEqual(yesBefore + 1);
    expect(Number(await lab.globalStatus(primary, "Rpl_semi_sync_master_no_tx"))).toBe(noBefore);
    const seen = await until("row on the replica", 10_000, () => lab.sqlAs(replica, APP_USER, lab.passwords.application, "SELECT id, note FROM ibac.lab_probe"), (v) => v !== "");
    expect(seen).toBe("1\tfrom the application\n");
  });

  it("the replica refuses the application user's write: read-only (ERROR 1290)", async () => {
    await expect(lab.sqlAs(replica, APP_USER, lab.passwords.application, "INSERT INTO ibac.lab_probe VALUES (2, 'on the replica')")).rejects.toThrow(
      /ERROR 1290 \(HY000\).*--read-only/,
    );
    expect(await lab.sql(replica, "SELECT COUNT(*) FROM ibac.lab_probe")).toBe("1\n");
  });

  it("a plain (non-TLS) TCP connection is refused by require_secure_transport, even for an account without REQUIRE SSL", async () => {
    // MariaDB has no ER_SECURE_TRANSPORT_REQUIRED (MySQL's 3159): it refuses with 1045. The control below shows
    // that require_secure_transport, not the account or its password, is what refuses.
    const password = crypto.randomBytes(12).toString("hex");
    await lab.sql(primary, `CREATE USER lab_plain@'10.60.2.0/255.255.255.0' IDENTIFIED BY '${password}'`);
    try {
      expect(await lab.sqlAs(primary, "lab_plain", password, "SELECT 'over TLS'")).toBe("over TLS\n");
      await expect(lab.sqlAs(primary, "lab_plain", password, "SELECT 1", { tls: false })).rejects.toThrow(/ERROR 1045 \(28000\): Access denied for user 'lab_plain'/);
      await lab.sql(primary, "SET GLOBAL require_secure_transport = OFF");
      try {
        expect(await lab.sqlAs(primary, "lab_plain", password, "SHOW SESSION STATUS LIKE 'Ssl_version'", { tls: false })).toBe("Ssl_version\t\n");
      } finally {
        await lab.sql(primary, "SET GLOBAL require_secure_transport = ON");
      }
      // The toolkit's accounts also REQUIRE SSL themselves.
      await expect(lab.sqlAs(primary, APP_USER, lab.passwords.application, "SELECT 1", { tls: false })).rejects.toThrow(/ERROR 1045/);
    } finally {
      await lab.sql(primary, "DROP USER lab_plain@'10.60.2.0/255.255.255.0'");
    }
  });

  it("sshd answers from the control namespace, with strict host keys and no passwords, and runs commands inside the host's namespace", async () => {
    for (const host of lab.hosts) {
      const r = await lab.ssh(host, "ip -o -4 addr show dev eth0");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`inet ${host.address}/24`);
    }
    const noKey = await lab.runInControl(["ssh", "-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", `root@${primary.address}`, "true"]);
    expect(noKey.code).toBe(255);
    expect(noKey.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it("writes an inventory the runbook engine accepts, with the lab's paths and service commands", () => {
    const inventory = loadInventoryFile(lab.inventoryFile, "lab");
    expect(inventory).toMatchObject({ stack: "lab", mariadbPort: 3306, maxLagSeconds: 30, semiSync: true });
    expect(inventory.hosts.map((h) => ({ name: h.name, address: h.address, role: h.role, paths: h.paths, ssh: h.ssh }))).toEqual(
      lab.hosts.map((h) => ({ name: h.name, address: h.address, role: h.role, paths: h.paths, ssh: { port: 22, user: "root", sudo: false } })),
    );
    expect(inventory.hosts[1].service).toEqual({ start: `${replica.serviceScript} start`, stop: `${replica.serviceScript} stop` });
  });

  it("the inventory's service commands over SSH stop and start the replica inside its namespace; replication resumes", async () => {
    const inventory = loadInventoryFile(lab.inventoryFile, "lab");
    const service = inventory.hosts.find((h) => h.name === replica.name)?.service;
    if (!service) throw new Error("replica not in the inventory");
    const stop = await lab.ssh(replica, service.stop);
    expect(stop.code, stop.stderr).toBe(0);
    expect((await lab.ssh(replica, `${replica.serviceScript} status`)).code).toBe(3);
    const start = await lab.ssh(replica, service.start);
    expect(start.code, start.stderr).toBe(0);
    const pid = Number(fs.readFileSync(replica.paths.pidFile, "utf8").trim());
    expect(processAlive(pid)).toBe(true);
    expect(spawnSync("ip", ["netns", "identify", String(pid)], { encoding: "utf8" }).stdout.trim()).toBe(replica.netns);
    await until("replication after restart", 15_000, () => lab.slaveStatus(replica), (s) => s.Slave_IO_Running === "Yes" && s.Slave_SQL_Running === "Yes");
    await until("semi-sync client after restart", 10_000, () => lab.globalStatus(primary, "Rpl_semi_sync_master_clients"), (v) => v === "1");
    expect(await lab.sqlAs(replica, APP_USER, lab.passwords.application, "SELECT COUNT(*) FROM ibac.lab_probe")).toBe("1\n");
  });

  it("killServer is a crash (SIGKILL) the server recovers from with startServer", async () => {
    const pid = Number(fs.readFileSync(primary.paths.pidFile, "utf8").trim());
    await lab.killServer(primary);
    expect(processAlive(pid)).toBe(false);
    // A crash leaves the pid file behind, as a real one does.
    expect(fs.existsSync(primary.paths.pidFile)).toBe(true);
    await lab.startServer(primary);
    expect(await lab.sqlAs(primary, APP_USER, lab.passwords.application, "SELECT note FROM ibac.lab_probe WHERE id = 1")).toBe("from the application\n");
    await until("replica reconnected to the restarted primary", 20_000, () => lab.slaveStatus(replica), (s) => s.Slave_IO_Running === "Yes" && s.Last_IO_Errno === "0");
  });

  it("stop() stops every process and removes every namespace", async () => {
    const pids = [primary, replica].flatMap((h) => [h.paths.pidFile, `${h.dir}/ssh/sshd.pid`]).map((f) => Number(fs.readFileSync(f, "utf8").trim()));
    expect(pids.every(processAlive)).toBe(true);
    expect(lab.namespaces).toHaveLength(4);
    await lab.stop();
    expect(pids.filter(processAlive)).toEqual([]);
    expect(processesMentioning(lab.root)).toEqual([]);
    const remaining = netnsList();
    for (const ns of lab.namespaces) expect(remaining).not.toMatch(new RegExp(`^${ns}\\b`, "m"));
    if (process.env.IBAC_LAB_KEEP !== "1") expect(fs.existsSync(lab.root)).toBe(false);
  }, 60_000);
});

describe("real MariaDB lab: semi-sync turned off", () => {
  let lab: DatabaseLab;

  beforeAll(async () => {
    lab = await startDatabaseLab({ semiSync: false });
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it("renders the role files with semi-sync off and replicates asynchronously", async () => {
    const [primary, replica] = lab.hosts;
    expect(fs.readFileSync(primary.paths.roleCnf, "utf8")).toBe(renderRoleCnf("primary", { semiSyncEnabled: false }));
    expect(await lab.globalStatus(primary, "Rpl_semi_sync_master_status")).toBe("OFF");
    expect(await lab.globalStatus(primary, "Rpl_semi_sync_master_clients")).toBe("0");
    expect(await lab.slaveStatus(replica)).toMatchObject({ Slave_IO_Running: "Yes", Slave_SQL_Running: "Yes", Using_Gtid: "Slave_Pos" });
    expect(loadInventoryFile(lab.inventoryFile, "lab").semiSync).toBe(false);
  });
});
