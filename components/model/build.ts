import { TIER_NAMES, tierDataDiskGiB, type NetworkSpec, type PlatformSpec, type TierName } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";
import { hostAddress, parseCidr } from "./addresses";
import { checkCapacity, logicalCpus, poolSizeGiB, STORAGE_FILL_LIMIT } from "./capacity";
import { deriveFlows } from "./flows";
import { planHa } from "./ha";
import { MAX_VMS_PER_TIER, placeReplicas } from "./placement";
import type { NicPlan, NodePlan, PlatformModel, ReplicationPlan, VmPlan } from "./types";

/** Short names used in VM host names: `db-1`, `s3-2`, ... */
export const TIER_HOST_PREFIX: Record<TierName, string> = {
  database: "db",
  objectStore: "s3",
  frs: "frs",
  api: "api",
  loadBalancer: "lb",
  backup: "bkp",
  monitoring: "mon",
  vpn: "vpn",
};

/** Tiers that replicate data between their VMs over the storage network (DRBD, MariaDB replication). */
const STORAGE_NETWORK_TIERS: TierName[] = ["database", "objectStore", "backup"];

/**
 * Service-network host numbers: 1-15 are kept for gateways and virtual IPs, VMs start at 16 in blocks of
 * 24 per tier (in TIER_NAMES order), so adding a VM to one tier never renumbers another tier's VMs.
 * A tier larger than 24 VMs widens every block to its size (at most MAX_VMS_PER_TIER).
 */
export const FIRST_VM_HOST = 16;
/** Node n (0-based) has host FIRST_NODE_CLUSTER_HOST + n on the cluster (corosync) network. */
export const FIRST_NODE_CLUSTER_HOST = 11;
export const VIP_HOSTS = { loadBalancer: 10, databasePrimary: 11, objectStore: 12 } as const;

export function tierBlockSize(spec: PlatformSpec): number {
  const largest = Math.max(...TIER_NAMES.map((t) => (t === "database" ? 1 + spec.database.replicas : spec[t].count)));
  // Capped at what placement accepts (a tier never has more VMs than nodes, nor more than 99), so a tier
  // too large to place is reported as such, not first as a service subnet too small for it.
  return Math.max(24, Math.min(largest, MAX_VMS_PER_TIER, spec.proxmox.nodes.length));
}

/** The highest host number the service network must hold for this spec. */
export function highestServiceHost(spec: PlatformSpec): number {
  return FIRST_VM_HOST + TIER_NAMES.length * tierBlockSize(spec) - 1;
}

function nic(device: string, role: NicPlan["network"], network: NetworkSpec, host: number): NicPlan {
  const subnet = parseCidr(network.cidr);
  return {
    device,
    network: role,
    address: hostAddress(subnet, host),
    prefix: subnet.prefix,
    ...(network.gateway ? { gateway: network.gateway } : {}),
    bridge: network.bridge ?? "vmbr0",
    ...(network.vlan ? { vlan: network.vlan } : {}),
  };
}

export interface ModelResult {
  model?: PlatformModel;
  problems: FieldProblem[];
}

/**
 * Derives everything the components, renderers and policies need from a validated spec. Pure: no I/O, no
 * Pulumi. Returns problems instead of a model when the spec cannot be placed or does not fit (N+1).
 */
export function buildModel(spec: PlatformSpec): ModelResult {
  const { placements, problems } = placeReplicas(spec);
  if (problems.length) return { problems };

  const clusterSubnet = parseCidr(spec.networks.cluster.cidr);
  const nodes: NodePlan[] = spec.proxmox.nodes.map((n, i) => ({
    name: n.name,
    managementAddress: n.address,
    clusterAddress: hostAddress(clusterSubnet, FIRST_NODE_CLUSTER_HOST + i),
    logicalCpus: logicalCpus(n),
    memoryGiB: n.memoryGiB,
    usableStorageGiB: Math.floor(poolSizeGiB(n) * STORAGE_FILL_LIMIT),
  }));

  const block = tierBlockSize(spec);
  const vms: VmPlan[] = placements.map((p) => {
    const tierIndex = TIER_NAMES.indexOf(p.tier);
    const host = FIRST_VM_HOST + tierIndex * block + p.index;
    const name = `${TIER_HOST_PREFIX[p.tier]}-${p.index + 1}`;
    const size = spec[p.tier].vm;
    const nics = [nic("net0", "service", spec.networks.service, host)];
    if (STORAGE_NETWORK_TIERS.includes(p.tier)) nics.push(nic("net1", "storage", spec.networks.storage, host));
    const dataDiskGiB = tierDataDiskGiB(spec, p.tier);
    return {
      name,
      fqdn: `${name}.${spec.site.domain}`,
      tier: p.tier,
      ...(p.tier === "database" ? { role: name === (spec.database.primary ?? "db-1") ? ("primary" as const) : ("replica" as const) } : {}),
      index: p.index,
      vmId: spec.proxmox.vmIdBase + (tierIndex + 1) * 100 + p.index,
      node: p.node,
      ...(p.failoverNode ? { failoverNode: p.failoverNode } : {}),
      cores: size.cores,
      memoryGiB: size.memoryGiB,
      diskGiB: size.diskGiB,
      ...(dataDiskGiB ? { dataDiskGiB } : {}),
      nics,
    };
  });

  const capacity = checkCapacity(spec, nodes, vms);
  if (capacity.problems.length) return { problems: capacity.problems };

  const placement: Record<string, string[]> = Object.fromEntries(nodes.map((n) => [n.name, vms.filter((vm) => vm.node === n.name).map((vm) => vm.name)]));
  const replication: ReplicationPlan[] = vms
    .filter((vm) => vm.failoverNode)
    .map((vm) => ({ jobId: `${vm.vmId}-0`, vmName: vm.name, vmId: vm.vmId, target: vm.failoverNode as string, schedule: spec.proxmox.replicationSchedule }));

  const serviceSubnet = parseCidr(spec.networks.service.cidr);
  const qdeviceVotes = spec.proxmox.qdevice ? (nodes.length % 2 === 0 ? 1 : 0) : 0;
  const expectedVotes = nodes.length + qdeviceVotes;
  const model: PlatformModel = {
    site: { name: spec.site.name, domain: spec.site.domain, timeZone: spec.site.timeZone },
    proxmoxVersion: spec.proxmox.version,
    debianRelease: spec.debian.release,
    nodes,
    ...(spec.proxmox.qdevice ? { qdevice: { ...spec.proxmox.qdevice } } : {}),
    quorum: {
      nodeVotes: nodes.length,
      qdeviceVotes,
      expectedVotes,
      // Quorum is a strict majority of the expected votes; losing one node removes one vote.
      survivesOneNodeLoss: expectedVotes - 1 > expectedVotes / 2,
    },
    vms,
    placement,
    virtualIps: {
      loadBalancer: hostAddress(serviceSubnet, VIP_HOSTS.loadBalancer),
      databasePrimary: hostAddress(serviceSubnet, VIP_HOSTS.databasePrimary),
      objectStore: hostAddress(serviceSubnet, VIP_HOSTS.objectStore),
    },
    capacity: capacity.report,
    ha: planHa(vms),
    replication,
    flows: deriveFlows(spec),
  };
  return { model, problems: [] };
}
