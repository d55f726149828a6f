import { STORAGE_PATHS } from "./paths";
import { DEBIAN_HAPROXY_UNIT } from "./s3-haproxy-paths";
import type { StoragePlan } from "./storage-plan";
import { renderClusterPackagesScript, renderClusterSetupScript, type ClusterSetupText } from "../replicated-volume/render-cluster-scripts";

// The object store's packages and setup scripts: the shared renderers (replicated-volume/render-cluster-scripts.ts)
// with the storage VMs' paths and words.
export { renderFencePasswordScript } from "../replicated-volume/render-cluster-scripts";

/**
 * The packages a storage VM runs: DRBD's tools (the kernel module is in Debian's kernels, the cloud flavour's
 * too), corosync with the QDevice client, Pacemaker and its command-line tools, the OCF agents (ocf:linbit:drbd
 * comes with drbd-utils, Filesystem and IPaddr2 with resource-agents), the fence agents (fence_pve,
 * fence_ipmilan) and HAProxy (the S3 TLS in front of MinIO). Unverified here: the package names on trixie
 * (fence-agents is split there).
 */
export const STORAGE_PACKAGES = ["drbd-utils", "corosync", "corosync-qdevice", "pacemaker", "pacemaker-cli-utils", "resource-agents", "fence-agents", "haproxy", "curl", "ca-certificates"] as const;

/**
 * The first step of every storage deployment (renderClusterPackagesScript). HAProxy was added to the list on a
 * running cluster. Debian's haproxy.service, which the package enables and starts with its default config, is
 * masked at once: HAProxy runs here only as Pacemaker's ibac-s3-haproxy.service.
 */
export function renderStoragePackagesScript(): string {
  return renderClusterPackagesScript({ clusterLabel: "storage cluster", packages: STORAGE_PACKAGES, tail: `systemctl mask --now ${DEBIAN_HAPROXY_UNIT}\n` });
}

const STORAGE_SETUP_TEXT: ClusterSetupText = {
  vmLabel: "storage VM",
  clusterLabel: "storage cluster",
  runbooks: "the storage runbooks",
  unitsComment: "minio.service and ibac-s3-haproxy.service are Pacemaker's: loaded, never enabled (no [Install] section).",
  paths: STORAGE_PATHS,
};

/**
 * The script each deployment runs on a storage VM once every other file is in place (renderClusterSetupScript):
 * idempotent, never destroys data; the first peer makes the first sync, the file system and loads the CIB.
 */
export function renderStorageSetupScript(plan: StoragePlan, vm: string): string {
  return renderClusterSetupScript({ drbd: plan.drbd, cluster: plan.cluster, mountPoint: plan.service.mountPoint }, vm, STORAGE_SETUP_TEXT);
}
