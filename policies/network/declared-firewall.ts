import type { PolicyModel } from "../../components/model/policy-view";
import type { PolicyResource } from "@pulumi/policy";
import type { Flow } from "../../components/model/types";
import type { AddressSet } from "../../components/network/firewall/address-sets";
import type { FirewallPlan, FirewallRule, HostFirewall, OutboundRule } from "../../components/network/firewall/rules";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { PROXMOX_MACROS, formatRange, parsePorts, type ParsedPorts } from "../../components/network/firewall/port-spec";


/** A rule as the provider takes it (`RulesLegacyRule`), as far as the policies read it. */
export interface DeclaredRule {
  type?: string;
  action?: string;
  pos?: number;
  proto?: string;
  dport?: string;
  source?: string;
  dest?: string;
  comment?: string;
  securityGroup?: string;
  enabled?: boolean;
  /** A Proxmox macro (`SSH`, `MySQL`) standing for proto and dport. */
  macro?: string;
}

/** A rule where it was found: the host it filters, the resource it is in, its index there. */
export interface LocatedRule {
  host: string;
  urn: string;
  index: number;
  rule: DeclaredRule;
  /** The security group it came from, when it did. */
  group?: string;
}

const rulesOf = (r: PolicyResource): DeclaredRule[] => (r.props.rules as DeclaredRule[] | undefined) ?? [];

/** The host a RulesLegacy filters: the VM with its vmId, or the node it names. */
function hostOfRules(r: PolicyResource, model: PolicyModel): string {
  const vmId = r.props.vmId as number | undefined;
  if (vmId !== undefined) return model.vms.find((vm) => vm.vmId === Number(vmId))?.name ?? `vm ${vmId}`;
  return String(r.props.nodeName);
}

/** Every rule that applies to a host, security groups expanded in place (the group's rules, then the rest). */
export function declaredRules(resources: readonly PolicyResource[], model: PolicyModel): LocatedRule[] {
  const groups = new Map(resources.filter((r) => isResourceOf(r, RESOURCES.SecurityGroupLegacy)).map((g) => [String(g.props.name), g]));
  const located: LocatedRule[] = [];
  for (const r of resources.filter((x) => isResourceOf(x, RESOURCES.FirewallRulesLegacy))) {
    const host = hostOfRules(r, model);
    rulesOf(r).forEach((rule, index) => {
      if (rule.securityGroup) {
        const group = groups.get(rule.securityGroup);
        if (group) rulesOf(group).forEach((g, i) => located.push({ host, urn: group.urn, index: i, rule: g, group: rule.securityGroup }));
      } else {
        located.push({ host, urn: r.urn, index, rule });
      }
    });
  }
  return located;
}

/**
 * The IP sets the cluster declares, as address sets. A VM's own sets (its `ipfilter-net<N>`, with a vmId) are
 * not among them: they live in that VM's firewall config, where no other host's rule can name them.
 */
export function declaredSets(resources: readonly PolicyResource[]): AddressSet[] {
  return resources.filter((r) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy) && r.props.vmId === undefined && r.props.containerId === undefined).map((r) => ({
    name: String(r.props.name),
    members: ((r.props.cidrs as { name: string }[] | undefined) ?? []).map((c) => c.name),
    description: String(r.props.comment ?? ""),
  }));
}

const flowIdOf = (comment: string | undefined): string => (comment ?? "").split(":")[0];

/** Every address the internet holds, as a source or destination (a rule without one means it). */
export const ANY_ADDRESS = "0.0.0.0/0";

/** The cluster aliases (`firewall.AliasLegacy`): a rule may name one instead of an IP set. */
function declaredAliases(resources: readonly PolicyResource[]): Map<string, string> {
  return new Map(resources.filter((r) => isResourceOf(r, RESOURCES.FirewallAliasLegacy)).map((r) => [String(r.props.name), String(r.props.cidr ?? "")]));
}

/** An address reference resolved: the set it names (or a name for a literal), and its members. */
export interface ResolvedAddress {
  name: string;
  members: string[];
}

/**
 * What a rule's source or destination names, as Proxmox reads it: `+set` (or `+dc/set`) an IP set, a bare
 * name (or `dc/name`) an alias, an address or CIDR itself, a comma list of those, nothing the whole internet.
 * An unknown set or alias has no member (Proxmox would refuse to compile it; the rule opens nothing).
 */
export function resolveAddress(ref: string | undefined, sets: ReadonlyMap<string, string[]>, aliases: ReadonlyMap<string, string>): ResolvedAddress {
  const text = (ref ?? "").trim();
  if (text === "") return { name: "any", members: [ANY_ADDRESS] };
  const parts = text.split(",").map((p) => p.trim()).filter(Boolean);
  const members = parts.flatMap((part) => {
    const bare = part.replace(/^\+/, "").replace(/^(dc|guest)\//, "");
    if (part.startsWith("+")) return sets.get(bare) ?? [];
    if (/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(bare)) return [bare];
    const alias = aliases.get(bare);
    return alias ? [alias] : [];
  });
  // A single `+set` keeps the set's name (the analysis compares openings by set); anything else is named by its text.
  return { name: parts.length === 1 && parts[0].startsWith("+") ? parts[0].replace(/^\+/, "").replace(/^(dc|guest)\//, "") : text, members };
}

/** One accepting rule of any rule set the stack delivers, with its ports read and its addresses resolved. */
export interface DeclaredOpening {
  host: string;
  hostKind: HostFirewall["kind"];
  direction: "in" | "out";
  /** The resource that carries the rule, and where in it. */
  urn: string;
  location: string;
  /** The source (inbound) or destination (outbound) as the rule names it, and its members. */
  peer: ResolvedAddress;
  protocol: Flow["protocol"];
  /** As written; `ports` read (every port when absent), `unreadable` what could not be read. */
  portField: string;
  ports: ParsedPorts;
  flowId: string;
  comment: string;
  /** Set for a security group's rule (found once per VM using it). */
  group?: string;
}

/** `ip saddr @set tcp dport 22 accept comment "flow"`: a line of a chain of a rendered nftables ruleset. */
function nftOpening(line: string): { peer: string; protocol: string; ports: string; comment: string } | undefined {
  if (!/\baccept\b/.test(line) || /\bct state\b|\bi[io]f\b|\bo[io]f\b/.test(line)) return undefined;
  const peer = /ip [sd]addr (\{[^}]*\}|\S+)/.exec(line)?.[1] ?? "";
  const l4 = /(tcp|udp) dport (\{[^}]*\}|\S+)/.exec(line);
  const proto = l4?.[1] ?? /meta l4proto (\w+)/.exec(line)?.[1] ?? (/ip protocol (112|vrrp)\b/.test(line) ? "vrrp" : "");
  return { peer: peer.startsWith("@") ? `+${peer.slice(1)}` : peer.replace(/[{}\s]/g, ""), protocol: proto, ports: l4?.[2] ?? "", comment: /comment "([^"]*)"/.exec(line)?.[1] ?? "" };
}

/** The chains of an nftables ruleset by name, as lines. */
function nftChains(text: string): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split("\n")) {
    const open = /^\s*chain (\S+) \{/.exec(line);
    if (open) {
      current = [];
      chains.set(open[1], current);
    } else if (/^\s*\}\s*$/.test(line)) {
      current = undefined;
    } else if (current && !/^\s*#/.test(line)) {
      current.push(line);
    }
  }
  return chains;
}

/**
 * Every accepting rule the stack delivers: Proxmox rules of VMs and nodes (security groups expanded), and
 * the QDevice host's nftables ruleset as its Command loads it. Inbound and outbound.
 */
export function declaredOpenings(resources: readonly PolicyResource[], model: PolicyModel): DeclaredOpening[] {
  const sets = new Map(declaredSets(resources).map((s) => [s.name, s.members]));
  const aliases = declaredAliases(resources);
  const isNode = (host: string): boolean => model.nodes.some((n) => n.name === host);
  const out: DeclaredOpening[] = [];
  for (const located of declaredRules(resources, model)) {
    const { rule } = located;
    if (rule.action !== "ACCEPT" || rule.enabled === false) continue;
    const direction = rule.type === "out" ? "out" : "in";
    // A macro is another spelling of proto and dport: `SSH` is tcp/22. One the policy does not know is unreadable.
    const macro = rule.macro ? PROXMOX_MACROS[rule.macro] ?? PROXMOX_MACROS[Object.keys(PROXMOX_MACROS).find((k) => k.toLowerCase() === rule.macro?.toLowerCase()) ?? ""] : undefined;
    const portField = rule.macro ? `macro ${rule.macro}` : rule.dport ?? "";
    const ports = rule.macro ? (macro ? parsePorts(macro.ports) : { ranges: [], unreadable: [`macro ${rule.macro}`] }) : parsePorts(rule.dport);
    out.push({
      host: located.host,
      hostKind: isNode(located.host) ? "node" : "vm",
      direction,
      urn: located.urn,
      location: `inputs.rules[${located.index}]`,
      peer: resolveAddress(direction === "out" ? rule.dest : rule.source, sets, aliases),
      protocol: (rule.proto ?? macro?.protocol ?? "") as Flow["protocol"],
      portField,
      ports,
      flowId: flowIdOf(rule.comment),
      comment: rule.comment ?? "",
      ...(located.group ? { group: located.group } : {}),
    });
  }
  const qdevice = model.qdevice;
  const nft = qdevice ? resources.find((r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.endsWith(`-${qdevice.name}-nftables`)) : undefined;
  if (qdevice && nft) {
    const chains = nftChains(String(nft.props.stdin ?? ""));
    for (const [chain, direction] of [["input", "in"], ["output", "out"]] as const) {
      (chains.get(chain) ?? []).forEach((line, i) => {
        const rule = nftOpening(line);
        if (!rule) return;
        out.push({
          host: qdevice.name, hostKind: "qdevice", direction, urn: nft.urn, location: `inputs.stdin (chain ${chain}, rule ${i})`,
          peer: resolveAddress(rule.peer, sets, aliases), protocol: rule.protocol as Flow["protocol"], portField: rule.ports,
          ports: parsePorts(rule.ports), flowId: rule.comment, comment: rule.comment,
        });
      });
    }
  }
  return out;
}

const PORTED = new Set(["tcp", "udp"]);

/**
 * The firewalls the resources declare, as a plan the reachability analysis reads: ports in canonical
 * spelling (a list or a range as written becomes one rule per range, `0022` and `ssh` become `22`), sources
 * resolved (an alias, a CIDR or no source at all become sets of their own, so they show as openings).
 */
export function declaredFirewallPlan(resources: readonly PolicyResource[], model: PolicyModel): FirewallPlan {
  const hosts = new Map<string, HostFirewall>();
  const hostFor = (name: string, kind: HostFirewall["kind"]): HostFirewall => {
    let h = hosts.get(name);
    if (!h) {
      h = { host: name, kind, addresses: [], defaultInbound: "DROP", rules: [], defaultOutbound: "ACCEPT", outbound: [] };
      hosts.set(name, h);
    }
    return h;
  };
  const policyOf = (value: unknown): "ACCEPT" | "DROP" => (value === "DROP" || value === "REJECT" ? "DROP" : "ACCEPT");
  const options = new Map(resources.filter((r) => isResourceOf(r, RESOURCES.FirewallOptionsLegacy)).map((r) => [Number(r.props.vmId), r]));
  const cluster = resources.find((r) => isResourceOf(r, RESOURCES.ClusterFirewallLegacy));
  for (const vm of model.vms) hostFor(vm.name, "vm").defaultOutbound = policyOf(options.get(vm.vmId)?.props.outputPolicy);
  for (const n of model.nodes) hostFor(n.name, "node").defaultOutbound = policyOf(cluster?.props.outputPolicy);
  const sets = new Map(declaredSets(resources).map((s) => [s.name, s]));
  for (const o of declaredOpenings(resources, model)) {
    if (!sets.has(o.peer.name)) sets.set(o.peer.name, { name: o.peer.name, members: o.peer.members, description: `as the rule names it: ${o.peer.name}` });
    const host = hostFor(o.host, o.hostKind);
    const protocol = (o.protocol || "tcp") as Flow["protocol"];
    const pieces = PORTED.has(protocol) ? o.ports.ranges.map(formatRange) : [""];
    for (const ports of pieces) {
      if (o.direction === "out") {
        const r: OutboundRule = { position: host.outbound.length, action: "ACCEPT", protocol, ports, destination: o.peer.name, flowId: o.flowId, comment: o.comment };
        host.outbound.push(r);
      } else {
        const r: FirewallRule = { position: host.rules.length, action: "ACCEPT", protocol, ports, source: o.peer.name, flowId: o.flowId, scope: "host", comment: o.comment };
        host.rules.push(r);
      }
    }
  }
  return { sets: [...sets.values()], hosts: [...hosts.values()], outboundOnly: [] };
}
