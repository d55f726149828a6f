import type { PolicyModel } from "../../components/model/policy-view";
import type { PolicyResource } from "@pulumi/policy";
import type { Flow } from "../../components/model/types";
import type { AddressSet } from "../../components/network/firewall/address-sets";
import type { FirewallPlan, FirewallRule, HostFirewall, OutboundRule } from "../../components/network/firewall/rules";
import { RESOURCES, isResourceOf } from "../../components/resource-types";


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

/** The IP sets the cluster declares, as address sets. */
export function declaredSets(resources: readonly PolicyResource[]): AddressSet[] {
  return resources.filter((r) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy)).map((r) => ({
    name: String(r.props.name),
    members: ((r.props.cidrs as { name: string }[] | undefined) ?? []).map((c) => c.name),
    description: String(r.props.comment ?? ""),
  }));
}

const setName = (ref: string | undefined): string => (ref ?? "").replace(/^\+/, "");
const flowIdOf = (comment: string | undefined): string => (comment ?? "").split(":")[0];

/** `ip saddr @set tcp dport 22 accept comment "flow"` lines of a rendered nftables ruleset. */
const NFT_RULE = /ip saddr @(\S+) (?:(tcp|udp) dport (\S+)|meta l4proto (\w+)|ip protocol 112) accept comment "([^"]*)"/g;

/** The firewalls the resources declare, as a plan the reachability analysis reads (the QDevice's from its nftables ruleset). */
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
  for (const located of declaredRules(resources, model)) {
    const { rule } = located;
    const host = hostFor(located.host, model.nodes.some((n) => n.name === located.host) ? "node" : "vm");
    const protocol = (rule.proto ?? "tcp") as Flow["protocol"];
    if (rule.type === "out") {
      const out: OutboundRule = { position: host.outbound.length, action: "ACCEPT", protocol, ports: rule.dport ?? "", destination: setName(rule.dest), flowId: flowIdOf(rule.comment), comment: rule.comment ?? "" };
      host.outbound.push(out);
    } else if (rule.action === "ACCEPT" && rule.enabled !== false) {
      const r: FirewallRule = { position: host.rules.length, action: "ACCEPT", protocol, ports: rule.dport ?? "", source: setName(rule.source), flowId: flowIdOf(rule.comment), scope: "host", comment: rule.comment ?? "" };
      host.rules.push(r);
    }
  }
  if (model.qdevice) {
    const qdevice = model.qdevice;
    const nft = resources.find((r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.endsWith(`-${qdevice.name}-nftables`));
    const host = hostFor(qdevice.name, "qdevice");
    for (const m of String(nft?.props.stdin ?? "").matchAll(NFT_RULE)) {
      const protocol = (m[2] ?? m[4] ?? "vrrp") as Flow["protocol"];
      host.rules.push({ position: host.rules.length, action: "ACCEPT", protocol, ports: (m[3] ?? "").replace("-", ":"), source: m[1], flowId: m[5], scope: "host", comment: m[5] });
    }
  }
  return { sets: declaredSets(resources), hosts: [...hosts.values()], outboundOnly: [] };
}
