import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planLoadBalancer } from "../../components/loadbalancer/lb-plan";
import { renderHaproxyCfg } from "../../components/loadbalancer/render-haproxy-cfg";
import { renderNonlocalBindSysctl } from "../../components/network/vrrp/render-nonlocal-bind-sysctl";
import { renderKeepalivedConf } from "../../components/network/vrrp/render-keepalived-conf";
import { planVrrpInstance } from "../../components/network/vrrp/vrrp-plan";
import { tlsPolicy } from "../../components/pki/tls-policy";
import { stackSpec } from "../fixtures/specs";
import { LAB_SCRIPT_USER, labHaproxyTrack } from "../lab/loadbalancer/rendered";
import { startLbLab, type LbLab, type LbLabApi, type StatRow } from "../lab/loadbalancer/lb-lab";
import { answeredBy, failuresSince, firstLogLineAt, recoveryGapMs } from "../lab/loadbalancer/measure";
import { sleep } from "../lab/run";

// Proof: real HAProxy 2.6 and keepalived 2.2.7 (Debian 12) from the files the toolkit renders for the lab
// stack's lb-1 and lb-2 (VRRPv3 unicast between the two, the spec's 200 ms adverts and health-check timing),
// in network namespaces on one Linux bridge with the model's addresses, under a closed-loop client (keep-alive
// off: every request is a new TCP connection and TLS handshake through the address). A "killed VM" is SIGKILL
// to every process in its namespace and its bridge port down.
// Unproven here: real VMs and Proxmox networking (vmbr0, the Proxmox firewall letting VRRP through);
// gratuitous ARP through a real switch and the upstream router's ARP cache (here one Linux bridge, whose
// neighbours accept it at once); a killed API VM whose connections time out instead of being reset (here the
// namespace stays and answers with RST); HAProxy 3.0 and keepalived 2.3 (trixie). Timings are this shared
// machine's; the tests assert outcomes, bench/lb-failover.ts prints the figures.

const spec = stackSpec("lab");
let lab: LbLab;

beforeAll(async () => {
  lab = await startLbLab({ spec });
});

afterAll(async () => {
  await lab?.stop();
});

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

const statusOf = (rows: StatRow[], api: LbLabApi): string | undefined => rows.find((r) => r.server === api.name)?.status;

describe("load-balancer failover: real HAProxy, keepalived (VRRPv3 unicast) and network namespaces, rendered files", () => {
  it("the lab ran the toolkit's files: haproxy.cfg and the sysctl drop-in as rendered for each lb VM with the lab's paths, keepalived.conf changed in its script_user only", () => {
    for (const b of lab.balancers) {
      const haproxy = renderHaproxyCfg(planLoadBalancer(lab.model, spec), tlsPolicy(spec), b.layout.haproxy);
      expect(fs.readFileSync(b.layout.haproxy.configFile, "utf8")).toBe(haproxy);
      expect(fs.readFileSync(b.layout.sysctlDropIn, "utf8")).toBe(renderNonlocalBindSysctl());
      const keepalived = renderKeepalivedConf([planVrrpInstance(lab.model, spec, { virtualAddress: "loadBalancer", vmName: b.name, track: labHaproxyTrack(b.layout) })], b.layout.keepalived, b.name);
      const ran = fs.readFileSync(b.layout.keepalived.configFile, "utf8");
      const differing = ran.split("\n").filter((line, i) => line !== keepalived.split("\n")[i]);
      expect(differing).toEqual([`    script_user ${LAB_SCRIPT_USER}`]);
      expect(ran).toContain(`advert_int ${spec.loadBalancer.vrrp.advertIntervalMs / 1000}`);
    }
  });

  it("the logging seam: HAProxy's request lines and the notify script's VRRP transitions reach the log target the renderers were given", async () => {
    const active = await lab.waitForActive();
    const client = await lab.startClient({ workers: 2 });
    await sleep(500);
    await client.stop();
    await waitFor("request log lines", 5000, async () => (lab.haproxyLog(active.name).some((l) => /haproxy\[\d+\]: .*"GET \/echo HTTP\/1\.1"/.test(l)) ? true : undefined));
    const log = lab.haproxyLog(active.name);
    expect(log.filter((l) => /<134>.*haproxy\[\d+\]: /.test(l)).length).toBeGreaterThan(0);
    expect(log.some((l) => /keepalived-notify: instance ibac_loadBalancer is now MASTER \(priority \d+\)$/.test(l)), log.slice(-5).join("\n")).toBe(true);
    const backup = lab.balancers.find((b) => b !== active);
    expect(lab.haproxyLog(backup?.name ?? "").some((l) => /keepalived-notify: instance ibac_loadBalancer is now BACKUP/.test(l))).toBe(true);
  });

  it("an API instance killed with kill -9 under steady closed-loop load: HAProxy marks it DOWN (show stat and its log) and the client sees 0 failed requests", async () => {
    const active = await lab.waitForActive();
    const [victim, survivor] = lab.apis;
    const client = await lab.startClient({ workers: 4, timeoutMs: 5000 });
    await sleep(1000);
    const killedAt = Date.now();
    lab.killApi(victim.name);
    await waitFor(`${victim.name} DOWN in show stat`, 15_000, async () => (statusOf(await lab.showStat(active.name), victim)?.startsWith("DOWN") ? true : undefined));
    const downAt = Date.now();
    await sleep(1000);
    const results = await client.stop();
    const failed = failuresSince(results, killedAt);
    expect(results.filter((r) => r.startMs >= killedAt).length).toBeGreaterThan(20);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(Object.keys(answeredBy(results, downAt + 100))).toEqual([survivor.name]);
    expect(firstLogLineAt(lab.haproxyLog(active.name), killedAt, new RegExp(`Server [\\w-]+/${victim.name} is DOWN`))).toBeDefined();
    console.log(`${victim.name} killed: DOWN in show stat after <= ${downAt - killedAt} ms; ${results.length} requests, ${failed.length} failed`);
    // Back in rotation for the next test (the health check's rise).
    await lab.startApi(victim.name);
    await waitFor(`${victim.name} UP again`, 15_000, async () => (statusOf(await lab.showStat(active.name), victim) === "UP" ? true : undefined));
  });

  it("HAProxy killed with kill -9 on the active load balancer, keepalived still running: the rendered chk_haproxy track fails, the instance goes FAULT and the address moves to the other", async () => {
    const active = await lab.waitForActive();
    const other = lab.balancers.find((b) => b !== active);
    if (!other) throw new Error("the lab has one balancer");
    const client = await lab.startClient({ workers: 4, timeoutMs: 150 });
    await sleep(500);
    const killedAt = lab.killHaproxy(active.name);
    const fault = await waitFor(`${active.name} FAULT`, 15_000, async () => firstLogLineAt(lab.haproxyLog(active.name), killedAt, /instance ibac_loadBalancer is now FAULT/));
    const master = await waitFor(`${other.name} MASTER`, 15_000, async () => firstLogLineAt(lab.haproxyLog(other.name), killedAt, /instance ibac_loadBalancer is now MASTER/));
    const gap = await waitFor("a successful request started after the kill", 15_000, async () => recoveryGapMs(client.results(), killedAt));
    await sleep(500);
    const results = await client.stop();
    expect((await lab.activeBalancer())?.name).toBe(other.name);
    expect(results.filter((r) => !r.ok && r.startMs >= killedAt + gap)).toEqual([]);
    console.log(`HAProxy killed on ${active.name}: FAULT after ${fault.atMs - killedAt} ms, ${other.name} MASTER after ${master.atMs - killedAt} ms, first success after ${gap} ms`);
    // HAProxy back (systemd would restart it): the track passes again, the instance leaves FAULT as BACKUP.
    const restartedAt = Date.now();
    await lab.startHaproxy(active.name);
    await waitFor(`${active.name} BACKUP again`, 15_000, async () => firstLogLineAt(lab.haproxyLog(active.name), restartedAt, /instance ibac_loadBalancer is now BACKUP/));
    expect((await lab.activeBalancer())?.name).toBe(other.name);
  });

  it("the active load balancer killed as a crashed VM (keepalived and HAProxy frozen, its port down, kill -9): the API address answers from the other one and the recovered one stays backup (nopreempt)", async () => {
    const active = await lab.waitForActive();
    const other = lab.balancers.find((b) => b !== active);
    if (!other) throw new Error("the lab has one balancer");
    // A short per-request timeout: a SYN sent to the dead balancer's MAC would otherwise wait for TCP's 1 s retransmit.
    const client = await lab.startClient({ workers: 4, timeoutMs: 150 });
    await sleep(1000);
    const killedAt = lab.killBalancer(active.name);
    const gap = await waitFor("a successful request started after the kill", 15_000, async () => recoveryGapMs(client.results(), killedAt));
    await sleep(1000);
    const results = await client.stop();
    expect((await lab.activeBalancer())?.name).toBe(other.name);
    const took = firstLogLineAt(lab.haproxyLog(other.name), killedAt, /keepalived-notify: instance ibac_loadBalancer is now MASTER/);
    expect(took, lab.haproxyLog(other.name).slice(-5).join("\n")).toBeDefined();
    // Every request that started after the first success succeeded: the address has settled on the survivor.
    const lateFailures = results.filter((r) => !r.ok && r.startMs >= killedAt + gap);
    expect(lateFailures, JSON.stringify(lateFailures.slice(0, 5))).toEqual([]);
    expect(results.filter((r) => r.ok && r.startMs > killedAt + gap).length).toBeGreaterThan(10);
    console.log(`${active.name} killed: ${other.name} MASTER after ${(took?.atMs ?? 0) - killedAt} ms; first success after ${gap} ms; ${failuresSince(results, killedAt).length} failed requests around the kill`);
    await lab.bootBalancer(active.name);
    await waitFor(`${active.name} back as BACKUP`, 15_000, async () => (firstLogLineAt(lab.haproxyLog(active.name), killedAt, /is now BACKUP/) ? true : undefined));
    // nopreempt: the recovered balancer does not take the address back.
    await sleep(1000);
    expect((await lab.activeBalancer())?.name).toBe(other.name);
  });
});
