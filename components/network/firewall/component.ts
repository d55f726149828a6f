import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import type { PlatformSpec } from "../../spec/schema";
import type { NetworkRole, PlatformModel } from "../../model/types";
import { renderFirewallPlan, type FirewallPlan, type FirewallRule, type OutboundRule } from "./rules";
import { renderNftables } from "./render-nftables";
import { specHostKey } from "../../cluster/host-keys";

export interface PlatformFirewallArgs {
  spec: PlatformSpec;
  model: PlatformModel;
  /**
   * Each VM's own resource (the VM, not its component), by VM name: a VM's rules are created after that
   * VM only. A dependency on a component would expand to every resource under it, for every rule.
   */
  vmResources: Readonly<Record<string, pulumi.Resource>>;
  /**
   * Root SSH key for the QDevice host, which is not a Proxmox node: its rules are loaded as an nftables
   * ruleset over SSH. A secret.
   */
  qdeviceSshPrivateKey: pulumi.Input<string>;
  /** Resources that must exist before the QDevice host's firewall closes (its QNetd install). */
  qdeviceDependsOn?: pulumi.Input<pulumi.Resource>[];
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

/** An outbound plan rule as a Proxmox rule: the destination a cluster IP set. */
export function proxmoxOutboundRule(rule: OutboundRule, pos: number): proxmox.types.input.firewall.RulesLegacyRule {
  return {
    type: "out",
    action: rule.action,
    pos,
    proto: rule.protocol,
    ...(rule.ports ? { dport: rule.ports } : {}),
    dest: `+${proxmoxIpsetName(rule.destination)}`,
    comment: rule.comment.slice(0, COMMENT_LIMIT),
    enabled: true,
  };
}

/** A network's alias: `ibac-net-<role>`, for the operators' own rules in the GUI. */
export function networkAliasName(role: NetworkRole): string {
  return `ibac-net-${role}`;
}

/** Where the QDevice host keeps its ruleset; /etc/nftables.conf includes it, so it survives a reboot. */
export const QDEVICE_NFT_FILE = "/etc/ibac/nftables-ibac.nft";

/**
 * The shell that loads a ruleset (from stdin) on a host that is not a Proxmox node: checked by `nft -c`
 * before it replaces the running table, then included from /etc/nftables.conf and enabled at boot.
 */
export function nftablesLoadCommand(file: string): string {
  const apt = "DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends nftables";
  const include = `include "${file}"`;
  return [
    `{ command -v nft >/dev/null || ${apt}; }`,
    `install -d -m 0755 ${file.replace(/\/[^/]+$/, "")}`,
    `cat > ${file}.new`,
    `nft -c -f ${file}.new`,
    `mv ${file}.new ${file}`,
    `nft -f ${file}`,
    `{ grep -qxF '${include}' /etc/nftables.conf || echo '${include}' >> /etc/nftables.conf; }`,
    "systemctl enable nftables",
  ].join(" && ");
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
    const networks = Object.entries(args.spec.networks) as [NetworkRole, { cidr: string }][];
    for (const [role, network] of networks) {
      new proxmox.firewall.AliasLegacy(`${name}-alias-${role}`, {
        name: networkAliasName(role),
        cidr: network.cidr,
        comment: `the ${role} network`,
      }, { parent: this });
    }

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
        const vmResource = args.vmResources[vm.name];
        if (!vmResource) throw new Error(`PlatformFirewall: no VM resource for ${vm.name}`);
        const own = host.rules.filter((r) => r.scope !== "tier");
        new proxmox.firewall.RulesLegacy(`${name}-${host.host}-rules`, {
          nodeName: vm.node,
          vmId: vm.vmId,
          rules: [
            { securityGroup: securityGroupName(vm.tier), pos: 0, enabled: true, comment: `the ${vm.tier} tier's openings` },
            ...own.map((r, i) => asProxmox(r, i + 1)),
            ...host.outbound.map((r, i) => proxmoxOutboundRule(r, own.length + 1 + i)),
          ],
        }, { parent: this, dependsOn: [...ipsets, ...(group ? [group] : []), vmResource] });
      } else if (host.rules.length || host.outbound.length) {
        new proxmox.firewall.RulesLegacy(`${name}-${host.host}-rules`, {
          nodeName: host.host,
          rules: [...host.rules.map((r, i) => asProxmox(r, i)), ...host.outbound.map((r, i) => proxmoxOutboundRule(r, host.rules.length + i))],
        }, { parent: this, dependsOn: ipsets });
      }
    }

    // The QDevice host is no Proxmox node: the same plan reaches it as an nftables ruleset.
    const qdevice = this.plan.hosts.find((h) => h.kind === "qdevice");
    if (qdevice && args.model.qdevice) {
      const ruleset = renderNftables(qdevice, this.plan.sets);
      new command.remote.Command(`${name}-${qdevice.host}-nftables`, {
        connection: { host: args.model.qdevice.address, hostKey: specHostKey(args.spec, args.model.qdevice.address), user: "root", privateKey: pulumi.secret(args.qdeviceSshPrivateKey), dialErrorLimit: 5 },
        create: nftablesLoadCommand(QDEVICE_NFT_FILE),
        stdin: ruleset,
        triggers: [crypto.createHash("sha256").update(ruleset).digest("hex")],
      }, { parent: this, dependsOn: args.qdeviceDependsOn ?? [] });
    }
    this.registerOutputs({});
  }
}

/** A tier's security group: `ibac-<tier>`, within Proxmox's 18 characters. */
export function securityGroupName(tier: string): string {
  return `ibac-${tier}`.slice(0, 18);
}
