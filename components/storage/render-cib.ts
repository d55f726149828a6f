import { DRBD_CLONE_ID, DRBD_PRIMITIVE_ID, FILESYSTEM_ID, MINIO_RESOURCE_ID, S3_HAPROXY_RESOURCE_ID, SERVICE_GROUP_ID, SERVICE_IP_ID } from "./cib-resource-ids";
import { S3_HAPROXY_UNIT } from "./s3-haproxy-paths";
import { checkInteger, checkIpv4, checkPattern, refuse } from "../replicated-volume/checks";
import { renderReplicatedCib, validateReplicatedCluster, xmlAttributeIn, type CibOptions, type CibText } from "../replicated-volume/render-cib";
import type { ReplicatedCibPlan } from "../replicated-volume/plan";
import type { StoragePlan } from "./storage-plan";

// The storage cluster's CIB: the shared renderer (replicated-volume/render-cib.ts) with the object store's
// group. The names the object store's code and tests import stay here.
export {
  CIB_SCHEMA, DRBD_MONITOR_PROMOTED, DRBD_MONITOR_UNPROMOTED, PVE_PASSWORD_SCRIPT, ipmiPasswordScript, type CibOptions, type PacemakerRelease,
} from "../replicated-volume/render-cib";

export const STORAGE_CIB_TEXT: CibText = { where: "storage plan (Pacemaker CIB)", vms: "storage VMs" };

export const MINIO_MONITOR_INTERVAL = "30s";
export const S3_HAPROXY_MONITOR_INTERVAL = "20s";

// An absolute path without spaces or quotes, no segment starting with a dot (so no . or ..): Filesystem's directory.
const ABSOLUTE_PATH = /^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;

/** Escapes a value for a double-quoted XML attribute; values are validated before, this keeps the XML whole regardless. */
export function xmlAttribute(value: string): string {
  return xmlAttributeIn(STORAGE_CIB_TEXT.where, value);
}

/** The object store's service fields, checked in the words of its plan (service.*) before the shared checks. */
function validateService(plan: StoragePlan): void {
  const where = STORAGE_CIB_TEXT.where;
  const { cluster, service } = plan;
  checkIpv4(where, "service.address", service.address);
  checkInteger(where, "service.prefix", service.prefix, 8, 30);
  checkPattern(where, "service.mountPoint", service.mountPoint, ABSOLUTE_PATH, "an absolute path such as /srv/minio (no spaces, quotes or dot segments)");
  if (service.fileSystem !== "ext4") refuse(where, "service.fileSystem", '"ext4"', service.fileSystem);
  if (cluster.peers.some((p) => p.serviceAddress === service.address)) refuse(where, "service.address", "an address neither VM has as its own", service.address);
}

/**
 * The storage cluster's group in start order: file system, address, MinIO (on the loopback), then HAProxy, which
 * serves S3's TLS on the address in front of MinIO.
 */
export function storageCibPlan(plan: StoragePlan): ReplicatedCibPlan {
  const { service } = plan;
  return {
    drbd: plan.drbd,
    cluster: plan.cluster,
    ids: { drbdPrimitive: DRBD_PRIMITIVE_ID, drbdClone: DRBD_CLONE_ID, group: SERVICE_GROUP_ID },
    members: [
      { kind: "filesystem", id: FILESYSTEM_ID, directory: service.mountPoint, fileSystem: service.fileSystem },
      { kind: "address", id: SERVICE_IP_ID, address: service.address, prefix: service.prefix },
      // minio.service, the unit the MinIO renderer writes (MinIO on the loopback).
      { kind: "systemd", id: MINIO_RESOURCE_ID, unit: "minio", monitorInterval: MINIO_MONITOR_INTERVAL, monitorTimeout: "60s", startTimeout: "100s", stopTimeout: "100s" },
      // ibac-s3-haproxy.service: S3's TLS on the service address, in front of MinIO. After the address, so it binds
      // an address this VM holds (no ip_nonlocal_bind); after MinIO, so it opens the port once MinIO serves.
      { kind: "systemd", id: S3_HAPROXY_RESOURCE_ID, unit: S3_HAPROXY_UNIT.replace(/\.service$/, ""), monitorInterval: S3_HAPROXY_MONITOR_INTERVAL, monitorTimeout: "30s", startTimeout: "60s", stopTimeout: "60s" },
    ],
  };
}

/**
 * The storage cluster's CIB: fencing first (fence_pve per VM, fence_ipmilan as the second level), the promotable
 * DRBD clone, and the service group (file system, address, MinIO, HAProxy) that runs only where DRBD is Promoted and
 * starts only after the promotion. Pure; configuration only (see renderReplicatedCib).
 */
export function renderCib(plan: StoragePlan, options: CibOptions = {}): string {
  const release = options.release ?? "bookworm";
  if (release !== "bookworm" && release !== "trixie") refuse(STORAGE_CIB_TEXT.where, "release", '"bookworm" or "trixie"', release);
  validateReplicatedCluster(STORAGE_CIB_TEXT, plan.drbd, plan.cluster);
  validateService(plan);
  return renderReplicatedCib(storageCibPlan(plan), STORAGE_CIB_TEXT, options);
}
