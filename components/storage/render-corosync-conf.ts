import { renderReplicatedCorosyncConf, type CorosyncText } from "../replicated-volume/render-corosync-conf";
import type { StorageClusterPlan } from "./storage-plan";

// The renderer is shared with every replicated volume (replicated-volume/render-corosync-conf.ts).
export { COROSYNC_AUTHKEY_PATH } from "../replicated-volume/render-corosync-conf";

export const STORAGE_COROSYNC_TEXT: CorosyncText = { where: "storage cluster plan (corosync.conf)", clusterLabel: "storage cluster" };

/** corosync.conf for the two storage VMs. */
export function renderCorosyncConf(cluster: StorageClusterPlan): string {
  return renderReplicatedCorosyncConf(cluster, STORAGE_COROSYNC_TEXT);
}
