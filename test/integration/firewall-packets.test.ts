// The prod firewall, compiled to nftables, against real packets between network namespaces: one namespace per
// firewalled host of the plan (every VM, every Proxmox node, the QDevice host) and per zone the flows name, a
// listener on every port of the matrix in each, and every source probing every port of every host at once:
// every intended opening connects, every other (source, host, protocol, port) is dropped (a timeout, never a
// refusal). Expectations come from the model's flows (`intendedOpenings`), never from a hand-written matrix.
// A firewall-free sink every source must reach on every probed port proves the lab itself (paths, listeners,
// prober), so a timeout at a host is its firewall's doing. VRRP is not echoed: the destination's listener
// records what reached it (see test/lab/firewall/listen.py).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../components/model/build";
import { FLOW_ZONES, type FlowZone, type PlatformModel } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import { renderFirewallPlan, type FirewallPlan } from "../../components/network/firewall/rules";
import { renderNftables } from "../../components/network/firewall/render-nftables";
import { resolveEndpoint } from "../../components/network/firewall/address-sets";
import { allowedOpenings, intendedOpenings, type Opening } from "../../components/network/firewall/reachability";
import { stackSpec } from "../fixtures/specs";
import { addressInCidr, EPHEMERAL_LOW, inCidr, startFirewallLab, type FirewallLab, type FirewallLabMemberSpec, type Probe, type ProbeProtocol, type ProbeResult } from "../lab/firewall/firewall-lab";

/** A port no flow opens anywhere (every listener serves it, so only the firewall can make it time out). */
const UNLISTED_TCP = 2222;
const UNLISTED_UDP = 2223;
/** Where the lab puts a zone's address inside a zone given as a CIDR. */
const ZONE_OFFSET = 10;
/** The internet (`0.0.0.0/0`, the mobiles) stands in the lab at a documentation address. */
const INTERNET = "203.0.113.10";
/** A zone given only by name (a `dns:` member, which no firewall can match) stands at this documentation address. */
const NAMED_HOST = "192.0.2.25";
/** A firewall-free namespace every source must reach on every probed port: proves each path, port and protocol. */
const SINK = { name: "sink", address: "192.0.2.10" };
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

interface Port {
  proto: ProbeProtocol;
  port: number;
}

/**
 * The ports of the matrix, probed on every host: both ends of every opening of any host, one past each end of
 * a range, an unlisted TCP and UDP port, and VRRP. A tier's port is so also probed on every other host.
 */
function matrixPorts(intended: readonly Opening[]): Port[] {
  const seen = new Map<string, Port>();
  const add = (proto: ProbeProtocol, port: number): void => {
    seen.set(`${proto}/${port}`, { proto, port });
  };
  for (const o of intended) {
    if (o.protocol === "vrrp") add("vrrp", 0);
    if (o.protocol !== "tcp" && o.protocol !== "udp") continue;
    const [low, high] = range(o.ports);
    for (const p of low === high ? [low] : [low - 1, low, high, high + 1]) add(o.protocol, p);
  }
  add("tcp", UNLISTED_TCP);
  add("udp", UNLISTED_UDP);
  add("vrrp", 0);
  return [...seen.values()].sort((a, b) => a.proto.localeCompare(b.proto) || a.port - b.port);
}

/** The ports probed on `host`: the matrix's, and one past each end of every opening of this host (a widened port shows). */
function hostPorts(intended: readonly Opening[], matrix: readonly Port[], host: string): Port[] {
  const seen = new Map(matrix.map((p) => [`${p.proto}/${p.port}`, p]));
  for (const o of intended.filter((x) => x.host === host)) {
    if (o.protocol !== "tcp" && o.protocol !== "udp") continue;
    const [low, high] = range(o.ports);
    for (const port of [low - 1, high + 1]) seen.set(`${o.protocol}/${port}`, { proto: o.protocol, port });
  }
  return [...seen.values()].sort((a, b) => a.proto.localeCompare(b.proto) || a.port - b.port);
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

/** One lab address per member of a zone: an address as is, a CIDR's ZONE_OFFSET-th address, the internet's stand-in. */
function zoneAddresses(zone: FlowZone, model: PlatformModel, spec: PlatformSpec): string[] {
  const addresses = resolveEndpoint({ kind: "zone", zone }, model, spec).flatMap((m) => {
    if (m.startsWith("dns:")) return [];
    if (m === "0.0.0.0/0") return [INTERNET];
    const [base, bits] = m.split("/");
    return bits === undefined || bits === "32" ? [base] : [addressInCidr(m, ZONE_OFFSET)];
  });
  return addresses.length > 0 ? addresses : [NAMED_HOST];
}

describe("prod firewall as nftables: real packets between network namespaces, every host and every zone", () => {
  const { spec, model, plan, intended } = setup();
  const targets = plan.hosts.map((h) => h.host);
  const matrix = matrixPorts(intended);
  const portsOf = new Map(targets.map((t) => [t, hostPorts(intended, matrix, t)]));
  /** Every port probed on some host: the sink serves and is probed on them all. */
  const ports = [...new Map([...portsOf.values()].flat().map((p) => [`${p.proto}/${p.port}`, p])).values()];
  const hostAddresses = new Map(plan.hosts.map((h) => [h.host, h.addresses]));
  const addressesOf = (name: string): string[] => {
    const a = hostAddresses.get(name);
    if (!a) throw new Error(`no host ${name} in the prod plan`);
    return a;
  };
  /** Sets that hold every address (the internet): being in one says nothing about a host or a zone. */
  const everywhere = new Set(plan.sets.filter((s) => s.members.includes("0.0.0.0/0")).map((s) => s.name));
  const setsHolding = (address: string): string[] =>
    plan.sets.filter((s) => !everywhere.has(s.name) && s.members.some((m) => !m.startsWith("dns:") && inCidr(address, m))).map((s) => s.name);

  // Zones the flows name. The nodes and the QDevice host are firewalled hosts already: their namespaces are theirs.
  const hostZones: Partial<Record<FlowZone, string[]>> = { proxmoxNodes: model.nodes.map((n) => n.name), qdevice: model.qdevice ? [model.qdevice.name] : [] };
  const flowZones = FLOW_ZONES.filter((z) => model.flows.some((f) => [f.source, f.destination].some((e) => e.kind === "zone" && e.zone === z)));
  const zones: FirewallLabMemberSpec[] = flowZones.filter((z) => !hostZones[z]).map((z) => ({ name: z, addresses: zoneAddresses(z, model, spec) }));
  const hostAndZoneAddresses = new Set([...plan.hosts.flatMap((h) => h.addresses), ...zones.flatMap((z) => z.addresses)]);
  // A stranger on each platform network: an address no set but the internet holds (none exists in admin or vpnClients).
  const strangers: FirewallLabMemberSpec[] = Object.entries(spec.networks).flatMap(([net, n]) => {
    for (let offset = 250; offset > 1; offset--) {
      const a = addressInCidr(n.cidr, offset);
      if (!hostAndZoneAddresses.has(a) && a !== ("gateway" in n ? n.gateway : undefined) && setsHolding(a).length === 0) return [{ name: `stranger-${net}`, addresses: [a] }];
    }
    return [];
  });
  const listenOn = (list: readonly Port[]) => ({ tcp: list.filter((p) => p.proto === "tcp").map((p) => p.port), udp: list.filter((p) => p.proto === "udp").map((p) => p.port), vrrp: true });
  const members: FirewallLabMemberSpec[] = [
    ...plan.hosts.map((h) => ({ name: h.host, addresses: h.addresses, ruleset: renderNftables(h, plan.sets), listen: listenOn(portsOf.get(h.host) ?? []) })),
    ...zones,
    ...strangers,
    { name: SINK.name, addresses: [SINK.address], listen: listenOn(ports) },
  ];
  const sources = members.filter((m) => m.name !== SINK.name);

  // Every probe: from every address of every source, to the sink and to every address of every other host, on every port.
  const probes = new Map<string, Probe[]>();
  const expected = new Map<string, ProbeResult>();
  for (const source of sources) {
    const list: Probe[] = [];
    for (const src of source.addresses) {
      for (const { proto, port } of ports) list.push({ id: `${source.name} ${src} -> sink ${SINK.address} ${proto}/${port}`, src, dst: SINK.address, proto, port });
      for (const target of targets.filter((t) => t !== source.name)) {
        for (const dst of addressesOf(target)) {
          for (const { proto, port } of portsOf.get(target) ?? []) {
            const id = `${source.name} ${src} -> ${target} ${dst} ${proto}/${port}`;
            list.push({ id, src, dst, proto, port });
            expected.set(id, intendedOpen(intended, src, target, proto, port) ? "open" : "timeout");
          }
        }
      }
    }
    probes.set(source.name, list);
  }
  const probeCount = [...probes.values()].reduce((n, l) => n + l.length, 0);

  let lab: FirewallLab | undefined;
  let results = new Map<string, ProbeResult>();
  let probeMs = 0;

  beforeAll(async () => {
    lab = await startFirewallLab(members);
    const started = Date.now();
    results = await lab.probe(probes, TIMEOUT_SECONDS);
    probeMs = Date.now() - started;
    if (process.env.FWLAB_TIMINGS) {
      const open = [...expected.values()].filter((r) => r === "open").length;
      console.log(`${members.length} namespaces, ${probeCount} probes (${open} to open, ${expected.size - open} to drop, ${probeCount - expected.size} to the sink; ${matrix.length} matrix ports); ${lab.timings.join("; ")}`);
    }
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it("stands for every host of the plan and every zone the flows name, at addresses where the plan puts them", () => {
    // Every VM, every node, the QDevice host: all firewalled, all targets.
    expect([...targets].sort()).toEqual([...model.vms.map((v) => v.name), ...model.nodes.map((n) => n.name), ...(model.qdevice ? [model.qdevice.name] : [])].sort());
    expect(plan.hosts.map((h) => h.kind).filter((k) => k === "qdevice")).toHaveLength(1);
    expect(plan.hosts.every((h) => h.rules.length > 0)).toBe(true);
    // Every zone the flows name has a namespace: its own, or the hosts it is made of.
    for (const z of flowZones) {
      const set = plan.sets.find((s) => s.name === `zone-${z}`);
      expect(set, z).toBeDefined();
      const hosts = hostZones[z];
      if (hosts) expect([...(set?.members ?? [])].sort(), z).toEqual(hosts.flatMap(addressesOf).sort());
      else {
        const zone = zones.find((m) => m.name === z);
        expect(zone, z).toBeDefined();
        for (const a of zone?.addresses ?? []) expect(set?.members.some((m) => !m.startsWith("dns:") && inCidr(a, m)) || a === NAMED_HOST, `${z} ${a}`).toBe(true);
      }
    }
    // The stand-ins say nothing about any host or zone but the internet; the strangers are on their networks.
    for (const a of [INTERNET, NAMED_HOST, SINK.address]) expect(setsHolding(a), a).toEqual([]);
    expect(strangers.map((s) => s.name).sort()).toEqual(["stranger-cluster", "stranger-management", "stranger-service", "stranger-storage"]);
    const all = members.flatMap((m) => m.addresses);
    expect(new Set(all).size).toBe(all.length);
    // Probed ports: none is an ephemeral port of the lab, none of the unlisted ones is opened anywhere.
    expect(Math.max(...ports.map((p) => p.port))).toBeLessThan(EPHEMERAL_LOW);
    const covers = (o: Opening, port: number): boolean => range(o.ports)[0] <= port && port <= range(o.ports)[1];
    expect(intended.filter((o) => (o.protocol === "tcp" && covers(o, UNLISTED_TCP)) || (o.protocol === "udp" && covers(o, UNLISTED_UDP)))).toEqual([]);
    // The rules allow what the design intends (the pure analysis), so the packets test both.
    const key = (o: Opening): string => `${o.members.join(",")}|${o.host}|${o.protocol}|${o.ports}`;
    expect(allowedOpenings(plan).map(key).sort()).toEqual(intended.map(key).sort());
  });

  it("every host's ruleset passed nft -c and runs, as rendered, in its namespace", async () => {
    if (!lab) throw new Error("no lab");
    expect([...lab.checked].sort()).toEqual([...targets].sort());
    for (const h of plan.hosts) {
      const listed = await lab.listRuleset(h.host);
      expect(listed).toMatch(/policy drop;/);
      expect([...listed.matchAll(/comment "([^"]*)"/g)].map((m) => m[1]), h.host).toEqual(h.rules.map((r) => r.flowId));
    }
  });

  it("every source address reaches the firewall-free sink on every probed port and protocol (the lab itself works)", () => {
    const sink = [...results].filter(([id]) => id.includes(" -> sink "));
    expect(sink.length).toBe(sources.flatMap((m) => m.addresses).length * ports.length);
    expect(sink.filter(([, r]) => r !== "open")).toEqual([]);
  });

  it("every intended opening connects and everything else is dropped (timeout, never refused)", () => {
    expect(results.size).toBe(probeCount);
    const mismatches = [...expected].filter(([id, want]) => results.get(id) !== want).map(([id, want]) => `${id}: expected ${want}, got ${results.get(id) ?? "no result"}`);
    expect(mismatches).toEqual([]);
    expect([...expected.values()].filter((r) => r === "open").length).toBeGreaterThan(300);
    expect([...expected.values()].filter((r) => r === "timeout").length).toBeGreaterThan(20_000);
    expect(probeMs).toBeLessThan(30_000);
  });

  it("probes every intended opening at both ends and one past each, from inside its source set, and every host on every matrix port", () => {
    const probed = [...expected.keys()].map((id) => {
      const [name, src, , host, dst, what] = id.split(" ");
      const [proto, port] = what.split("/");
      return { id, name, src, host, dst, proto, port: Number(port) };
    });
    for (const o of intended) {
      const [low, high] = o.protocol === "vrrp" ? [0, 0] : range(o.ports);
      const from = (port: number) => probed.filter((p) => p.host === o.host && p.proto === o.protocol && p.port === port && o.members.some((m) => inCidr(p.src, m)));
      for (const port of new Set([low, high])) {
        const at = from(port);
        expect(at.length, `${o.source} -> ${o.host} ${o.protocol}/${port}`).toBeGreaterThan(0);
        expect(at.every((p) => expected.get(p.id) === "open"), `${o.source} -> ${o.host} ${o.protocol}/${port}`).toBe(true);
      }
      if (o.protocol === "vrrp") continue;
      // One past each end: probed for every opening (a widened port would show), dropped for a range.
      for (const port of [low - 1, high + 1]) {
        const at = from(port);
        expect(at.length, `${o.source} -> ${o.host} ${o.protocol}/${port}`).toBeGreaterThan(0);
        if (low !== high) expect(at.every((p) => expected.get(p.id) === "timeout"), `${o.source} -> ${o.host} ${o.protocol}/${port}`).toBe(true);
      }
    }
    // Every host is probed on every port of the matrix, from every address of every source but itself, at each of its addresses.
    const matrixKeys = matrix.map((p) => `${p.proto}/${p.port}`);
    for (const t of targets) expect(matrixKeys.filter((k) => !(portsOf.get(t) ?? []).some((p) => `${p.proto}/${p.port}` === k)), t).toEqual([]);
    const perTarget = (t: string): number => addressesOf(t).length * (portsOf.get(t)?.length ?? 0);
    expect(expected.size).toBe(sources.reduce((n, s) => n + s.addresses.length * targets.filter((t) => t !== s.name).reduce((k, t) => k + perTarget(t), 0), 0));
    // Every host address is reached by something.
    const openIds = [...expected].filter(([, r]) => r === "open").map(([id]) => id);
    for (const t of targets) for (const a of addressesOf(t)) expect(openIds.some((id) => id.includes(` -> ${t} ${a} `)), `${t} ${a}`).toBe(true);
    for (const proto of ["tcp", "udp", "vrrp"]) expect(openIds.some((id) => id.includes(` ${proto}/`)), proto).toBe(true);
    // The corosync range, spelled out: both ends open between the nodes, one past the end dropped.
    const [pve1, pve2] = model.nodes.map((n) => n.name);
    expect(expected.get(`${pve2} ${addressesOf(pve2)[1]} -> ${pve1} ${addressesOf(pve1)[1]} udp/5405`)).toBe("open");
    expect(expected.get(`${pve2} ${addressesOf(pve2)[1]} -> ${pve1} ${addressesOf(pve1)[1]} udp/5406`)).toBe("timeout");
  });
});
