// What the object-store tier's renderers, component, policies and runbooks read: one pure plan derived from the
// spec and the model (derive-storage-plan.ts). Nothing below re-reads the spec for what is decided here.

import type { DrbdResourcePlan, ReplicatedClusterPlan, ReplicatedPeer } from "../replicated-volume/plan";

// The shapes shared with every replicated volume (replicated-volume/plan.ts), under the names the object store
// has always used for them.
export type { DrbdResourcePlan, FencePlan } from "../replicated-volume/plan";
/** One of the two storage VMs, as DRBD, corosync and Pacemaker name and reach it. */
export type StoragePeer = ReplicatedPeer;
/** The two-node Pacemaker cluster of the storage VMs, made quorate by the platform's QDevice. */
export type StorageClusterPlan = ReplicatedClusterPlan;

/** The object-store service the Promoted side runs: MinIO on the DRBD volume, behind one moving address. */
export interface ObjectServicePlan {
  /** The service address, host name and port clients use (moves with the Promoted role). */
  address: string;
  prefix: number;
  serverName: string;
  port: number;
  /**
   * Where MinIO itself listens: the loopback only, still TLS with the service's certificate. HAProxy terminates
   * the clients' TLS on `address:port` with the platform's suites (MinIO's own are fixed by its build) and
   * re-encrypts to this, verifying the certificate (render-s3-haproxy-cfg.ts).
   */
  backend: { address: string; port: number };
  /** Where the DRBD device is mounted, and MinIO's data directory below it. */
  mountPoint: string;
  fileSystem: "ext4";
  dataDir: string;
  /** The system user MinIO runs as. */
  user: string;
}

export interface StoragePlan {
  drbd: DrbdResourcePlan;
  cluster: StorageClusterPlan;
  service: ObjectServicePlan;
}
