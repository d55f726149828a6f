import type { TierName } from "../spec/schema";
import type { StoragePlan } from "../storage/storage-plan";

/** A network a VM or node is attached to, by its role in the spec's `networks`. */
export type NetworkRole = "management" | "cluster" | "service" | "storage" | "admin" | "vpnClients";

export interface NicPlan {
  /** Proxmox device name: net0, net1, ... */
  device: string;
  network: NetworkRole;
  address: string;
  prefix: number;
  gateway?: string;
  bridge: string;
  vlan?: number;
}

/** One VM, everything about it that follows from the spec. */
export interface VmPlan {
  /** Short host name, unique in the stack, e.g. `db-1`. */
  name: string;
  fqdn: string;
  tier: TierName;
  /** The database tier's roles; other tiers have none. */
  role?: "primary" | "replica";
  /** 0-based position in its tier. */
  index: number;
  vmId: number;
  /** The node the VM runs on while every node is up. */
  node: string;
  /** Where HA recovers the VM when its node fails (it also receives the VM's storage replication). */
  failoverNode?: string;
  cores: number;
  memoryGiB: number;
  diskGiB: number;
  dataDiskGiB?: number;
  nics: NicPlan[];
}

export interface NodePlan {
  name: string;
  managementAddress: string;
  /** The node's address on the corosync network. */
  clusterAddress: string;
  logicalCpus: number;
  memoryGiB: number;
  /** VM storage the node can fill: the pool's usable size under its layout, at most 80% full. */
  usableStorageGiB: number;
}

export interface NodeLoad {
  node: string;
  cores: number;
  coresAvailable: number;
  memoryGiB: number;
  memoryAvailableGiB: number;
}

export interface FailureScenario {
  failedNode: string;
  /** Load of every surviving node once HA has recovered the failed node's VMs. */
  survivors: NodeLoad[];
  fits: boolean;
}

export interface StorageLoad {
  node: string;
  /** Disks of the VMs homed on the node plus the replicas it receives. */
  usedGiB: number;
  usableGiB: number;
}

export interface CapacityReport {
  normal: NodeLoad[];
  failures: FailureScenario[];
  storage: StorageLoad[];
  /** The least spare memory and cores on any node in any single-node failure. */
  headroom: { memoryGiB: number; cores: number };
  /** Every single-node failure fits and every node's storage fits. */
  fits: boolean;
}

/** A Proxmox HA rule (VE 9) or group (VE 8), before it becomes a resource. */
export interface NodeAffinityPlan {
  /** Rule or group id, e.g. `ibac-pve1-then-pve2` (home node, then failover node). */
  id: string;
  /** Node priorities: the home node highest, the failover node next. */
  nodes: Record<string, number>;
  strict: boolean;
  vmIds: number[];
}

export interface ResourceAffinityPlan {
  id: string;
  tier: TierName;
  vmIds: number[];
}

export interface HaPlan {
  nodeAffinity: NodeAffinityPlan[];
  /** Anti-affinity per tier, only where a node failure still leaves a free node for each VM of the tier. */
  resourceAffinity: ResourceAffinityPlan[];
  /** Why a tier has no anti-affinity rule, for the plan's summary and the compliance report. */
  notes: string[];
}

export interface ReplicationPlan {
  /** Proxmox replication job id, `<vmid>-0`. */
  jobId: string;
  vmName: string;
  vmId: number;
  target: string;
  schedule: string;
}

/** A flow endpoint: a tier (optionally one role of it), or a zone outside the VMs. */
export type FlowEndpoint =
  | { kind: "tier"; tier: TierName; role?: "primary" | "replica" }
  | { kind: "zone"; zone: FlowZone };

export const FLOW_ZONES = ["mobiles", "vpnClients", "admin", "proxmoxNodes", "qdevice", "statisticsSite", "offsiteNas", "smtpRelay", "ntp", "nodeBmcs", "thirdSite"] as const;
export type FlowZone = (typeof FLOW_ZONES)[number];

export interface Flow {
  /** Stable id used by firewall rule comments, monitors and report lines, e.g. `api-to-database-mysql`. */
  id: string;
  source: FlowEndpoint;
  destination: FlowEndpoint;
  protocol: "tcp" | "udp" | "esp" | "vrrp";
  /** A port (`3306`), a range (`5404:5405`) or empty for protocols without ports. */
  ports: string;
  purpose: string;
}

export interface PlatformModel {
  site: { name: string; domain: string; timeZone: string };
  proxmoxVersion: number;
  debianRelease: number;
  nodes: NodePlan[];
  qdevice?: { name: string; address: string };
  quorum: { nodeVotes: number; qdeviceVotes: number; expectedVotes: number; survivesOneNodeLoss: boolean };
  vms: VmPlan[];
  /** VM names per node, while every node is up. */
  placement: Record<string, string[]>;
  /** Floating addresses on the service network, by name (each tier's entry declares its own), in host order. */
  virtualIps: Record<string, string>;
  capacity: CapacityReport;
  ha: HaPlan;
  replication: ReplicationPlan[];
  /** The object store's DRBD resource, Pacemaker cluster, fencing and service address. */
  objectStore: StoragePlan;
  flows: Flow[];
}

/** The parts of a model that flows and firewall analysis read (what the policies receive, too). */
export type FlowModel = Pick<PlatformModel, "vms" | "nodes" | "qdevice" | "flows">;
