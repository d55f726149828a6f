import type { PlatformModel, VmPlan } from "../model/types";
import { tierDefinition } from "../tiers/registry";

/** One entry of an IP filter set: a single address, bare as the cluster's IP sets hold theirs, and why it is there. */
export interface IpFilterEntry {
  cidr: string;
  comment: string;
}

/** The VM-scoped IP set Proxmox's IP filter reads for one NIC: `ipfilter-net<N>`. */
export interface IpFilterSet {
  /** The NIC's Proxmox device, `net0`, `net1`, ... */
  device: string;
  /** `ipfilter-<device>`: the name pve-firewall looks up for that NIC (compute_ipfilter_ipset_name). */
  name: string;
  entries: IpFilterEntry[];
}

/** The name of the IP set pve-firewall reads for a NIC's IP filter. */
export function ipFilterSetName(device: string): string {
  return `ipfilter-${device}`;
}

/**
 * The IP filter sets of a VM, one per NIC in NIC order: the NIC's own address, and on the service NIC the
 * virtual addresses its tier hands over between its VMs (keepalived's and Pacemaker's moving addresses).
 *
 * Why: with `ipfilter: 1`, pve-firewall drops every packet a VM's NIC sends from a source address not in
 * that NIC's `ipfilter-net<N>` set. For containers Proxmox adds the configured addresses itself; for VMs it
 * adds only the IPv6 link-local address (pve-docs, pve-firewall.adoc, "Standard IP set 'ipfilter-net*'"), so
 * without these sets every VM's IPv4 is dropped, and a virtual address absent from them could never answer
 * (the API behind the load balancer's address, MariaDB at databasePrimary, S3 at objectStore, their
 * gratuitous ARP). Every VM of the tier gets the tier's virtual addresses: any of them may hold one after a
 * failover, and the set is not changed when it does.
 */
export function ipFilterSets(vm: VmPlan, model: Pick<PlatformModel, "virtualIps">): IpFilterSet[] {
  const virtual = tierDefinition(vm.tier).virtualAddresses.map((v) => {
    const address = model.virtualIps[v.name];
    if (!address) throw new Error(`${vm.name}: its tier ${vm.tier} holds the virtual address ${v.name}, which the model has no address for`);
    return { cidr: address, comment: `virtual address ${v.name} (${vm.tier}), held by whichever of its VMs is active` };
  });
  return vm.nics.map((nic) => {
    const own: IpFilterEntry = { cidr: nic.address, comment: `${vm.name}'s own address on the ${nic.network} network` };
    const extra = nic.network === "service" ? virtual.filter((v) => v.cidr !== own.cidr) : [];
    return { device: nic.device, name: ipFilterSetName(nic.device), entries: [own, ...extra] };
  });
}
