import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { worstCaseNotifySeconds } from "../../monitoring/plan/types";
import { dependentNotificationDelaySeconds } from "../../monitoring/nagios/check-masters";
import { stackSpec } from "../fixtures/specs";
import { LAB_RELAY_ADDRESS } from "../lab/monitoring/lab-spec";
import { startMonitoringLab, type MonitoringLab } from "../lab/monitoring/monitoring-lab";
import { verifyNagiosConfig } from "../lab/monitoring/nagios-runner";
import { dependentServices } from "../lab/monitoring/rendered-objects";
import { describeNotification, notificationsOf, type Notification } from "../lab/monitoring/notification-mail";

// The rendered nagios4 engines (mon-1 active, mon-2 standby) and NRPE agents of the lab stack, run in network
// namespaces against real services (the database lab's MariaDB primary and replica with sshd, HTTPS services,
// Proxmox API stand-ins), with the lab stack's fast check timing (5 s / 1 s / 2 attempts). Every notification
// is counted at the SMTP sink, which sits at the relay address the spec names and requires STARTTLS.

const timing = stackSpec("lab").monitoring.checks;
/** How long a problem may take to notify: the spec's worst case, one more interval of slack and the mail. */
const notifyWithinMs = (worstCaseNotifySeconds(timing) + timing.intervalSeconds + 10) * 1000;
/**
 * How long no second notification may come for an "exactly once": the longest a check that depends on another
 * waits before its first notification (check-masters.ts), so a dependent's stray mail would be seen.
 */
const quietMs = Math.max(worstCaseNotifySeconds(timing), dependentNotificationDelaySeconds({ timing })) * 1000;

function active0(lab: MonitoringLab): { objectsDir: string } {
  const engine = lab.engines.get("mon-1");
  if (!engine) throw new Error("the lab runs no engine on mon-1");
  return engine;
}

describe("monitoring in the lab: rendered nagios4 engines and agents, notifications at the sink", () => {
  let lab: MonitoringLab;
  let mon1: string;
  let mon2: string;
  /** Waits until the sink holds `count` notifications after `mark` that `match`, then a quiet spell; returns every one after `mark`. */
  const after = async (mark: number, match: (n: Notification) => boolean, count: number, quietMs: number): Promise<Notification[]> => {
    const end = Date.now() + notifyWithinMs * 2;
    while (notificationsOf(lab.sink.messages().slice(mark)).filter(match).length < count) {
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await lab.sinkQuiet(quietMs, notifyWithinMs * 2);
    return notificationsOf(lab.sink.messages().slice(mark));
  };

  beforeAll(async () => {
    lab = await startMonitoringLab({ timing });
    mon1 = lab.plan.servers.find((s) => s.role === "active")?.address ?? "";
    mon2 = lab.plan.servers.find((s) => s.role === "standby")?.address ?? "";
    await lab.allGreen(90_000);
    await lab.sinkQuiet(4_000, 60_000);
  }, 240_000);
  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it("both engines run the rendered main configs, which pass nagios4 -v", async () => {
    expect([...lab.engines.keys()]).toEqual(["mon-1", "mon-2"]);
    for (const e of lab.engines.values()) {
      const v = await verifyNagiosConfig(e.mainConfig);
      expect(v.output).toMatch(/Total Errors:\s+0\n/);
      expect(v.code).toBe(0);
    }
  }, 60_000);

  it("stopping MariaDB on the replica notifies once (its port; the rendered dependencies hold the connection, replication and read-only checks back), over STARTTLS to the spec's address from the spec's sender via the relay address; restarting it sends one recovery each", async () => {
    const checks = lab.plan.checks.filter((c) => c.host === "db-2" && c.command.kind !== "nrpe").map((c) => c.description).sort();
    expect(checks).toEqual(["MariaDB connection", "MariaDB port 3306", "MariaDB read-only", "MariaDB replication"]);
    // The rendered dependencies.cfg: the connection means nothing while the port is closed, replication and
    // read-only nothing while the connection fails: a stopped MariaDB is one problem, its port.
    const held = dependentServices(lab.engines.get("mon-1")?.objectsDir ?? "");
    expect(held.filter((d) => d.startsWith("db-2/")).sort()).toEqual(["db-2/MariaDB connection", "db-2/MariaDB read-only", "db-2/MariaDB replication"]);
    const notifying = checks.filter((c) => !held.includes(`db-2/${c}`));
    expect(notifying).toEqual(["MariaDB port 3306"]);
    const mark = lab.sink.messages().length;
    await lab.db.stopServer("db-2");
    const problems = await after(mark, (n) => n.type === "PROBLEM", notifying.length, quietMs);
    expect(problems.map(describeNotification).sort()).toEqual(notifying.map((c) => `PROBLEM db-2/${c} CRITICAL`));
    for (const n of problems) {
      expect(n.from).toBe(mon1);
      expect(n.message.secure).toBe(true);
      expect(n.message.mailFrom).toBe(lab.spec.notifications.from);
      expect(n.message.rcptTo).toEqual(lab.spec.notifications.email);
      expect(n.message.headers.to).toBe(lab.spec.notifications.email[0]);
      expect(n.message.headers.from).toBe(lab.spec.notifications.from);
    }
    expect(lab.plan.notifications.relay).toEqual({ host: LAB_RELAY_ADDRESS, port: 25 });
    expect(lab.sink.address).toBe(lab.plan.notifications.relay.host);

    const back = lab.sink.messages().length;
    await lab.db.startServer("db-2");
    const recoveries = await after(back, (n) => n.type === "RECOVERY", notifying.length, quietMs);
    expect(recoveries.map(describeNotification).sort()).toEqual(notifying.map((c) => `RECOVERY db-2/${c} OK`));
    expect(recoveries.every((n) => n.from === mon1 && n.message.secure)).toBe(true);
  }, 180_000);

  it("a node failure (the node namespace's links down) sends one notification, the node's, not one per VM behind it", async () => {
    // The plan's children of pve2 that the lab routes through pve2's namespace (mon-2 sits on the core switch).
    const behind = lab.plan.hosts.filter((h) => h.parents.includes("pve2") && lab.behindNode("pve2").includes(h.name)).map((h) => h.name).sort();
    expect(behind).toEqual(["api-2", "db-2"]);
    const mark = lab.sink.messages().length;
    await lab.topology.nodeDown("pve2");
    // Long enough for every VM behind it and each of their services to fail their checks too.
    const down = await after(mark, (n) => n.host === "pve2", 1, quietMs + timing.intervalSeconds * 1000);
    expect(down.map(describeNotification)).toEqual(["PROBLEM pve2 DOWN"]);
    expect(down[0].from).toBe(mon1);
    const seen = lab.engines.get("mon-1")?.status();
    expect(seen?.hosts.filter((h) => behind.includes(h.host)).map((h) => h.state)).toEqual([2, 2]);

    const back = lab.sink.messages().length;
    await lab.topology.nodeUp("pve2");
    const up = await after(back, (n) => n.host === "pve2", 1, quietMs);
    expect(up.map(describeNotification)).toEqual(["RECOVERY pve2 UP"]);
    await lab.allGreen(90_000);
  }, 180_000);

  it("with both engines up a service failure notifies once (the active's); after kill -9 of the active nagios4 a new failure notifies once (the standby's)", async () => {
    const api = lab.services.get("api-1/8443");
    if (!api) throw new Error("the lab has no HTTPS service on api-1");
    // The HTTPS health and certificate checks depend on the port check (dependencies.cfg): one problem.
    const held = dependentServices(active0(lab).objectsDir);
    const apiChecks = lab.plan.checks.filter((c) => c.host === "api-1" && c.command.kind !== "nrpe" && !held.includes(`api-1/${c.description}`)).map((c) => `PROBLEM api-1/${c.description} CRITICAL`).sort();
    expect(apiChecks).toHaveLength(1);
    let mark = lab.sink.messages().length;
    await api.stop();
    const both = await after(mark, (n) => n.host === "api-1", apiChecks.length, quietMs);
    expect(both.map(describeNotification).sort()).toEqual(apiChecks);
    expect(new Set(both.map((n) => n.from))).toEqual(new Set([mon1]));
    await api.start();
    await lab.allGreen(90_000);
    await lab.sinkQuiet(3_000, 60_000);

    const active = lab.engines.get("mon-1");
    const standby = lab.engines.get("mon-2");
    if (!active || !standby) throw new Error("the lab runs no active and standby engine");
    expect(standby.status().notificationsEnabled).toBe(false);
    await active.kill9();
    expect(active.running()).toBe(false);
    await standby.waitForStatus("notifications on (the takeover handler ran)", (s) => s.notificationsEnabled, notifyWithinMs * 2);

    const proxmox = lab.services.get("pve1/8006");
    if (!proxmox) throw new Error("the lab has no Proxmox API stand-in on pve1");
    mark = lab.sink.messages().length;
    await proxmox.stop();
    const alone = await after(mark, (n) => n.host === "pve1", 1, quietMs);
    expect(alone.filter((n) => n.host === "pve1").map(describeNotification)).toEqual(["PROBLEM pve1/Proxmox API CRITICAL"]);
    expect(alone.filter((n) => n.host === "pve1").map((n) => n.from)).toEqual([mon2]);
    await proxmox.start();
  }, 240_000);
});
