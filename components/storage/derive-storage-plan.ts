import type { PlatformSpec } from "../spec/schema";
import type { NodePlan, VmPlan } from "../model/types";
import { DRBD_PORT, MINIO_BACKEND_PORT, MINIO_PORT } from "./tier";
import type { FencePlan, StoragePeer, StoragePlan } from "./storage-plan";

/**
 * Proxmox attaches the data disk as scsi1 on virtio-scsi; udev names it after the drive, so the name survives a
 * reordering of disks, which `/dev/sdb` does not.
 */
export const DATA_DISK_BY_ID = "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1";
/** The Proxmox user fence_pve logs in as (pve realm: fence_pve takes a password ticket, not an API token). */
export const FENCE_PVE_USER = "ibac-fence@pve";
/**
 * The random delay Pacemaker puts before the first storage VM's fence device: when the link between the two
 * breaks, both try to fence the other, and the delay lets one of them win (ARCHITECTURE.md's fence race).
 */
export const FENCE_DELAY_MAX_SECONDS = 15;

/** What the object-store tier needs from the model: its two VMs, the nodes they run on, the service address. */
export interface StoragePlanInputs {
  vms: readonly VmPlan[];
  nodes: readonly NodePlan[];
  qdevice?: { address: string };
  serviceAddress: string;
}

function addressOn(vm: VmPlan, network: "service" | "storage"): string {
  const nic = vm.nics.find((n) => n.network === network);
  if (!nic) throw new Error(`${vm.name} has no ${network} interface`);
  return nic.address;
}

/**
 * The storage tier's plan, from the spec and the model: one DRBD resource on the raw data disk, one
 * Pacemaker cluster of the two storage VMs, the fence devices that cover each, and the service that moves with
 * the Promoted role. Pure. Expects the two VMs the spec checks guarantee (objectStore.count is 2).
 */
export function deriveStoragePlan(spec: PlatformSpec, inputs: StoragePlanInputs): StoragePlan {
  const vms = inputs.vms.filter((vm) => vm.tier === "objectStore");
  if (vms.length !== 2) throw new Error(`the object store needs two VMs, the model has ${vms.length}`);
  const peer = (vm: VmPlan, i: number): StoragePeer => {
    const node = inputs.nodes.find((n) => n.name === vm.node);
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
  const peers = [peer(vms[0], 0), peer(vms[1], 1)] as const;
  const fence = (p: StoragePeer): FencePlan => {
    const bmc = spec.objectStore.fencing.ipmi.find((b) => b.node === p.proxmoxNode);
    return {
      target: p.vm,
      pve: { address: p.proxmoxNodeAddress, proxmoxNode: p.proxmoxNode, vmId: p.vmId, user: FENCE_PVE_USER },
      ...(bmc ? { ipmi: { address: bmc.address, user: bmc.user } } : {}),
    };
  };
  const servicePrefix = vms[0].nics.find((n) => n.network === "service")?.prefix ?? 24;
  return {
    drbd: { name: "ibac-s3", port: DRBD_PORT, minor: 0, device: "/dev/drbd0", backingDisk: DATA_DISK_BY_ID, protocol: "C", peers },
    cluster: {
      name: "ibac-s3",
      peers,
      ...(inputs.qdevice ? { qdeviceAddress: inputs.qdevice.address } : {}),
      fencing: [fence(peers[0]), fence(peers[1])],
      fenceDelayMaxSeconds: FENCE_DELAY_MAX_SECONDS,
    },
    service: {
      address: inputs.serviceAddress,
      prefix: servicePrefix,
      serverName: `s3.${spec.site.domain}`,
      port: MINIO_PORT,
      backend: { address: "127.0.0.1", port: MINIO_BACKEND_PORT },
      mountPoint: "/srv/minio",
      fileSystem: "ext4",
      dataDir: "/srv/minio/data",
      user: "minio-user",
    },
  };
}
