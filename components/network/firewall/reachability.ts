import type { PlatformSpec } from "../../spec/schema";
import type { Flow, PlatformModel, FlowModel } from "../../model/types";
import { endpointSetName, resolveEndpoint } from "./address-sets";
import { sourceHosts, type FirewallPlan, type FirewallRule } from "./rules";

/**
 * One allowed or intended opening: traffic from the members of a source set to `host` on protocol/ports.
 * Sources stay sets (as the rules use them): per address, the openings would grow with the square of the
 * platform (every API VM to every database VM) while telling nothing more.
 */
export interface Opening {
  /** The set's name (`tier-api`, `zone-admin`). */
  source: string;
  /** The set's members, sorted: two openings are the same when their addresses are, whatever the name. */
  members: string[];
  host: string;
  protocol: Flow["protocol"];
  ports: string;
}

// Member lists are compared through one id per distinct list: joining a tier's addresses for every opening
// would cost the size of the tier per rule, and the analysis would grow with the square of the platform.
const listIds = new WeakMap<string[], string>();
const interned = new Map<string, string>();
function listId(members: string[]): string {
  let id = listIds.get(members);
  if (id === undefined) {
    const joined = members.join(",");
    id = interned.get(joined) ?? String(interned.size);
    interned.set(joined, id);
    listIds.set(members, id);
  }
  return id;
}

const key = (o: Opening): string => `${listId(o.members)}|${o.host}|${o.protocol}|${o.ports}`;

/** What the rendered rules allow, computed from the rules and sets alone (first match, default deny). */
export function allowedOpenings(plan: FirewallPlan): Opening[] {
  const members = new Map(plan.sets.map((s) => [s.name, [...s.members].sort()]));
  const openings = new Map<string, Opening>();
  for (const host of plan.hosts) {
    for (const rule of host.rules) {
      const o = { source: rule.source, members: members.get(rule.source) ?? [], host: host.host, protocol: rule.protocol, ports: rule.ports };
      if (o.members.length) openings.set(key(o), o);
    }
  }
  return [...openings.values()];
}

/** What the design intends, from the model's flows directly (not through the rules). */
export function intendedOpenings(model: FlowModel, spec: PlatformSpec): Opening[] {
  const openings = new Map<string, Opening>();
  const vmsByTier = new Map<string, PlatformModel["vms"]>();
  for (const vm of model.vms) vmsByTier.set(vm.tier, [...(vmsByTier.get(vm.tier) ?? []), vm]);
  for (const flow of model.flows) {
    const d = flow.destination;
    const hosts = d.kind === "tier"
      ? (vmsByTier.get(d.tier) ?? []).filter((vm) => !d.role || vm.role === d.role).map((vm) => vm.name)
      : d.zone === "proxmoxNodes" ? model.nodes.map((n) => n.name)
      : d.zone === "qdevice" && model.qdevice ? [model.qdevice.name] : [];
    const members = resolveEndpoint(flow.source, model, spec).sort();
    if (members.length === 0) continue;
    for (const host of hosts) {
      const o = { source: endpointSetName(flow.source), members, host, protocol: flow.protocol, ports: flow.ports };
      openings.set(key(o), o);
    }
  }
  return [...openings.values()];
}

function portRange(ports: string): [number, number] {
  if (!ports) return [0, 65535];
  const [low, high] = ports.split(":").map(Number);
  return [low, high ?? low];
}

function covers(outer: FirewallRule, inner: FirewallRule): boolean {
  if (outer.source !== inner.source || outer.protocol !== inner.protocol) return false;
  const [a, b] = portRange(outer.ports);
  const [c, d] = portRange(inner.ports);
  return a <= c && d <= b;
}

export interface RuleFinding {
  host: string;
  rule: FirewallRule;
  reason: string;
}

/** Rules that can never decide anything: covered by an earlier rule, or with a source that has no member. */
export function deadRules(plan: FirewallPlan): RuleFinding[] {
  const members = new Map(plan.sets.map((s) => [s.name, s.members]));
  const findings: RuleFinding[] = [];
  for (const host of plan.hosts) {
    host.rules.forEach((rule, i) => {
      const earlier = host.rules.slice(0, i).find((r) => covers(r, rule));
      if (earlier) findings.push({ host: host.host, rule, reason: `shadowed by rule ${earlier.position} (${earlier.flowId})` });
      else if ((members.get(rule.source) ?? []).length === 0) findings.push({ host: host.host, rule, reason: `unreachable: its source ${rule.source} has no member` });
      else if ((members.get(rule.source) ?? []).some((m) => m.startsWith("dns:"))) findings.push({ host: host.host, rule, reason: `its source ${rule.source} holds a name a firewall cannot match` });
    });
  }
  return findings;
}

/** An outbound difference: a flow a source host may not send (blocked) or a rule no flow of the host stands for. */
export interface OutboundDifference {
  host: string;
  destination: string;
  protocol: Flow["protocol"];
  ports: string;
  flowId: string;
}

/**
 * Under outbound DROP, compares every host's outbound rules with the flows it is a source of, both ways
 * (under ACCEPT nothing is blocked on the way out and there are no rules to compare).
 */
export function outboundDifferences(model: FlowModel, plan: FirewallPlan): { blocked: OutboundDifference[]; unintended: OutboundDifference[] } {
  const blocked: OutboundDifference[] = [];
  const unintended: OutboundDifference[] = [];
  const hosts = new Map(plan.hosts.map((h) => [h.host, h]));
  const intendedKeys = new Set<string>();
  const outKey = (host: string, destination: string, protocol: string, ports: string): string => `${host}|${destination}|${protocol}|${ports}`;
  for (const flow of model.flows) {
    const destination = endpointSetName(flow.destination);
    for (const source of sourceHosts(flow, model)) {
      const host = hosts.get(source);
      if (!host || host.defaultOutbound === "ACCEPT") continue;
      intendedKeys.add(outKey(source, destination, flow.protocol, flow.ports));
      const [low, high] = portRange(flow.ports);
      const allowed = host.outbound.some((r) => {
        const [a, b] = portRange(r.ports);
        return r.destination === destination && r.protocol === flow.protocol && a <= low && high <= b;
      });
      if (!allowed) blocked.push({ host: source, destination, protocol: flow.protocol, ports: flow.ports, flowId: flow.id });
    }
  }
  for (const host of plan.hosts) {
    for (const r of host.outbound) {
      if (!intendedKeys.has(outKey(host.host, r.destination, r.protocol, r.ports))) unintended.push({ host: host.host, destination: r.destination, protocol: r.protocol, ports: r.ports, flowId: r.flowId });
    }
  }
  return { blocked, unintended };
}

export interface ReachabilityReport {
  allowed: Opening[];
  intended: Opening[];
  /** Intended but blocked. */
  blocked: Opening[];
  /** Allowed but not intended. */
  unintended: Opening[];
  deadRules: RuleFinding[];
  /** Under outbound DROP: flows a source host may not send. */
  outboundBlocked: OutboundDifference[];
  /** Under outbound DROP: outbound rules no flow of their host stands for. */
  outboundUnintended: OutboundDifference[];
}

/** Compares what the rules allow with what the design intends, both ways. */
export function analyzeReachability(model: FlowModel, spec: PlatformSpec, plan: FirewallPlan): ReachabilityReport {
  const allowed = allowedOpenings(plan);
  const intended = intendedOpenings(model, spec);
  const allowedKeys = new Set(allowed.map(key));
  const intendedKeys = new Set(intended.map(key));
  const outbound = outboundDifferences(model, plan);
  return {
    allowed,
    intended,
    blocked: intended.filter((o) => !allowedKeys.has(key(o))),
    unintended: allowed.filter((o) => !intendedKeys.has(key(o))),
    deadRules: deadRules(plan),
    outboundBlocked: outbound.blocked,
    outboundUnintended: outbound.unintended,
  };
}
