import type { PlatformSpec } from "../spec/schema";
import type { NodePlan, VmPlan } from "../model/types";
import { DRBD_PORT, MINIO_BACKEND_PORT, MINIO_PORT } from "./tier";
import type { StoragePlan } from "./storage-plan";
import { DATA_DISK_BY_ID, replicatedCluster, replicatedPeers } from "../replicated-volume/derive";

// Said once for every replicated volume; re-exported under the names the object store has always used.
export { DATA_DISK_BY_ID, FENCE_DELAY_MAX_SECONDS } from "../replicated-volume/derive";
/** The Proxmox user fence_pve logs in as (pve realm: fence_pve takes a password ticket, not an API token). */
export const FENCE_PVE_USER = "ibac-fence@pve";

/** What the object-store tier needs from the model: its two VMs, the nodes they run on, the service address. */
export interface StoragePlanInputs {
  vms: readonly VmPlan[];
  nodes: readonly NodePlan[];
  qdevice?: { address: string };
  serviceAddress: string;
}

/**
 * The storage tier's plan, from the spec and the model: one DRBD resource on the raw data disk, one
 * Pacemaker cluster of the two storage VMs, the fence devices that cover each, and the service that moves with
 * the Promoted role. Pure. Expects the two VMs the spec checks guarantee (objectStore.count is 2).
 */
export function deriveStoragePlan(spec: PlatformSpec, inputs: StoragePlanInputs): StoragePlan {
  const vms = inputs.vms.filter((vm) => vm.tier === "objectStore");
  if (vms.length !== 2) throw new Error(`the object store needs two VMs, the model has ${vms.length}`);
  const peers = replicatedPeers(vms, inputs.nodes);
  const servicePrefix = vms[0].nics.find((n) => n.network === "service")?.prefix ?? 24;
  return {
    drbd: { name: "ibac-s3", port: DRBD_PORT, minor: 0, device: "/dev/drbd0", backingDisk: DATA_DISK_BY_ID, protocol: "C", peers },
    cluster: replicatedCluster("ibac-s3", peers, spec.objectStore.fencing.ipmi, FENCE_PVE_USER, inputs.qdevice),
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
