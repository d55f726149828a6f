import type { NodePlan, VmPlan } from "../model/types";
import type { FencePlan, ReplicatedClusterPlan, ReplicatedPeer } from "./plan";

/**
 * Proxmox attaches the data disk as scsi1 on virtio-scsi; udev names it after the drive, so the name survives a
 * reordering of disks, which `/dev/sdb` does not.
 */
export const DATA_DISK_BY_ID = "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1";
/**
 * The random delay Pacemaker puts before the first VM's fence device: when the link between the two breaks,
 * both try to fence the other, and the delay lets one of them win (ARCHITECTURE.md's fence race).
 */
export const FENCE_DELAY_MAX_SECONDS = 15;

/** A node's BMC as the spec lists it (spec.objectStore.fencing.ipmi: the nodes' BMCs, shared by every cluster). */
export interface NodeBmc {
  node: string;
  address: string;
  user: string;
}

function addressOn(vm: VmPlan, network: "service" | "storage"): string {
  const nic = vm.nics.find((n) => n.network === network);
  if (!nic) throw new Error(`${vm.name} has no ${network} interface`);
  return nic.address;
}

/** The two peers of a replicated volume, node ids 1 and 2 in the model's VM order. */
export function replicatedPeers(vms: readonly VmPlan[], nodes: readonly NodePlan[]): readonly [ReplicatedPeer, ReplicatedPeer] {
  if (vms.length !== 2) throw new Error(`a replicated volume needs two VMs, found ${vms.length}`);
  const peer = (vm: VmPlan, i: number): ReplicatedPeer => {
    const node = nodes.find((n) => n.name === vm.node);
    if (!node) throw new Error(`${vm.name} runs on ${vm.node}, which is not a node`);
    return {
      vm: vm.name,
      nodeId: i + 1,
      proxmoxNode: vm.node,
      proxmoxNodeAddress: node.managementAddress,
      vmId: vm.vmId,
      storageAddress: addressOn(vm, "storage"),
      serviceAddress: addressOn(vm, "service"),
    };
  };
  return [peer(vms[0], 0), peer(vms[1], 1)];
}

/** The cluster of the two peers: fence_pve (as `fenceUser`) then the node's BMC for each, the QDevice when there is one. */
export function replicatedCluster(name: string, peers: readonly [ReplicatedPeer, ReplicatedPeer], bmcs: readonly NodeBmc[], fenceUser: string, qdevice?: { address: string }): ReplicatedClusterPlan {
  const fence = (p: ReplicatedPeer): FencePlan => {
    const bmc = bmcs.find((b) => b.node === p.proxmoxNode);
    return {
      target: p.vm,
      pve: { address: p.proxmoxNodeAddress, proxmoxNode: p.proxmoxNode, vmId: p.vmId, user: fenceUser },
      ...(bmc ? { ipmi: { address: bmc.address, user: bmc.user } } : {}),
    };
  };
  return {
    name,
    peers,
    ...(qdevice ? { qdeviceAddress: qdevice.address } : {}),
    fencing: [fence(peers[0]), fence(peers[1])],
    fenceDelayMaxSeconds: FENCE_DELAY_MAX_SECONDS,
  };
}
