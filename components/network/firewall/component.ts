import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import type { PlatformSpec } from "../../spec/schema";
import type { PlatformModel } from "../../model/types";
import { renderFirewallPlan, type FirewallPlan, type FirewallRule } from "./rules";

export interface PlatformFirewallArgs {
  spec: PlatformSpec;
  model: PlatformModel;
  /** The VMs' resources: their per-VM rules are created after them. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** Proxmox's limit on comments is generous, but one line per rule keeps `pve-firewall compile` readable. */
const COMMENT_LIMIT = 200;

/** A plan rule as a Proxmox rule: the source is a cluster IP set (`+name`), the position explicit. */
export function proxmoxRule(rule: FirewallRule): proxmox.types.input.firewall.RulesLegacyRule {
  return {
    type: "in",
    action: rule.action,
    pos: rule.position,
    proto: rule.protocol,
    ...(rule.ports ? { dport: rule.ports } : {}),
    source: `+${rule.source}`,
    comment: rule.comment.slice(0, COMMENT_LIMIT),
    enabled: true,
  };
}

/** Proxmox IP set names: a letter, then letters, digits, '-' and '_'. */
export function proxmoxIpsetName(setName: string): string {
  return setName.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * The platform's firewall as Proxmox resources, from the same plan `ibac flows` analyses: one cluster IP set
 * per address set, and on every VM and every node its inbound rules at explicit positions (default DROP is
 * set by the cluster and per-VM options). Names a firewall cannot match (`dns:`) stay out of the IP sets.
 */
export class PlatformFirewall extends pulumi.ComponentResource {
  readonly plan: FirewallPlan;

  constructor(name: string, args: PlatformFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:network:PlatformFirewall", name, {}, opts);
    this.plan = renderFirewallPlan(args.model, args.spec);
    const ipsets = this.plan.sets.map((set) => new proxmox.firewall.IpsetLegacy(`${name}-${set.name}`, {
      name: proxmoxIpsetName(set.name),
      comment: set.description,
      cidrs: set.members.filter((m) => !m.startsWith("dns:")).map((m) => ({ name: m })),
    }, { parent: this }));
    const asProxmox = (r: FirewallRule, pos: number): proxmox.types.input.firewall.RulesLegacyRule => proxmoxRule({ ...r, position: pos, source: proxmoxIpsetName(r.source) });

    // One security group per tier with the rules every VM of the tier shares, taken from its first VM
    // (the plan gives every VM of a tier the same tier-scoped rules, in the same order).
    const groups = new Map<string, proxmox.cluster.firewall.security.GroupLegacy>();
    for (const vm of args.model.vms) {
      if (groups.has(vm.tier)) continue;
      const host = this.plan.hosts.find((h) => h.host === vm.name);
      const shared = (host?.rules ?? []).filter((r) => r.scope === "tier");
      groups.set(vm.tier, new proxmox.cluster.firewall.security.GroupLegacy(`${name}-group-${vm.tier}`, {
        name: securityGroupName(vm.tier),
        comment: `inbound openings of every ${vm.tier} VM`,
        rules: shared.map((r, i) => asProxmox(r, i)),
      }, { parent: this, dependsOn: ipsets }));
    }

    for (const host of this.plan.hosts) {
      if (host.kind === "qdevice") continue;
      const vm = args.model.vms.find((v) => v.name === host.host);
      if (vm) {
        const group = groups.get(vm.tier);
        const own = host.rules.filter((r) => r.scope !== "tier");
        new proxmox.firewall.RulesLegacy(`${name}-${host.host}-rules`, {
          nodeName: vm.node,
          vmId: vm.vmId,
          rules: [
            { securityGroup: securityGroupName(vm.tier), pos: 0, enabled: true, comment: `the ${vm.tier} tier's openings` },
            ...own.map((r, i) => asProxmox(r, i + 1)),
          ],
        }, { parent: this, dependsOn: [...ipsets, ...(group ? [group] : []), ...args.dependsOn] });
      } else if (host.rules.length) {
        new proxmox.firewall.RulesLegacy(`${name}-${host.host}-rules`, { nodeName: host.host, rules: host.rules.map((r, i) => asProxmox(r, i)) }, { parent: this, dependsOn: ipsets });
      }
    }
    this.registerOutputs({});
  }
}

/** A tier's security group: `ibac-<tier>`, within Proxmox's 18 characters. */
export function securityGroupName(tier: string): string {
  return `ibac-${tier}`.slice(0, 18);
}
