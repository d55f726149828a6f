// The ids of the storage tier's resources in the Pacemaker CIB, said once: the CIB renderer writes them, the
// storage runbooks read crm_mon's output and address crm_resource by them, and the policies look them up.

/** The `ocf:linbit:drbd` primitive that manages the DRBD resource on each peer. */
export const CIB_DRBD_PRIMITIVE = "storage-drbd";
/** Its promotable clone (promoted-max 1): where the Promoted instance runs, DRBD is Primary. */
export const CIB_DRBD_CLONE = "storage-drbd-clone";
/** The group that runs with the Promoted instance, in start order. */
export const CIB_SERVICE_GROUP = "storage-service";
/** `ocf:heartbeat:Filesystem`: mounts the DRBD device. */
export const CIB_FILESYSTEM = "storage-fs";
/** `ocf:heartbeat:IPaddr2`: the service address that moves with the Promoted role. */
export const CIB_SERVICE_IP = "storage-ip";
/** `systemd:minio`: the object store itself. */
export const CIB_MINIO = "storage-minio";
/** The members of CIB_SERVICE_GROUP, in the order Pacemaker starts them. */
export const CIB_SERVICE_GROUP_MEMBERS = [CIB_FILESYSTEM, CIB_SERVICE_IP, CIB_MINIO] as const;

/** Level 1 fencing of a storage VM: `fence_pve` stops the VM through the Proxmox API. */
export function cibFencePve(vm: string): string {
  return `fence-pve-${vm}`;
}

/** Level 2 fencing of a storage VM: `fence_ipmilan` powers off the Proxmox node that runs it. */
export function cibFenceIpmi(vm: string): string {
  return `fence-ipmi-${vm}`;
}

/** The systemd unit CIB_MINIO manages (`systemd:minio`): what the runbooks ask `systemctl is-active` about. */
export const MINIO_UNIT = "minio";
