import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDatabaseLab, LAB_VIP_CHECK_USER, type DatabaseLab, type LabHost } from "../lab/database-lab";
import { prepareLabKeepalived, type LabKeepalived } from "../lab/database-keepalived";
import type { RunResult } from "../lab/run";

// Real: two mariadbd (primary + replica, GTID, TLS, semi-sync) and two keepalived 2.2.7 (VRRPv3, unicast) in
// network namespaces with eth0, started from the rendered files (lab paths); the rendered role check run by
// keepalived as an unprivileged user against each server's socket; the db-failover and db-switchover runbooks
// over SSH; a mariadb client in the control namespace dialling db.<domain> with TLS verified against the lab CA.
// Unproven here: real VMs and Proxmox bridges (gratuitous ARP after a move reaching the API and FRS VMs
// through vmbr; here every namespace hangs off one Linux bridge); bookworm's programs only (trixie's
// keepalived 2.3 and MariaDB 11.8 not run); the keepalived_script user (the lab runs the check as nobody).

const BIN = path.resolve(__dirname, "../../bin/ibac.js");

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T>, done: (value: T) => boolean, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const shown = (r: RunResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

describe("the databasePrimary address follows the MariaDB primary: real keepalived and mariadbd in the database lab", () => {
  let lab: DatabaseLab;
  let ka: LabKeepalived;
  let audit: string;

  const ibac = (args: string[]): Promise<RunResult> =>
    lab.runInControl([process.execPath, BIN, "runbook", ...args, "--stack", "lab", "--inventory", lab.inventoryFile,
      "--identity", lab.sshKeyFile, "--known-hosts", lab.knownHostsFile, "--audit-log", audit], { timeoutMs: 180_000 });

  /** The rendered role check, as keepalived runs it: in the host's namespace, as the lab's script user. */
  const roleCheck = (host: LabHost): Promise<RunResult> =>
    lab.runInHost(host, ["setpriv", `--reuid=${LAB_VIP_CHECK_USER}`, "--regid=nogroup", "--clear-groups", "bash", ka.hosts.get(host.name)?.roleCheck ?? "missing"], { timeoutMs: 10_000 });

  /** server_id of whoever answers db.<domain> for the application account, or the client's error. */
  const serviceAnswer = async (timeoutSeconds = 1): Promise<string> => {
    const r = await ka.sqlByServiceName("ibac_app", lab.passwords.application, "SELECT @@server_id", { timeoutSeconds });
    return r.code === 0 ? r.stdout.trim() : `error: ${r.stderr.trim().split("\n").at(-1) ?? ""}`;
  };

  /**
   * Runs a runbook while watching the promoted server: the first time it accepts writes (the promotion), the
   * first time its eth0 holds the address, the first time db.<domain> answers with its server_id.
   */
  const watchPromotion = async (runbook: string[], promoted: LabHost): Promise<{ result: RunResult; promotedAt: number; addressAt: number; answeredAt: number }> => {
    let promotedAt = 0;
    let addressAt = 0;
    let answeredAt = 0;
    let done = false;
    const watchers = [
      (async () => {
        while (!done && !promotedAt) {
          if ((await lab.sql(promoted, "SELECT @@global.read_only").catch(() => "?")).trim() === "0") promotedAt = Date.now();
          else await new Promise((r) => setTimeout(r, 20));
        }
      })(),
      (async () => {
        while (!done && !addressAt) {
          if ((await ka.holders()).includes(promoted.name)) addressAt = Date.now();
          else await new Promise((r) => setTimeout(r, 20));
        }
      })(),
      (async () => {
        while (!done && !answeredAt) {
          if ((await serviceAnswer()) === String(promoted.serverId)) answeredAt = Date.now();
          else await new Promise((r) => setTimeout(r, 20));
        }
      })(),
    ];
    const result = await ibac(runbook);
    const deadline = Date.now() + 20_000;
    while ((!promotedAt || !addressAt || !answeredAt) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    done = true;
    await Promise.all(watchers);
    return { result, promotedAt, addressAt, answeredAt };
  };

  beforeAll(async () => {
    lab = await startDatabaseLab();
    audit = path.join(lab.root, "audit.jsonl");
    ka = await prepareLabKeepalived(lab);
    // A table the application account may write (it has no CREATE), replicated to db-2.
    await lab.sql("db-1", "CREATE TABLE ibac.vip_probe (n INT PRIMARY KEY AUTO_INCREMENT)");
  }, 120_000);

  afterAll(async () => {
    try {
      await ka?.close();
    } finally {
      await lab?.stop();
    }
  }, 60_000);

  it("the role check's account is the script user over the socket: unix_socket, no password, no privilege, on both servers (replicated)", async () => {
    for (const host of lab.hosts) {
      expect((await lab.sql(host, `SHOW GRANTS FOR '${LAB_VIP_CHECK_USER}'@'localhost'`)).trim(), host.name).toBe(`GRANT USAGE ON *.* TO \`${LAB_VIP_CHECK_USER}\`@\`localhost\` IDENTIFIED VIA unix_socket`);
    }
  });

  it("the rendered role check against the real servers: 0 on the primary, 1 on the replica, 1 on a hung primary within the time limit", async () => {
    const [primary, replica] = lab.hosts;
    const onPrimary = await roleCheck(primary);
    expect(onPrimary.code, shown(onPrimary)).toBe(0);
    const onReplica = await roleCheck(replica);
    expect(onReplica.code, shown(onReplica)).toBe(1);
    // A hung server (SIGSTOP): the check gives up after its own limit, so keepalived's 2 s timeout never has to.
    const pid = Number(fs.readFileSync(primary.paths.pidFile, "utf8").trim());
    process.kill(pid, "SIGSTOP");
    try {
      const started = Date.now();
      const hung = await roleCheck(primary);
      const tookMs = Date.now() - started;
      expect(hung.code, shown(hung)).toBe(1);
      expect(tookMs).toBeLessThan(2000);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    // Writable by hand while its role file says replica: still not the primary.
    await lab.sql(replica, "SET GLOBAL read_only = OFF");
    try {
      expect((await roleCheck(replica)).code).toBe(1);
    } finally {
      await lab.sql(replica, "SET GLOBAL read_only = ON");
    }
  }, 30_000);

  it("keepalived from the rendered keepalived.conf puts the address on the primary only, and db.<domain> over verified TLS reaches it", async () => {
    for (const host of lab.hosts) await ka.start(host);
    const [primary] = lab.hosts;
    await until("the address on db-1 only", 10_000, () => ka.holders(), (h) => h.join() === primary.name);
    expect(await until("db.<domain> answers", 5_000, () => serviceAnswer(), (a) => !a.startsWith("error"))).toBe(String(primary.serverId));
    // It stays there: the replica's check fails, so its instance sits in FAULT and never contends.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await ka.holders()).toEqual([primary.name]);
  }, 30_000);

  it("TLS is verified: a name no certificate carries is refused at the same address, and so is a CA that did not issue it", async () => {
    const unlisted = await ka.sqlByServiceName("ibac_app", lab.passwords.application, "SELECT 1", { serverName: ka.unlistedName });
    expect(unlisted.code, shown(unlisted)).not.toBe(0);
    expect(unlisted.stderr).toMatch(/certificate|hostname|name/i);
    const client = (ca: string): Promise<RunResult> => lab.runInControl(["mariadb", "--no-defaults", "-h", lab.topology.service.address, "-P", String(lab.topology.port), "--protocol=TCP",
      "--ssl", `--ssl-ca=${ca}`, "--ssl-verify-server-cert", "--connect-timeout=2", "-u", "ibac_app", `--password=${lab.passwords.application}`, "-N", "-B", "-e", "SELECT @@server_id"]);
    const otherCa = path.join(lab.root, "other-ca.pem");
    const made = await lab.runInControl(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path.join(lab.root, "other-ca-key.pem"), "-out", otherCa, "-subj", "/CN=not the lab CA", "-days", "1"]);
    expect(made.code, shown(made)).toBe(0);
    const wrongCa = await client(otherCa);
    expect(wrongCa.code, shown(wrongCa)).not.toBe(0);
    // By the address itself (the certificates carry it too), with the lab CA: accepted.
    const byAddress = await client(lab.caFile);
    expect(byAddress.code, shown(byAddress)).toBe(0);
    expect(byAddress.stdout.trim()).toBe(String(lab.host("db-1").serverId));
  }, 30_000);

  it("kill -9 of the primary's mariadbd: the address leaves it; db-failover promotes db-2 and the address follows, db.<domain> reaching db-2", async () => {
    const [oldPrimary, candidate] = lab.hosts;
    const killedAt = Date.now();
    await lab.killServer(oldPrimary);
    await until("nobody holds the address", 10_000, () => ka.holders(), (h) => h.length === 0);
    const releasedMs = Date.now() - killedAt;
    const { result, promotedAt, addressAt, answeredAt } = await watchPromotion(["db-failover", "--yes"], candidate);
    expect(result.code, shown(result)).toBe(0);
    expect(promotedAt, "db-2 was seen accepting writes").toBeGreaterThan(0);
    expect(addressAt, "db-2 holds the address").toBeGreaterThan(0);
    expect(answeredAt, "db.<domain> answered with db-2's server_id").toBeGreaterThan(0);
    expect(await ka.holders()).toEqual([candidate.name]);
    expect(await serviceAnswer(3)).toBe(String(candidate.serverId));
    // The application writes through the address (its account has no READ ONLY ADMIN: only a primary takes it).
    const write = await ka.sqlByServiceName("ibac_app", lab.passwords.application, "INSERT INTO ibac.vip_probe VALUES ()");
    expect(write.code, shown(write)).toBe(0);
    console.log(`db-failover: address off db-1 ${releasedMs} ms after kill -9; on db-2 ${addressAt - promotedAt} ms and db.<domain> answering from db-2 ${answeredAt - promotedAt} ms after the promotion (read_only=OFF seen on db-2)`);
    expect(answeredAt - promotedAt).toBeLessThan(5000);
  }, 120_000);

  it("db-rejoin brings db-1 back as a replica: the address stays on db-2", async () => {
    const r = await ibac(["db-rejoin", "--host", "db-1", "--yes"]);
    expect(r.code, shown(r)).toBe(0);
    await new Promise((res) => setTimeout(res, 2500));
    expect(await ka.holders()).toEqual(["db-2"]);
  }, 120_000);

  it("db-switchover back to db-1: the address follows, db.<domain> reaching db-1", async () => {
    const [target] = lab.hosts;
    const { result, promotedAt, addressAt, answeredAt } = await watchPromotion(["db-switchover", "--to", "db-1", "--yes"], target);
    expect(result.code, shown(result)).toBe(0);
    expect(addressAt).toBeGreaterThan(0);
    expect(answeredAt).toBeGreaterThan(0);
    expect(await ka.holders()).toEqual([target.name]);
    expect(await serviceAnswer(3)).toBe(String(target.serverId));
    console.log(`db-switchover: address on db-1 ${addressAt - promotedAt} ms and db.<domain> answering from db-1 ${answeredAt - promotedAt} ms after the promotion`);
    expect(answeredAt - promotedAt).toBeLessThan(5000);
  }, 120_000);

  it("the notify script logged every move of the address (real keepalived calling it, lines as handed to syslog)", () => {
    const lines = ka.notifications().join("\n");
    expect(lines).toMatch(/keepalived-notify.*instance ibac_databasePrimary is now MASTER \(priority 200\)/);
    expect(lines).toMatch(/keepalived-notify.*instance ibac_databasePrimary is now MASTER \(priority 199\)/);
    expect(lines).toMatch(/keepalived-notify.*instance ibac_databasePrimary is now FAULT/);
  });
});
