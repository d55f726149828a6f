// Load-balancer failover: real HAProxy 2.6 and keepalived 2.2.7 (Debian 12) from the files the toolkit renders
// for the lab stack's lb-1 and lb-2, in network namespaces on one bridge, in front of a stand-in HTTPS API on
// api-1 and api-2 (test/lab/loadbalancer). A closed-loop client (4 loops, keep-alive off: every request a new
// TLS connection through the API address) runs through each kill. Every figure comes from this one run.
//
//   npm run bench:lb        (root; IBAC_LB_REPEATS=N: repeats per figure, default 3; the median is printed)
//
// (a) an API instance killed with SIGKILL: requests that failed (target 0) and the time until HAProxy marks it
//     down (its "Server api/<name> is DOWN" log line as the logging seam's sink received it; target 2 s).
// (b) the active balancer killed (every process frozen, off the wire, SIGKILL: a VM crash): the time until a
//     request started after the kill succeeds through the address (target 1 s), and when the survivor's notify
//     script logged MASTER; with the spec's VRRPv3 adverts and, in the same run, with keepalived's default 1 s
//     adverts (the same renderer, a spec whose loadBalancer.vrrp.advertIntervalMs is 1000).
// The client gives up on a request after 150 ms in (b) (a SYN sent to the dead balancer would wait for TCP's
// 1 s retransmit), so the first success lags the address's move by up to that. The absolute times are this
// shared machine's; one Linux bridge is the switch (gratuitous ARP reaches the client at once).
import { stackSpec } from "../test/fixtures/specs";
import { startLbLab, type LbLab } from "../test/lab/loadbalancer/lb-lab";
import { failuresSince, firstLogLineAt, median, recoveryGapMs } from "../test/lab/loadbalancer/measure";
import { sleep } from "../test/lab/run";
import type { PlatformSpec } from "../components/spec/schema";

const API_DOWN_TARGET_MS = 2000;
const ADDRESS_BACK_TARGET_MS = 1000;
const LB_CLIENT_TIMEOUT_MS = 150;

const repeatsText = process.env.IBAC_LB_REPEATS ?? "3";
const repeats = Number(repeatsText);

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(25);
  }
}

interface ApiKill {
  name: string;
  downMs: number;
  requests: number;
  failed: number;
}

async function killApis(lab: LbLab): Promise<ApiKill[]> {
  const out: ApiKill[] = [];
  for (let i = 0; i < repeats; i++) {
    const active = await lab.waitForActive();
    const victim = lab.apis[i % lab.apis.length];
    const client = await lab.startClient({ workers: 4, timeoutMs: 5000 });
    await sleep(1000);
    const killedAt = Date.now();
    lab.killApi(victim.name);
    const down = await until(`${victim.name} DOWN in HAProxy's log`, 15_000, () => firstLogLineAt(lab.haproxyLog(active.name), killedAt, new RegExp(`Server [\\w-]+/${victim.name} is DOWN`)));
    await sleep(1000);
    const results = await client.stop();
    out.push({ name: victim.name, downMs: down.atMs - killedAt, requests: results.filter((r) => r.endMs >= killedAt).length, failed: failuresSince(results, killedAt).length });
    await lab.startApi(victim.name);
    await until(`${victim.name} UP again`, 15_000, async () => ((await lab.showStat(active.name)).find((r) => r.server === victim.name)?.status === "UP" ? true : undefined));
  }
  return out;
}

interface LbKill {
  killed: string;
  masterMs: number;
  gapMs: number;
  failed: number;
}

async function killBalancers(lab: LbLab): Promise<LbKill[]> {
  const out: LbKill[] = [];
  for (let i = 0; i < repeats; i++) {
    const active = await lab.waitForActive();
    const other = lab.balancers.find((b) => b !== active);
    if (!other) throw new Error("the lab has one balancer");
    const client = await lab.startClient({ workers: 4, timeoutMs: LB_CLIENT_TIMEOUT_MS });
    await sleep(1000);
    const killedAt = lab.killBalancer(active.name);
    const gapMs = await until("a request started after the kill succeeding", 20_000, () => recoveryGapMs(client.results(), killedAt));
    await sleep(500);
    const results = await client.stop();
    const master = firstLogLineAt(lab.haproxyLog(other.name), killedAt, /keepalived-notify: instance ibac_loadBalancer is now MASTER/);
    out.push({ killed: active.name, masterMs: master ? master.atMs - killedAt : NaN, gapMs, failed: failuresSince(results, killedAt).length });
    const bootedAt = Date.now();
    await lab.bootBalancer(active.name);
    await until(`${active.name} back as BACKUP`, 15_000, () => firstLogLineAt(lab.haproxyLog(active.name), bootedAt, /is now BACKUP/));
    await sleep(500);
  }
  return out;
}

async function withLab<T>(spec: PlatformSpec, f: (lab: LbLab) => Promise<T>): Promise<T> {
  const lab = await startLbLab({ spec });
  try {
    return await f(lab);
  } finally {
    await lab.stop();
  }
}

const ms = (n: number): string => `${Math.round(n)} ms`.padStart(8);
const ofTarget = (n: number, target: number): string => `${(n / target).toFixed(2)} of the ${target} ms target`;

async function main(): Promise<void> {
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) {
    console.error(`IBAC_LB_REPEATS: expected an integer from 1 to 20, found ${JSON.stringify(repeatsText)}`);
    process.exit(2);
  }
  const spec = stackSpec("lab");
  const specAdvert = spec.loadBalancer.vrrp.advertIntervalMs;
  const hc = spec.loadBalancer.healthCheck;
  const defaultAdverts = structuredClone(spec);
  defaultAdverts.loadBalancer.vrrp.advertIntervalMs = 1000;

  const { apiKills, fast } = await withLab(spec, async (lab) => ({ apiKills: await killApis(lab), fast: await killBalancers(lab) }));
  const slow = await withLab(defaultAdverts, killBalancers);

  console.log(`Load-balancer failover (lab stack; real HAProxy and keepalived in network namespaces; ${repeats} repeats each, medians)`);
  console.log(`client: 4 closed-loop loops, keep-alive off, lab CA and public name verified`);
  console.log(`(a) an API instance killed (SIGKILL), health check every ${hc.intervalMs} ms, fall ${hc.fall}`);
  for (const k of apiKills) console.log(`    ${k.name.padEnd(6)} marked DOWN after ${ms(k.downMs)}   failed ${k.failed} of ${k.requests} requests`);
  const downMedian = median(apiKills.map((k) => k.downMs));
  const failedTotal = apiKills.reduce((n, k) => n + k.failed, 0);
  const requestsTotal = apiKills.reduce((n, k) => n + k.requests, 0);
  console.log(`    median marked DOWN ${ms(downMedian)} = ${ofTarget(downMedian, API_DOWN_TARGET_MS)}`);
  console.log(`    failed requests    ${failedTotal} of ${requestsTotal} (target 0)`);
  const table = (label: string, kills: LbKill[]): { gap: number; master: number } => {
    console.log(`    ${label}`);
    for (const k of kills) console.log(`      ${k.killed} killed: survivor MASTER after ${ms(k.masterMs)}, first success after ${ms(k.gapMs)}, ${k.failed} attempts failed around the kill (timeouts of ${LB_CLIENT_TIMEOUT_MS} ms, retried at once)`);
    const gap = median(kills.map((k) => k.gapMs));
    const master = median(kills.map((k) => k.masterMs));
    console.log(`      median: MASTER ${ms(master)}, address answers again ${ms(gap)} = ${ofTarget(gap, ADDRESS_BACK_TARGET_MS)}`);
    return { gap, master };
  };
  console.log(`(b) the active load balancer killed (frozen, off the wire, SIGKILL); client timeout ${LB_CLIENT_TIMEOUT_MS} ms`);
  const f = table(`VRRPv3 adverts every ${specAdvert} ms (the spec)`, fast);
  const s = table(`adverts every 1000 ms (keepalived's default; same renderer)`, slow);
  console.log(`    ratio default/spec: address back ${(s.gap / f.gap).toFixed(2)}x, MASTER ${(s.master / f.master).toFixed(2)}x (advert interval ${(1000 / specAdvert).toFixed(1)}x)`);
  if (failedTotal > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
