import type { PlatformSpec, TierName } from "../spec/schema";
import type { Flow, NetworkRole } from "../model/types";

/**
 * What a tier's data disk is for, which decides how it is formatted and who replicates it:
 * - `plain`: a local file system at /srv, not replicated (the tier's own software copies what matters);
 * - `proxmox-replicated`: a local file system at /srv that Proxmox storage replication copies to the VM's
 *   failover node, so HA can start the VM there with its data;
 * - `drbd`: a raw disk that DRBD replicates between the tier's VMs (never formatted by cloud-init).
 */
export type DataDiskKind = "plain" | "proxmox-replicated" | "drbd";

/** The integer fields of a tier's spec section (distributed over a union of tiers). */
type IntegerField<K extends TierName> = K extends TierName
  ? { [F in keyof PlatformSpec[K]]-?: PlatformSpec[K][F] extends number ? F : never }[keyof PlatformSpec[K]] & string
  : never;

/**
 * How many VMs the spec gives a tier: the value of one integer field of the tier's section, plus the VMs that
 * field does not count (the database's `replicas` leave out its primary).
 */
export interface VmCount {
  field: IntegerField<TierName>;
  plus: number;
}

/** How the compliance report shows a tier. */
export interface TierPresentation {
  /** The tier in tables and drawings: `Object store`. */
  label: string;
  /** Its box in the topology drawing: a light fill keeps dark text legible in colour and in greyscale. */
  colour: { fill: string; stroke: string };
  /** Its place in the flow matrix, which an auditor reads from the outside in, then what supports it. */
  readingOrder: number;
}

/** A floating address on the service network that the tier's VMs hand over between them. */
export interface VirtualAddressDefinition {
  /** Its key in the model's `virtualIps`, e.g. `loadBalancer`. */
  name: string;
  /** Its host number on the service network: hosts 1 to 15 are kept for gateways and virtual addresses. */
  host: number;
}

/** The check that tells whether a tier's service answers (service-level monitoring). */
export interface ServicePortDefinition {
  port: string;
  /** The service in a few words, for the check's and the flow's purpose: `MariaDB`, `MinIO S3 API`. */
  what: string;
}

/** Roles that a tier's VMs hold (the database's primary and replicas), decided from the spec. */
export interface TierRoles {
  names: readonly ("primary" | "replica")[];
  /** The role of the VM named `vmName`. */
  of(vmName: string, spec: PlatformSpec): "primary" | "replica";
}

/**
 * The flows a tier needs, in groups of the platform's flow list: the data path (what users' requests and
 * the data they leave behind travel over) and operations (monitoring, the statistics site). Each flow says
 * who talks to whom, on which port, and why.
 */
export interface TierFlows {
  dataPath?: Flow[];
  operations?: Flow[];
  /**
   * Flows an existing tier gained later that reach the Proxmox nodes or the QDevice host: listed after every
   * other flow, the cluster's own included, so that no existing rule on those hosts moves (the backup
   * cluster's fence_pve and QDevice flows).
   */
  appended?: Flow[];
}

/**
 * Everything the model, the renderers, the firewall, the policies and the report need to know about a tier.
 * One entry per tier in `TIERS` (registry.ts), in the tier's own folder: adding a tier name to `TIER_NAMES`
 * without its entry does not compile. Pure data and pure functions: no Pulumi here.
 */
export interface TierDefinition {
  name: TierName;
  /** Host names are `<hostPrefix>-<n>`: `db-1`, `s3-2`. Never change it: it names running VMs. */
  hostPrefix: string;
  /** How the compliance report shows the tier. */
  report: TierPresentation;
  /** The networks each VM joins, in NIC order (net0, net1, ...); the service network always comes first. */
  networks: readonly ["service", ...NetworkRole[]];
  /** How many VMs the tier runs: `spec[tier][field] + plus`. */
  vmCount: VmCount;
  /** The tier's data disk (sized by the section's `dataDiskGiB`), or none. */
  dataDisk?: DataDiskKind;
  /** The port service-level monitoring connects to, for a tier that serves one (the operator's services choose theirs). */
  servicePort?(spec: PlatformSpec): ServicePortDefinition;
  /**
   * Where that port answers: on each VM's own address (the default), or only on the tier's virtual addresses
   * (HAProxy bound to the API's address; the S3 front Pacemaker runs on the Promoted side only). It decides what
   * service-level monitoring checks: each VM, or each virtual address, wherever it is.
   */
  serviceOn?: "each-vm" | "virtual-address";
  /** Whether the tier's VMs run a Bacula file daemon because they hold data the backup plan covers. */
  backupClient: boolean;
  /** Floating addresses the tier's VMs hand over between them. */
  virtualAddresses: readonly VirtualAddressDefinition[];
  /**
   * How many service-network host numbers the tier's block has (its VMs take the first ones). The design's
   * eight tiers have 24; a tier added later takes `SMALL_TIER_BLOCK` so that twelve tiers fit a /24. Every
   * block widens to the largest tier when a tier has more VMs than its block.
   */
  addressBlock: number;
  /**
   * Where the tier's flows stand in the platform's flow list, which decides every firewall rule's position:
   * unique, and a new tier takes the next free number, so that no existing rule moves.
   */
  flowOrder: number;
  /** The tier's roles, for a tier whose VMs are not all alike. */
  roles?: TierRoles;
  /** The flows the tier needs beyond the ones every tier gets (monitoring, SSH from admins, NTP, backup). */
  flows?(spec: PlatformSpec): TierFlows;
}

/** One entry per tier: the compiler lists a tier name that has none. */
export type TierRegistry = { readonly [K in TierName]: TierDefinition & { name: K } };
