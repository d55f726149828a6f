// The ids of the storage cluster's Pacemaker resources, said once: the CIB renderer, the facts a policy reads
// from the rendered CIB and the runbooks (crm_resource, crm_mon) all name them through these.

/** The DRBD primitive (ocf:linbit:drbd) and the promotable clone around it. */
export const DRBD_PRIMITIVE_ID = "storage-drbd";
export const DRBD_CLONE_ID = "storage-drbd-clone";

/**
 * The group the Promoted side runs, in start order: file system, address, MinIO (on the loopback), then HAProxy,
 * which serves S3's TLS on the address in front of MinIO. Stopped in the reverse order: HAProxy stops taking
 * connections before MinIO stops and before the address leaves.
 */
export const SERVICE_GROUP_ID = "storage-service";
export const FILESYSTEM_ID = "storage-fs";
export const SERVICE_IP_ID = "storage-ip";
export const MINIO_RESOURCE_ID = "storage-minio";
export const S3_HAPROXY_RESOURCE_ID = "storage-haproxy";
export const SERVICE_GROUP_MEMBERS = [FILESYSTEM_ID, SERVICE_IP_ID, MINIO_RESOURCE_ID, S3_HAPROXY_RESOURCE_ID] as const;

// The fence devices are named per VM, the same way in every replicated-volume cluster.
export { ipmiFenceDeviceId, pveFenceDeviceId } from "../replicated-volume/cib-ids";
