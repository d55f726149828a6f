import { BUCKET_PURPOSES, type PlatformSpec } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";
import { parseCidr, subnetContains } from "../model/addresses";
import { tierEligibleNodes } from "../tiers/registry";
import { bucketNameProblem } from "./bucket-names";
import { replicationEndpoint, replicationTargetAddress } from "./replication-target";

/** DRBD 8.4 replicates between exactly two peers (Debian's kernels have no DRBD 9 for more). */
export const DRBD_PEERS = 2;

/** Purposes whose data must not be altered once written: their buckets need Object Lock. */
export const LOCKED_PURPOSES = ["logs", "audit"] as const;

/** The object store's meaning checks: what the schema cannot say about `objectStore`. */
export function objectStoreProblems(spec: PlatformSpec): FieldProblem[] {
  return [...objectStoreCountProblems(spec), ...bucketProblems(spec), ...fencingProblems(spec), ...replicationProblems(spec)];
}

/** The object store runs on exactly the two DRBD peers (the model needs it too, before it derives the tier's plan). */
export function objectStoreCountProblems(spec: PlatformSpec): FieldProblem[] {
  const found = spec.objectStore.count;
  if (found === DRBD_PEERS) return [];
  return [{
    path: ["objectStore", "count"],
    detail: `expected ${DRBD_PEERS} (DRBD 8.4 replicates the MinIO volume between two peers; a larger store is distributed MinIO, which this toolkit does not build), found ${found}`,
  }];
}

function bucketProblems(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const buckets = spec.objectStore.buckets;
  buckets.forEach((bucket, i) => {
    const at = ["objectStore", "buckets", i];
    const nameProblem = bucketNameProblem(bucket.name);
    if (nameProblem) problems.push({ path: [...at, "name"], detail: `expected an S3 bucket name, found "${bucket.name}": ${nameProblem}` });
    const first = buckets.findIndex((b) => b.name === bucket.name);
    if (first !== i) problems.push({ path: [...at, "name"], detail: `expected a bucket name used once, found "${bucket.name}" again (first at objectStore.buckets[${first}])` });
    const firstPurpose = buckets.findIndex((b) => b.purpose === bucket.purpose);
    if (firstPurpose !== i) {
      problems.push({ path: [...at, "purpose"], detail: `expected one bucket per purpose, found ${bucket.purpose} again (first at objectStore.buckets[${firstPurpose}])` });
    }
    if ((LOCKED_PURPOSES as readonly string[]).includes(bucket.purpose) && !bucket.objectLock) {
      problems.push({ path: [...at, "objectLock"], detail: `expected Object Lock on the ${bucket.purpose} bucket (its objects must not be altered once written), found none` });
    }
    const lockDays = bucket.objectLock?.days;
    for (const field of ["expireAfterDays", "noncurrentExpireAfterDays"] as const) {
      const days = bucket[field];
      if (lockDays !== undefined && days !== undefined && days < lockDays) {
        problems.push({
          path: [...at, field],
          detail: `expected at least objectLock.days (${lockDays}): a lifecycle rule cannot remove a version that is still locked, found ${days}`,
        });
      }
    }
    const current = bucket.expireAfterDays;
    const noncurrent = bucket.noncurrentExpireAfterDays;
    if (current !== undefined && noncurrent === undefined) {
      problems.push({
        path: [...at, "noncurrentExpireAfterDays"],
        detail: "expected it beside expireAfterDays: with versioning on, an expired object only becomes noncurrent and stays stored until this rule deletes it, found none",
      });
    }
  });
  for (const purpose of BUCKET_PURPOSES) {
    if (!buckets.some((b) => b.purpose === purpose)) {
      problems.push({ path: ["objectStore", "buckets"], detail: `expected a bucket for each purpose (${BUCKET_PURPOSES.join(", ")}), found none for ${purpose}` });
    }
  }
  return problems;
}

/** The second fencing level needs the BMC of every node a storage VM may run on, and only real nodes. */
function fencingProblems(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const bmcs = spec.objectStore.fencing.ipmi;
  const nodeNames = spec.proxmox.nodes.map((n) => n.name);
  // A node named twice is reported as such; which node a BMC belongs to means nothing until it is fixed.
  if (new Set(nodeNames).size !== nodeNames.length) return [];
  bmcs.forEach((bmc, i) => {
    const at = ["objectStore", "fencing", "ipmi", i];
    if (!nodeNames.includes(bmc.node)) problems.push({ path: [...at, "node"], detail: `expected one of the Proxmox nodes (${nodeNames.join(", ")}), found "${bmc.node}"` });
    const first = bmcs.findIndex((b) => b.node === bmc.node);
    if (first !== i) problems.push({ path: [...at, "node"], detail: `expected one BMC per node, found ${bmc.node} again (first at objectStore.fencing.ipmi[${first}])` });
    const node = spec.proxmox.nodes.find((n) => n.name === bmc.node);
    if (node && node.address === bmc.address) {
      problems.push({ path: [...at, "address"], detail: `expected the BMC's own address (out-of-band), found ${bmc.address}, the node's management address: a dead node takes it down with it` });
    }
  });
  for (const node of tierEligibleNodes(spec, "objectStore").filter((n) => nodeNames.includes(n))) {
    if (!bmcs.some((b) => b.node === node)) {
      problems.push({ path: ["objectStore", "fencing", "ipmi"], detail: `expected the BMC of every node a storage VM may run on, found none for ${node}` });
    }
  }
  return problems;
}

function replicationProblems(spec: PlatformSpec): FieldProblem[] {
  const replication = spec.objectStore.replication;
  if (!replication) return [];
  const problems: FieldProblem[] = [];
  const at = ["objectStore", "replication"];
  const { host } = replicationEndpoint(replication);
  const address = replicationTargetAddress(replication) || undefined;
  if (!address) {
    problems.push({ path: [...at, "address"], detail: `expected the third site's IPv4 address (the firewall opens the flow to it, and the endpoint names a host, ${host}), found none` });
  } else {
    const inside = (["management", "cluster", "service", "storage", "admin", "vpnClients"] as const).filter((role) => subnetContains(parseCidr(spec.networks[role].cidr), address));
    if (inside.length) {
      problems.push({
        path: [...at, replication.address ? "address" : "endpoint"],
        detail: `expected an address outside the platform's networks (the third location is another site), found ${address}, inside networks.${inside[0]} (${spec.networks[inside[0]].cidr})`,
      });
    }
  }
  const names = spec.objectStore.buckets.map((b) => b.name);
  replication.buckets.forEach((pair, i) => {
    if (!names.includes(pair.source)) {
      problems.push({ path: [...at, "buckets", i, "source"], detail: `expected one of the buckets (${names.join(", ")}), found "${pair.source}"` });
    }
    const first = replication.buckets.findIndex((p) => p.source === pair.source);
    if (first !== i) problems.push({ path: [...at, "buckets", i, "source"], detail: `expected each bucket replicated once, found ${pair.source} again (first at objectStore.replication.buckets[${first}])` });
  });
  return problems;
}
