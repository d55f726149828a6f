import type { PlatformModel, VmPlan } from "../../components/model/types";
import { flowSlug } from "../../components/model/flow-endpoints";
import { virtualAddressPlan } from "../../components/tiers/address-plan";
import type { TierName } from "../../components/spec/schema";
import type { MonitoredHost } from "./types";

/** The host groups that are not a tier's. */
export const NODE_HOSTGROUP = "proxmox-nodes";
export const QDEVICE_HOSTGROUP = "qdevice";

export function tierHostgroup(tier: TierName): string {
  return `tier-${flowSlug(tier)}`;
}

/** A virtual address's host name: `vip-<name>`, the model's name as is (`vip-databasePrimary`). */
export function virtualAddressHost(name: string): string {
  return `vip-${name}`;
}

export function serviceAddress(vm: VmPlan): string {
  return (vm.nics.find((n) => n.network === "service") ?? vm.nics[0]).address;
}

/**
 * Every host monitoring checks: the Proxmox nodes, the QDevice host, every VM (parent: its home node, so a node
 * failure is one problem and its VMs are unreachable, not down) and one host per virtual address (parents: the
 * VMs of its tier, so it is unreachable only when all of them are down).
 */
export function monitoredHosts(model: Pick<PlatformModel, "nodes" | "qdevice" | "vms" | "virtualIps">): MonitoredHost[] {
  const nodes = model.nodes.map((n): MonitoredHost => ({ name: n.name, kind: "node", address: n.managementAddress, hostgroup: NODE_HOSTGROUP, parents: [], agent: true }));
  const qdevice = model.qdevice ? [{ name: model.qdevice.name, kind: "qdevice" as const, address: model.qdevice.address, hostgroup: QDEVICE_HOSTGROUP, parents: [], agent: true }] : [];
  const vms = model.vms.map((vm): MonitoredHost => ({
    name: vm.name,
    kind: "vm",
    address: serviceAddress(vm),
    tier: vm.tier,
    hostgroup: tierHostgroup(vm.tier),
    parents: [vm.node],
    node: vm.node,
    agent: true,
  }));
  const tierOf = new Map(virtualAddressPlan().map((v) => [v.name, v.tier]));
  const vips = Object.entries(model.virtualIps).map(([name, address]): MonitoredHost => {
    const tier = tierOf.get(name);
    if (!tier) throw new Error(`monitoring plan: the virtual address ${name} belongs to no tier of the registry`);
    return {
      name: virtualAddressHost(name),
      kind: "virtual-address",
      address,
      tier,
      hostgroup: tierHostgroup(tier),
      parents: model.vms.filter((vm) => vm.tier === tier).map((vm) => vm.name),
      agent: false,
    };
  });
  return [...nodes, ...qdevice, ...vms, ...vips];
}
