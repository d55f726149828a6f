import { TIER_NAMES, type NetworkSpec, type PlatformSpec } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";
import { hostAddress, parseCidr } from "./addresses";
import { checkCapacity, logicalCpus, poolSizeGiB, STORAGE_FILL_LIMIT } from "./capacity";
import { deriveFlows } from "./flows";
import { planHa } from "./ha";
import { placeReplicas } from "./placement";
import { tierDataDiskGiB, tierDefinition } from "../tiers/registry";
import { FIRST_NODE_CLUSTER_HOST, tierFirstHosts, virtualAddressPlan } from "../tiers/address-plan";
import { deriveStoragePlan } from "../storage/derive-storage-plan";
import { objectStoreCountProblems } from "../storage/spec-checks";
import type { NicPlan, NodePlan, PlatformModel, ReplicationPlan, VmPlan } from "./types";

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
  const storageProblems = objectStoreCountProblems(spec);
  if (storageProblems.length) return { problems: storageProblems };

  const clusterSubnet = parseCidr(spec.networks.cluster.cidr);
  const nodes: NodePlan[] = spec.proxmox.nodes.map((n, i) => ({
    name: n.name,
    managementAddress: n.address,
    clusterAddress: hostAddress(clusterSubnet, FIRST_NODE_CLUSTER_HOST + i),
    logicalCpus: logicalCpus(n),
    memoryGiB: n.memoryGiB,
    usableStorageGiB: Math.floor(poolSizeGiB(n) * STORAGE_FILL_LIMIT),
  }));

  const firstHosts = tierFirstHosts(spec);
  const vms: VmPlan[] = placements.map((p) => {
    const tier = tierDefinition(p.tier);
    const tierIndex = TIER_NAMES.indexOf(p.tier);
    const host = firstHosts[p.tier] + p.index;
    const name = `${tier.hostPrefix}-${p.index + 1}`;
    const size = spec[p.tier].vm;
    const nics = tier.networks.map((role, i) => nic(`net${i}`, role, spec.networks[role], host));
    const dataDiskGiB = tierDataDiskGiB(spec, p.tier);
    return {
      name,
      fqdn: `${name}.${spec.site.domain}`,
      tier: p.tier,
      ...(tier.roles ? { role: tier.roles.of(name, spec) } : {}),
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
  const virtualIps = Object.fromEntries(virtualAddressPlan().map((v) => [v.name, hostAddress(serviceSubnet, v.host)]));
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
    virtualIps,
    capacity: capacity.report,
    ha: planHa(vms),
    replication,
    objectStore: deriveStoragePlan(spec, { vms, nodes, ...(spec.proxmox.qdevice ? { qdevice: spec.proxmox.qdevice } : {}), serviceAddress: virtualIps.objectStore }),
    flows: deriveFlows(spec),
  };
  return { model, problems: [] };
}
