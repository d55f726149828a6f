import { TIER_NAMES, type PlatformSpec, type TierName } from "../spec/schema";
import type { DataDiskKind, TierDefinition, TierRegistry } from "./definition";
import { databaseTier } from "../database/tier";
import { objectStoreTier } from "../storage/tier";
import { frsTier } from "../frs/tier";
import { apiTier } from "../api/tier";
import { loadBalancerTier } from "../loadbalancer/tier";
import { backupTier } from "../backup/tier";
import { monitoringTier } from "../monitoring/tier";
import { vpnTier } from "../network/vpn/tier";

/**
 * Every tier of the platform, by name: what each one is lives in its entry, in its own folder. The model,
 * the firewall, the policies and the report read tiers from here and keep no tables of their own.
 */
export const TIERS: TierRegistry = {
  database: databaseTier,
  objectStore: objectStoreTier,
  frs: frsTier,
  api: apiTier,
  loadBalancer: loadBalancerTier,
  backup: backupTier,
  monitoring: monitoringTier,
  vpn: vpnTier,
};

/** The entry of a tier, typed loosely enough to be read in a loop over every tier. */
export function tierDefinition(tier: TierName): TierDefinition {
  return TIERS[tier];
}

/** The entry of a tier named by text from outside the model (a policy's input, a report row), if it is one. */
export function findTier(name: string): TierDefinition | undefined {
  return (TIER_NAMES as readonly string[]).includes(name) ? tierDefinition(name as TierName) : undefined;
}

/** Every tier's entry, in `TIER_NAMES` order (the order that decides VM ids and addresses). */
export function allTiers(): TierDefinition[] {
  return TIER_NAMES.map(tierDefinition);
}

/** The spec section of a tier, read through the fields every section has. */
function section(spec: PlatformSpec, tier: TierName): { vm: PlatformSpec[TierName]["vm"]; nodes?: string[]; dataDiskGiB?: number } & Record<string, unknown> {
  return spec[tier] as { vm: PlatformSpec[TierName]["vm"]; nodes?: string[]; dataDiskGiB?: number } & Record<string, unknown>;
}

/** How many VMs a tier runs (the database counts its primary besides the replicas). */
export function tierVmCount(spec: PlatformSpec, tier: TierName): number {
  const { field, plus } = tierDefinition(tier).vmCount;
  return Number(section(spec, tier)[field]) + plus;
}

/** The data disk of a tier's VMs, when the tier has one. */
export function tierDataDiskGiB(spec: PlatformSpec, tier: TierName): number | undefined {
  return tierDefinition(tier).dataDisk ? section(spec, tier).dataDiskGiB : undefined;
}

/** What a tier's data disk is for, when the tier has one. */
export function tierDataDiskKind(tier: TierName): DataDiskKind | undefined {
  return tierDefinition(tier).dataDisk;
}

/** Whether the tier's data disk carries a local file system at /srv (a DRBD disk stays raw). */
export function hasLocalFileSystem(tier: TierName): boolean {
  const kind = tierDataDiskKind(tier);
  return kind === "plain" || kind === "proxmox-replicated";
}

/**
 * Whether Proxmox storage replication copies a data disk of this kind to the VM's failover node. Never a DRBD
 * disk: DRBD already keeps it on the peer VM's node, and two replications of one disk fight (ARCHITECTURE.md).
 */
export function proxmoxReplicatesDataDisk(kind: DataDiskKind): boolean {
  switch (kind) {
    case "plain":
      return false;
    case "proxmox-replicated":
      return true;
    case "drbd":
      return false;
    default: {
      const unknown: never = kind;
      throw new Error(`unknown data-disk kind ${String(unknown)}`);
    }
  }
}

/**
 * Whether HA may recover the tier's VMs on another node. Not a DRBD tier's: its data disk exists only on its
 * own node, so a copy started elsewhere would have no data; the peer VM on the other node takes the service
 * over instead (Pacemaker promotes it), and HA only restarts a VM where it lives.
 */
export function recoversOnAnotherNode(tier: TierName): boolean {
  return tierDataDiskKind(tier) !== "drbd";
}

/** The nodes a tier may run on: its own restriction, or every node of the cluster. */
export function tierEligibleNodes(spec: PlatformSpec, tier: TierName): string[] {
  return section(spec, tier).nodes ?? spec.proxmox.nodes.map((n) => n.name);
}

/** The tier's name in the report, or the text itself for a name that is not a tier. */
export function tierLabel(tier: string): string {
  return findTier(tier)?.report.label ?? tier;
}

/** The tiers that run a Bacula file daemon because they hold data the backup plan covers. */
export function backupClientTiers(): TierName[] {
  return allTiers().filter((t) => t.backupClient).map((t) => t.name);
}

/** Tiers whose VMs hold roles (the database), for messages that name them. */
export function tiersWithRoles(): TierName[] {
  return allTiers().filter((t) => t.roles).map((t) => t.name);
}
