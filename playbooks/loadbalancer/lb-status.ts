import type { Runbook, StepContext } from "../engine/types";
import { UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import { API_BACKEND } from "../../components/loadbalancer/render-haproxy-cfg";
import type { LoadBalancerHost, LoadBalancerInventory } from "./inventory";
import { holdsAddress, parseShowStat, type StatRow } from "./haproxy-stat";

type Finding = ["degraded" | "down", string];
type Context = StepContext<LoadBalancerInventory>;

/** The probes lb-status runs on each load balancer (read-only). */
export function lbStatusCommands(inventory: LoadBalancerInventory): { address: string; services: string; stat: string } {
  return {
    address: `ip -o -4 addr show dev ${shellQuote(inventory.interface)}`,
    services: "systemctl is-active haproxy.service keepalived.service",
    // The stats socket is level user: show stat reads, it changes nothing.
    stat: `echo 'show stat' | socat stdio ${shellQuote(`UNIX-CONNECT:${inventory.statsSocket}`)}`,
  };
}

const UNREACHABLE = 255;

interface HostReading {
  host: LoadBalancerHost;
  reachable: boolean;
  holds?: boolean;
  services?: { haproxy: string; keepalived: string };
  servers?: StatRow[];
  problem?: string;
}

async function readHost(ctx: Context, host: LoadBalancerHost): Promise<HostReading> {
  const c = lbStatusCommands(ctx.inventory);
  const addr = await ctx.probe(host, c.address, { allowFailure: true });
  if (addr.code === UNREACHABLE) return { host, reachable: false };
  const reading: HostReading = { host, reachable: true, holds: addr.code === 0 && holdsAddress(addr.stdout, ctx.inventory.virtualAddress) };
  const services = await ctx.probe(host, c.services, { allowFailure: true });
  const [haproxy = "", keepalived = ""] = services.stdout.split("\n").map((l) => l.trim());
  const state = (s: string): string => (/^[a-z-]{1,20}$/.test(s) ? s : "unknown");
  reading.services = { haproxy: state(haproxy), keepalived: state(keepalived) };
  const stat = await ctx.probe(host, c.stat, { allowFailure: true });
  if (stat.code !== 0) return { ...reading, problem: `show stat failed (exit ${stat.code})` };
  try {
    reading.servers = parseShowStat(stat.stdout, `${host.name}: show stat`).filter((r) => r.proxy === API_BACKEND && r.server !== "BACKEND");
  } catch (e) {
    if (!(e instanceof UnsafeStateError)) throw e;
    return { ...reading, problem: e.message };
  }
  return reading;
}

function findingsOf(readings: HostReading[], address: string): Finding[] {
  const findings: Finding[] = [];
  const holders = readings.filter((r) => r.holds);
  if (holders.length === 0) findings.push(["down", `no load balancer holds the API's address ${address}`]);
  if (holders.length > 1) findings.push(["down", `${holders.map((r) => r.host.name).join(" and ")} all hold ${address}: the VRRP peers do not hear each other`]);
  for (const r of readings) {
    if (!r.reachable) {
      findings.push(["degraded", `${r.host.name} does not answer: the address has no load balancer to move to`]);
      continue;
    }
    for (const [daemon, state] of Object.entries(r.services ?? {})) if (state !== "active") findings.push(["degraded", `${r.host.name}: ${daemon} is ${state}`]);
    if (r.problem) findings.push(["degraded", `${r.host.name}: HAProxy's view not readable (${r.problem})`]);
    const down = (r.servers ?? []).filter((s) => !s.status.startsWith("UP"));
    if (r.servers && r.servers.length > 0 && down.length === r.servers.length) findings.push([r.holds ? "down" : "degraded", `${r.host.name}: no API instance is UP in HAProxy`]);
    else for (const s of down) findings.push(["degraded", `${r.host.name}: API instance ${s.server} is ${s.status} (last check ${s.checkStatus || "none"})`]);
  }
  return findings;
}

/** Probes only: who holds the API's address, HAProxy's and keepalived's state, each API instance as HAProxy sees it. */
export const lbStatus: Runbook<LoadBalancerInventory> = {
  name: "lb-status",
  summary: "the load balancers at a glance: who holds the API's address, HAProxy and keepalived, each API instance's check; exit 0 healthy, 5 degraded, 6 down",
  mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
  steps: (inventory) => [
    {
      name: "Probe the address, HAProxy and keepalived on every load balancer",
      hosts: () => inventory.hosts.map((h) => h.name),
      action: async (ctx: Context) => {
        const readings: HostReading[] = [];
        for (const host of ctx.inventory.hosts) readings.push(await readHost(ctx, host));
        ctx.note(`API address ${ctx.inventory.virtualAddress}: ${readings.filter((r) => r.holds).map((r) => r.host.name).join(", ") || "held by nobody"}`);
        for (const r of readings) {
          if (!r.reachable) {
            ctx.note(`  ${r.host.name}: does not answer`);
            continue;
          }
          const servers = r.servers ? r.servers.map((s) => `${s.server} ${s.status}${s.checkStatus ? ` (${s.checkStatus})` : ""}`).join(", ") : "not read";
          ctx.note(`  ${r.host.name}: ${r.holds ? "MASTER (holds the address)" : "backup"}; haproxy ${r.services?.haproxy}, keepalived ${r.services?.keepalived}; API instances: ${servers}`);
        }
        const findings = findingsOf(readings, ctx.inventory.virtualAddress);
        for (const [severity, message] of findings) ctx.finding(severity, message);
        ctx.report.verdict = findings.some(([s]) => s === "down") ? "down" : findings.length ? "degraded" : "healthy";
      },
    },
  ],
};
