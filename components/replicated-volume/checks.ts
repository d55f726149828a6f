import type { ReplicatedClusterPlan, ReplicatedPeer } from "./plan";

// The values corosync.conf and the CIB take from a replicated-volume cluster plan, checked for their meaning before
// they reach a file: the spec loader validates first, this is defence in depth against a plan built otherwise.

/** Throws the one error shape of the replicated-volume renderers: where, which field, what was expected, what was found. */
export function refuse(where: string, field: string, expected: string, found: unknown): never {
  // JSON.stringify escapes line breaks and control characters: a hostile value cannot reach a terminal raw.
  throw new Error(`${where}: ${field}: expected ${expected}, found ${found === undefined ? "nothing" : JSON.stringify(found)}`);
}

export const IPV4 = /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
/** A host name label as `uname -n` returns it: corosync and Pacemaker compare node names with it literally. */
export const HOST_NAME = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** corosync's cluster_name and Pacemaker's cluster-name. */
export const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export function checkPattern(where: string, field: string, value: unknown, pattern: RegExp, expected: string): string {
  if (typeof value !== "string" || !pattern.test(value)) refuse(where, field, expected, value);
  return value;
}

export function checkInteger(where: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) refuse(where, field, `an integer from ${min} to ${max}`, value);
  return value;
}

export function checkIpv4(where: string, field: string, value: unknown): string {
  return checkPattern(where, field, value, IPV4, "an IPv4 address such as 10.20.3.40");
}

function checkPeer(where: string, peer: ReplicatedPeer, index: number): void {
  const at = `peers[${index}]`;
  checkPattern(where, `${at}.vm`, peer.vm, HOST_NAME, "a host name label such as s3-1 (lower-case letters, digits and inner hyphens)");
  checkInteger(where, `${at}.nodeId`, peer.nodeId, 1, 2);
  checkPattern(where, `${at}.proxmoxNode`, peer.proxmoxNode, HOST_NAME, "a Proxmox node name such as pve1");
  checkIpv4(where, `${at}.proxmoxNodeAddress`, peer.proxmoxNodeAddress);
  checkInteger(where, `${at}.vmId`, peer.vmId, 100, 999_999_999);
  checkIpv4(where, `${at}.storageAddress`, peer.storageAddress);
  checkIpv4(where, `${at}.serviceAddress`, peer.serviceAddress);
  if (peer.storageAddress === peer.serviceAddress) refuse(where, `${at}.serviceAddress`, `an address other than ${at}.storageAddress (two links need two networks)`, peer.serviceAddress);
}

/** Two distinct peers with node ids 1 and 2, distinct addresses, and a cluster name. */
export function checkClusterPeers(where: string, cluster: ReplicatedClusterPlan): void {
  checkPattern(where, "name", cluster.name, CLUSTER_NAME, "a cluster name such as ibac-s3 (a lower-case letter, then letters, digits or hyphens, at most 32)");
  if (!Array.isArray(cluster.peers) || cluster.peers.length !== 2) refuse(where, "peers", "exactly two peers", Array.isArray(cluster.peers) ? `${cluster.peers.length} peers` : cluster.peers);
  cluster.peers.forEach((peer, i) => checkPeer(where, peer, i));
  const [a, b] = cluster.peers;
  if (a.vm === b.vm) refuse(where, "peers[1].vm", "a host name other than peers[0].vm", b.vm);
  if (a.nodeId === b.nodeId) refuse(where, "peers[1].nodeId", "a node id other than peers[0].nodeId", b.nodeId);
  for (const field of ["storageAddress", "serviceAddress"] as const) {
    if (a[field] === b[field]) refuse(where, `peers[1].${field}`, `an address other than peers[0].${field}`, b[field]);
  }
}
