// The prod firewall, compiled to nftables, against real packets between network namespaces: every intended
// opening connects, every other (source, host, protocol, port) is dropped (a timeout, not a refusal).
// Expectations come from the model's flows (`intendedOpenings`), never from a hand-written matrix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../components/model/build";
import type { PlatformModel } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import { renderFirewallPlan, type FirewallPlan } from "../../components/network/firewall/rules";
import { renderNftables } from "../../components/network/firewall/render-nftables";
import { allowedOpenings, intendedOpenings, type Opening } from "../../components/network/firewall/reachability";
import { stackSpec } from "../fixtures/specs";
import { addressInCidr, inCidr, startFirewallLab, type FirewallLab, type FirewallLabMemberSpec, type Probe, type ProbeProtocol, type ProbeResult } from "../lab/firewall/firewall-lab";

/** The firewalled hosts: the primary and a replica, an API VM, a load balancer, monitoring, a node, a VPN VM. */
const TARGETS = ["db-1", "db-2", "api-1", "lb-1", "mon-1", "pve1", "vpn-1"];
/** Peers that only send: one of each tier or zone the targets' rules name that no target stands for. */
const PEERS = ["frs-1", "bkp-1", "mon-2", "lb-2", "pve2"];
/** A port no flow opens anywhere (a listener serves it, so only the firewall can make it time out). */
const UNLISTED_TCP = 2222;
const UNLISTED_UDP = 2223;
/** A firewall-free namespace every source must reach: proves each source's path works. */
const SINK = { name: "sink", address: "192.0.2.10", port: 7 };
const TIMEOUT_SECONDS = 1.5;

interface Setup {
  spec: PlatformSpec;
  model: PlatformModel;
  plan: FirewallPlan;
  intended: Opening[];
}

function setup(): Setup {
  const spec = stackSpec("prod");
  const { model } = buildModel(spec);
  if (!model) throw new Error("prod: no model");
  const plan = renderFirewallPlan(model, spec);
  return { spec, model, plan, intended: intendedOpenings(model, spec) };
}

function range(ports: string): [number, number] {
  const [low, high] = ports.split(":").map(Number);
  return [low, high ?? low];
}

/** The ports to probe on a host: both ends of every opening, one past each end of a range, an unlisted port. */
function probePorts(intended: readonly Opening[], host: string): { proto: ProbeProtocol; port: number }[] {
  const seen = new Map<string, { proto: ProbeProtocol; port: number }>();
  const add = (proto: ProbeProtocol, port: number): void => {
    seen.set(`${proto}/${port}`, { proto, port });
  };
  for (const o of intended.filter((x) => x.host === host)) {
    if (o.protocol === "vrrp") add("vrrp", 0);
    if (o.protocol !== "tcp" && o.protocol !== "udp") continue;
    const [low, high] = range(o.ports);
    for (const p of low === high ? [low] : [low - 1, low, high, high + 1]) add(o.protocol, p);
  }
  add("tcp", UNLISTED_TCP);
  add("udp", UNLISTED_UDP);
  add("vrrp", 0);
  return [...seen.values()];
}

/** Whether the design lets `src` reach `host` on proto/port. */
function intendedOpen(intended: readonly Opening[], src: string, host: string, proto: ProbeProtocol, port: number): boolean {
  return intended.some((o) => {
    if (o.host !== host || o.protocol !== proto) return false;
    if (proto !== "vrrp") {
      const [low, high] = range(o.ports);
      if (port < low || port > high) return false;
    }
    // A `dns:` member is a name no firewall can match: it opens nothing.
    return o.members.some((m) => !m.startsWith("dns:") && inCidr(src, m));
  });
}

describe("prod firewall as nftables: real packets between network namespaces", () => {
  const { spec, plan, intended } = setup();
  const hostAddresses = new Map(plan.hosts.map((h) => [h.host, h.addresses]));
  const addressesOf = (name: string): string[] => {
    const a = hostAddresses.get(name);
    if (!a) throw new Error(`no host ${name} in the prod plan`);
    return a;
  };
  const zones: FirewallLabMemberSpec[] = [
    { name: "admin", addresses: [addressInCidr(spec.networks.admin.cidr, 10)] },
    { name: "vpn-client", addresses: [addressInCidr(spec.networks.vpnClients.cidr, 10)] },
    { name: "internet", addresses: ["203.0.113.10"] },
    { name: "statistics", addresses: [spec.vpn.siteTunnel.peerAddress] },
  ];
  const ports = new Map(TARGETS.map((t) => [t, probePorts(intended, t)]));
  const members: FirewallLabMemberSpec[] = [
    ...TARGETS.map((t) => {
      const p = ports.get(t) ?? [];
      return {
        name: t,
        addresses: addressesOf(t),
        ruleset: renderNftables(plan.hosts.find((h) => h.host === t) ?? plan.hosts[0], plan.sets),
        listen: { tcp: p.filter((x) => x.proto === "tcp").map((x) => x.port), udp: p.filter((x) => x.proto === "udp").map((x) => x.port), vrrp: true },
      };
    }),
    ...PEERS.map((p) => ({ name: p, addresses: addressesOf(p) })),
    ...zones,
    { name: SINK.name, addresses: [SINK.address], listen: { tcp: [SINK.port], udp: [], vrrp: false } },
  ];

  // Every probe: from every address of every member but the sink, to every address of every other target.
  const probes = new Map<string, Probe[]>();
  const expected = new Map<string, ProbeResult>();
  for (const source of members.filter((m) => m.name !== SINK.name)) {
    const list: Probe[] = [];
    for (const src of source.addresses) {
      list.push({ id: `${source.name} ${src} -> sink tcp/${SINK.port}`, src, dst: SINK.address, proto: "tcp", port: SINK.port });
      for (const target of TARGETS.filter((t) => t !== source.name)) {
        for (const dst of addressesOf(target)) {
          for (const { proto, port } of ports.get(target) ?? []) {
            // VRRP only from namespaces no probe is sent to: conntrack tracks protocol 112 by addresses alone,
            // so once T has sent any VRRP packet to S, every later one from S to T is "established" (a probe
            // from T to S would open T to S). The targets send to each other, so they do not probe VRRP.
            if (proto === "vrrp" && TARGETS.includes(source.name)) continue;
            const id = `${source.name} ${src} -> ${target} ${dst} ${proto}/${port}`;
            list.push({ id, src, dst, proto, port });
            expected.set(id, intendedOpen(intended, src, target, proto, port) ? "open" : "timeout");
          }
        }
      }
    }
    probes.set(source.name, list);
  }

  let lab: FirewallLab | undefined;
  let results = new Map<string, ProbeResult>();
  let probeMs = 0;

  beforeAll(async () => {
    lab = await startFirewallLab(members);
    const started = Date.now();
    results = await lab.probe(probes, TIMEOUT_SECONDS);
    probeMs = Date.now() - started;
  }, 90_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it("the lab's zone addresses are where the plan puts them, and the internet address is in no other set", () => {
    expect(inCidr(zones[0].addresses[0], spec.networks.admin.cidr)).toBe(true);
    expect(inCidr(zones[1].addresses[0], spec.networks.vpnClients.cidr)).toBe(true);
    const holding = plan.sets.filter((s) => s.members.some((m) => !m.startsWith("dns:") && inCidr("203.0.113.10", m))).map((s) => s.name);
    expect(holding).toEqual(["zone-mobiles"]);
    // The rules allow what the design intends (the pure analysis), so the packets test both.
    const key = (o: Opening): string => `${o.members.join(",")}|${o.host}|${o.protocol}|${o.ports}`;
    expect(allowedOpenings(plan).map(key).sort()).toEqual(intended.map(key).sort());
  });

  it("each host namespace runs its rendered ruleset", async () => {
    if (!lab) throw new Error("no lab");
    for (const t of TARGETS) {
      const listed = await lab.listRuleset(t);
      expect(listed).toMatch(/policy drop;/);
      const flows = (plan.hosts.find((h) => h.host === t)?.rules ?? []).map((r) => r.flowId);
      expect([...listed.matchAll(/comment "([^"]*)"/g)].map((m) => m[1])).toEqual(flows);
    }
  });

  it("every source address reaches the firewall-free sink (the network itself works)", () => {
    const sink = [...results].filter(([id]) => id.includes("-> sink "));
    expect(sink.length).toBe(members.filter((m) => m.name !== SINK.name).flatMap((m) => m.addresses).length);
    expect(sink.filter(([, r]) => r !== "open")).toEqual([]);
  });

  it("every intended opening connects and everything else is dropped (timeout, never refused)", () => {
    const mismatches = [...expected].filter(([id, want]) => results.get(id) !== want).map(([id, want]) => `${id}: expected ${want}, got ${results.get(id) ?? "no result"}`);
    expect(mismatches).toEqual([]);
    const opened = [...expected.values()].filter((r) => r === "open").length;
    const dropped = [...expected.values()].filter((r) => r === "timeout").length;
    expect(opened).toBeGreaterThan(100);
    expect(dropped).toBeGreaterThan(1000);
    expect(probeMs).toBeLessThan(30_000);
  });

  it("covers each target address, each zone and each protocol with at least one opening", () => {
    const openIds = [...expected].filter(([, r]) => r === "open").map(([id]) => id);
    for (const t of TARGETS) for (const a of addressesOf(t)) expect(openIds.some((id) => id.includes(`-> ${t} ${a} `)), `${t} ${a}`).toBe(true);
    for (const z of zones) expect(openIds.some((id) => id.startsWith(`${z.name} `)), z.name).toBe(true);
    for (const proto of ["tcp", "udp", "vrrp"]) expect(openIds.some((id) => id.includes(` ${proto}/`)), proto).toBe(true);
    // Port ranges: both ends open, one past each end dropped.
    expect(expected.get(`pve2 ${addressesOf("pve2")[1]} -> pve1 ${addressesOf("pve1")[1]} udp/5405`)).toBe("open");
    expect(expected.get(`pve2 ${addressesOf("pve2")[1]} -> pve1 ${addressesOf("pve1")[1]} udp/5406`)).toBe("timeout");
  });
});
