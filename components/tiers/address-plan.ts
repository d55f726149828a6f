import { TIER_NAMES, type PlatformSpec, type TierName } from "../spec/schema";
import { MAX_VMS_PER_TIER } from "../model/placement";
import { allTiers, tierDefinition, tierVmCount } from "./registry";

/**
 * The service-network address plan. Hosts 1-15 are kept for gateways and virtual addresses; VMs start at
 * FIRST_VM_HOST, one block per tier in `TIER_NAMES` order, the tier's VMs taking the first hosts of its
 * block, so adding a VM to one tier never renumbers another tier's VMs and a new tier (appended at the end)
 * renumbers none. The storage network uses the same host numbers for the VMs that join it.
 */
export const FIRST_VM_HOST = 16;
/** The last host number virtual addresses and gateways may take below the VMs. */
export const LAST_RESERVED_HOST = FIRST_VM_HOST - 1;
/** Node n (0-based) has host FIRST_NODE_CLUSTER_HOST + n on the cluster (corosync) network. */
export const FIRST_NODE_CLUSTER_HOST = 11;
/**
 * The block a tier added after the design's eight takes: eight tiers of 24 and four of 10 end at host 247,
 * inside a /24's 254, so the address plan has room for twelve tiers.
 */
export const SMALL_TIER_BLOCK = 10;
/** The fewest tiers a /24 service network must hold (the issue that made the block sizes explicit). */
export const TIERS_A_SLASH_24_HOLDS = 12;
/** The highest host number of a /24. */
export const SLASH_24_LAST_HOST = 254;

/**
 * The number of hosts in every tier's block: its entry's `addressBlock`, widened for every tier alike to the
 * largest tier's VM count when one outgrows its block. The widening is capped at what placement accepts (a
 * tier never has more VMs than nodes, nor more than MAX_VMS_PER_TIER), so a tier too large to place is
 * reported as such, not first as a service subnet too small for it.
 */
export function tierBlockSizes(spec: PlatformSpec): Record<TierName, number> {
  const largest = Math.max(...TIER_NAMES.map((t) => tierVmCount(spec, t)));
  const widened = Math.min(largest, MAX_VMS_PER_TIER, spec.proxmox.nodes.length);
  return Object.fromEntries(TIER_NAMES.map((t) => [t, Math.max(tierDefinition(t).addressBlock, widened)])) as Record<TierName, number>;
}

/** The first service-network host number of every tier's block. */
export function tierFirstHosts(spec: PlatformSpec): Record<TierName, number> {
  const blocks = tierBlockSizes(spec);
  let next = FIRST_VM_HOST;
  const first = {} as Record<TierName, number>;
  for (const t of TIER_NAMES) {
    first[t] = next;
    next += blocks[t];
  }
  return first;
}

/** The highest host number the service network must hold for this spec. */
export function highestServiceHost(spec: PlatformSpec): number {
  const blocks = tierBlockSizes(spec);
  return FIRST_VM_HOST + TIER_NAMES.reduce((sum, t) => sum + blocks[t], 0) - 1;
}

/** Every virtual address of the platform with the tier that holds it, in host order. */
export function virtualAddressPlan(): { name: string; host: number; tier: TierName }[] {
  return allTiers()
    .flatMap((t) => t.virtualAddresses.map((v) => ({ ...v, tier: t.name })))
    .sort((a, b) => a.host - b.host);
}
