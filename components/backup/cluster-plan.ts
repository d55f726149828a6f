import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";
import type { DrbdResourcePlan, ReplicatedCibPlan, ReplicatedClusterPlan } from "../replicated-volume/plan";
import { DATA_DISK_BY_ID, replicatedCluster, replicatedPeers } from "../replicated-volume/derive";
import { BACKUP_DRBD_PORT } from "./tier";

// The backup tier's replicated volume: what its DRBD resource, corosync.conf, CIB, scripts, component and the
// IBAC-BAK-004 policy read. One pure plan from the spec and the model, like the object store's.

/** The Proxmox user the backup cluster's fence_pve logs in as: its own, allowed on the backup VMs only. */
export const BACKUP_FENCE_PVE_USER = "ibac-fence-bkp@pve";
/** Where the Promoted side mounts the DRBD volume: Bacula's volumes, catalog and working state live below it. */
export const BACKUP_MOUNT_POINT = "/srv/bacula";

/** The Pacemaker resources of the backup cluster, said once (the CIB, the policy, the tests, the runbooks). */
export const BACKUP_CIB_IDS = {
  drbdPrimitive: "backup-drbd",
  drbdClone: "backup-drbd-clone",
  group: "backup-service",
  fileSystem: "backup-fs",
  address: "backup-ip",
  storageDaemon: "backup-sd",
  director: "backup-director",
} as const;

/** Debian's units (bacula-sd.service, bacula-director.service), which Pacemaker starts; never enabled. */
export const BACULA_SD_UNIT = "bacula-sd";
export const BACULA_DIRECTOR_UNIT = "bacula-director";

export interface BackupClusterPlan {
  drbd: DrbdResourcePlan;
  cluster: ReplicatedClusterPlan;
  /** The address the director and the storage daemon serve on, moving with the Promoted role. */
  service: { address: string; prefix: number; mountPoint: string; fileSystem: "ext4" };
  /** The CIB's plan: the group file system → address → bacula-sd → bacula-director. */
  cib: ReplicatedCibPlan;
}

/**
 * The backup tier's cluster plan: DRBD resource ibac-bkp on the raw data disk (port 7790, minor 0), corosync
 * cluster ibac-bkp with the platform's QDevice, fence_pve then fence_ipmilan per VM (the nodes' BMCs from
 * spec.objectStore.fencing.ipmi, shared with the storage cluster), and the group that the Promoted side runs.
 * Pure. Expects the two VMs the spec checks guarantee (backup.count is 2).
 */
export function deriveBackupClusterPlan(spec: PlatformSpec, model: Pick<PlatformModel, "vms" | "nodes" | "qdevice" | "virtualIps">): BackupClusterPlan {
  const vms = model.vms.filter((vm) => vm.tier === "backup");
  if (vms.length !== 2) throw new Error(`the backup volume needs two VMs, the model has ${vms.length}`);
  const address = model.virtualIps.backup;
  if (address === undefined) throw new Error("the model has no backup virtual address");
  const peers = replicatedPeers(vms, model.nodes);
  const drbd: DrbdResourcePlan = { name: "ibac-bkp", port: BACKUP_DRBD_PORT, minor: 0, device: "/dev/drbd0", backingDisk: DATA_DISK_BY_ID, protocol: "C", peers };
  const cluster = replicatedCluster("ibac-bkp", peers, spec.objectStore.fencing.ipmi, BACKUP_FENCE_PVE_USER, model.qdevice);
  const prefix = vms[0].nics.find((n) => n.network === "service")?.prefix ?? 24;
  const service = { address, prefix, mountPoint: BACKUP_MOUNT_POINT, fileSystem: "ext4" as const };
  const ids = BACKUP_CIB_IDS;
  return {
    drbd,
    cluster,
    service,
    cib: {
      drbd,
      cluster,
      ids: { drbdPrimitive: ids.drbdPrimitive, drbdClone: ids.drbdClone, group: ids.group },
      members: [
        { kind: "filesystem", id: ids.fileSystem, directory: service.mountPoint, fileSystem: service.fileSystem },
        { kind: "address", id: ids.address, address: service.address, prefix: service.prefix },
        // The storage daemon before the director: a job the director starts finds its storage daemon serving.
        { kind: "systemd", id: ids.storageDaemon, unit: BACULA_SD_UNIT, monitorInterval: "30s", monitorTimeout: "60s", startTimeout: "100s", stopTimeout: "100s" },
        // Stopped first on a move: no new job starts while the storage daemon still writes the last one out.
        { kind: "systemd", id: ids.director, unit: BACULA_DIRECTOR_UNIT, monitorInterval: "30s", monitorTimeout: "60s", startTimeout: "100s", stopTimeout: "100s" },
      ],
    },
  };
}
