// The plan of a replicated volume: one DRBD 8.4 resource between two VMs on different nodes, the two-node
// Pacemaker cluster that decides which side is Primary, and the ordered group of services that runs on the
// Promoted side. The object store (storage/) and the backup tier (backup/) each derive one; the renderers here
// turn it into the same kind of files for both.

/** One of the two VMs, as DRBD, corosync and Pacemaker name and reach it. */
export interface ReplicatedPeer {
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

/** The DRBD 8.4 resource that replicates the volume between the two VMs. */
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
  peers: readonly [ReplicatedPeer, ReplicatedPeer];
}

/** Pacemaker's fencing of a VM: first the VM through the Proxmox API, then its whole node through IPMI. */
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

/** The two-node Pacemaker cluster of the two VMs, made quorate by the platform's QDevice. */
export interface ReplicatedClusterPlan {
  /** corosync's `cluster_name` (the QNetd tells clusters apart by it). */
  name: string;
  peers: readonly [ReplicatedPeer, ReplicatedPeer];
  /** The QNetd host that gives the third vote (the one the Proxmox nodes use). */
  qdeviceAddress?: string;
  fencing: readonly [FencePlan, FencePlan];
  /** `pcmk_delay_max` in seconds: a random delay on one device so that a fence race has one winner. */
  fenceDelayMaxSeconds: number;
}

/** A member of the service group the Promoted side runs, in start order. */
export type GroupMember =
  /** ocf:heartbeat:Filesystem: the DRBD device on the mount point. */
  | { kind: "filesystem"; id: string; directory: string; fileSystem: "ext4" }
  /** ocf:heartbeat:IPaddr2: the service address that moves with the Promoted role. */
  | { kind: "address"; id: string; address: string; prefix: number }
  /** A systemd unit Pacemaker starts and stops (never enabled): `unit` without `.service`. */
  | { kind: "systemd"; id: string; unit: string; monitorInterval: string; monitorTimeout: string; startTimeout: string; stopTimeout: string };

/** The ids of the cluster's own Pacemaker resources (fence devices are named per VM, see cib-ids.ts). */
export interface CibResourceIds {
  /** The ocf:linbit:drbd primitive and the promotable clone around it. */
  drbdPrimitive: string;
  drbdClone: string;
  /** The group the Promoted side runs. */
  group: string;
}

/** Everything the CIB renderer needs: the volume, the cluster, the ids and the group's members in order. */
export interface ReplicatedCibPlan {
  drbd: DrbdResourcePlan;
  cluster: ReplicatedClusterPlan;
  ids: CibResourceIds;
  members: readonly GroupMember[];
}
