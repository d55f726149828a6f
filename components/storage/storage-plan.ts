// What the object-store tier's renderers, component, policies and runbooks read: one pure plan derived from the
// spec and the model (derive-storage-plan.ts). Nothing below re-reads the spec for what is decided here.

/** One of the two storage VMs, as DRBD, corosync and Pacemaker name and reach it. */
export interface StoragePeer {
  /** The VM's host name (`s3-1`): DRBD's `on` section and Pacemaker's node name must equal `uname -n`. */
  vm: string;
  /** corosync's node id: 1 for the first VM, 2 for the second. */
  nodeId: number;
  /** The Proxmox node that runs the VM, and its management address (fence_pve's API and IPMI's target). */
  proxmoxNode: string;
  proxmoxNodeAddress: string;
  vmId: number;
  /** DRBD's replication link and corosync's first link. */
  storageAddress: string;
  /** corosync's second link, and the network the service address lives on. */
  serviceAddress: string;
}

/** The DRBD 8.4 resource that replicates the MinIO volume between the two storage VMs. */
export interface DrbdResourcePlan {
  /** The resource name (`drbdadm up ibac-s3`), also Pacemaker's `drbd_resource`. */
  name: string;
  /** TCP port DRBD listens on, on the storage network. */
  port: number;
  minor: number;
  /** `/dev/drbd0`. */
  device: string;
  /** The raw data disk, by a name that does not move between boots. */
  backingDisk: string;
  /** Synchronous: a write is acknowledged once both disks hold it (the only protocol that loses nothing on a kill). */
  protocol: "C";
  peers: readonly [StoragePeer, StoragePeer];
}

/** Pacemaker's fencing of a storage VM: first the VM through the Proxmox API, then its whole node through IPMI. */
export interface FencePlan {
  /** The VM this device fences. */
  target: string;
  /** Level 1: `fence_pve` against the Proxmox API of the node that runs it. */
  pve: { address: string; proxmoxNode: string; vmId: number; user: string };
  /**
   * Level 2: `fence_ipmilan` powers off the Proxmox node that runs it (when the node itself is gone). The spec
   * checks require it; a plan built from an unchecked spec may lack it, and the fencing policy says so.
   */
  ipmi?: { address: string; user: string };
}

/** The two-node Pacemaker cluster of the storage VMs, made quorate by the platform's QDevice. */
export interface StorageClusterPlan {
  /** corosync's `cluster_name` (the QNetd tells clusters apart by it). */
  name: string;
  peers: readonly [StoragePeer, StoragePeer];
  /** The QNetd host that gives the third vote (the one the Proxmox nodes use). */
  qdeviceAddress?: string;
  fencing: readonly [FencePlan, FencePlan];
  /** `pcmk_delay_max` in seconds: a random delay on one device so that a fence race has one winner. */
  fenceDelayMaxSeconds: number;
}

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
