import { TIER_NAMES, type PlatformSpec, type TierName } from "../spec/schema";
import { recoversOnAnotherNode, tierDataDiskGiB, tierDefinition, tierEligibleNodes, tierVmCount } from "../tiers/registry";
import type { FieldProblem } from "../spec/errors";

export interface VmPlacement {
  tier: TierName;
  index: number;
  node: string;
  failoverNode?: string;
}

export interface PlacementResult {
  placements: VmPlacement[];
  problems: FieldProblem[];
}

/** VM ids are `vmIdBase + (tier position + 1) * 100 + index`: at most 99 VMs per tier keep the tiers' ids apart. */
export const MAX_VMS_PER_TIER = 99;

/** Disk space a VM of the tier takes on its failover node (system and data disk), for balancing replicas. */
function vmDiskGiB(spec: PlatformSpec, tier: TierName): number {
  return spec[tier].vm.diskGiB + (tierDataDiskGiB(spec, tier) ?? 0);
}

/** Memory a VM of the tier takes, for balancing. */
function vmMemory(spec: PlatformSpec, tier: TierName): number {
  return spec[tier].vm.memoryGiB;
}

/**
 * Places every tier's VMs on the Proxmox nodes with anti-affinity: no two VMs of one tier share a node.
 * Within that, each VM goes to the eligible node with the most free memory (ties: node order), so load
 * spreads evenly. Each VM's failover node is one that runs no sibling while at least half as many nodes as
 * the tier has VMs are free of it (balanced by replica storage), else the next node in ring order.
 * A DRBD tier's VMs get no failover node (recoversOnAnotherNode). The result is a pure function of the spec:
 * the same spec always gives the same placement.
 */
export function placeReplicas(spec: PlatformSpec): PlacementResult {
  const problems: FieldProblem[] = [];
  const nodeOrder = spec.proxmox.nodes.map((n) => n.name);
  const freeMemory = new Map(spec.proxmox.nodes.map((n) => [n.name, n.memoryGiB - spec.proxmox.hypervisorReserve.memoryGiB]));
  const placements: VmPlacement[] = [];
  // Disk space each node has taken on as a failover target, so replicas spread instead of piling up.
  const replicaGiB = new Map<string, number>();

  for (const tier of TIER_NAMES) {
    const count = tierVmCount(spec, tier);
    const eligible = tierEligibleNodes(spec, tier).filter((name) => nodeOrder.includes(name));
    // The field the spec counts the VMs in, and the VMs it leaves out (the database's primary is not a replica).
    const { field: what, plus: offset } = tierDefinition(tier).vmCount;
    const found = count - offset;
    if (count > eligible.length) {
      problems.push({
        path: [tier, what],
        detail:
          `expected at most ${eligible.length - offset} (anti-affinity keeps each ${tier} VM on its own node and ` +
          `${eligible.length} node${eligible.length === 1 ? " is" : "s are"} eligible), found ${found}`,
      });
      continue;
    }
    if (count > MAX_VMS_PER_TIER) {
      problems.push({
        path: [tier, what],
        detail: `expected at most ${MAX_VMS_PER_TIER - offset} (VM ids leave room for ${MAX_VMS_PER_TIER} VMs per tier${offset ? ", the primary included" : ""}), found ${found}`,
      });
      continue;
    }
    const used = new Set<string>();
    const tierPlacements: VmPlacement[] = [];
    for (let index = 0; index < count; index++) {
      const node = eligible
        .filter((name) => !used.has(name))
        .sort((a, b) => (freeMemory.get(b) ?? 0) - (freeMemory.get(a) ?? 0) || nodeOrder.indexOf(a) - nodeOrder.indexOf(b))[0];
      used.add(node);
      freeMemory.set(node, (freeMemory.get(node) ?? 0) - vmMemory(spec, tier));
      tierPlacements.push({ tier, index, node });
    }
    // Failing over to a node without a sibling keeps the tier apart after a failure, but when the tier leaves
    // few nodes free it piles the tier's replicas onto them: then the plain ring order spreads them instead.
    const keepApart = 2 * (eligible.length - count) >= count;
    for (const placement of tierPlacements) {
      if (!recoversOnAnotherNode(tier)) {
        placements.push(placement);
        continue;
      }
      placement.failoverNode = keepApart
        ? chooseFailoverNode(placement.node, eligible, used, replicaGiB)
        : chooseFailoverNode(placement.node, eligible, new Set());
      if (placement.failoverNode) replicaGiB.set(placement.failoverNode, (replicaGiB.get(placement.failoverNode) ?? 0) + vmDiskGiB(spec, tier));
      placements.push(placement);
    }
  }
  return { placements, problems };
}

/**
 * The node that takes a VM over when its home node fails (and receives its storage replication): an eligible
 * node that runs no other VM of the same tier, or simply the next eligible node in ring order when every node
 * already runs one. Among several such nodes, the one that has taken on the least replica storage so far
 * (`replicaGiB`, when given), ties broken by ring order from the home node; without `replicaGiB`, the first
 * in ring order. Balancing matters once a tier has fewer VMs than the cluster has nodes: ring order alone sends
 * every VM of the tier to the first free node after them, piling all replicas of the tier onto one node.
 */
export function chooseFailoverNode(
  home: string,
  eligible: string[],
  nodesWithTier: Set<string>,
  replicaGiB?: ReadonlyMap<string, number>,
): string | undefined {
  if (eligible.length < 2) return undefined;
  const start = eligible.indexOf(home);
  const ring = eligible.slice(start + 1).concat(eligible.slice(0, start));
  const free = ring.filter((name) => !nodesWithTier.has(name));
  if (free.length === 0) return ring[0];
  if (!replicaGiB) return free[0];
  // A stable minimum: the first node in ring order among those with the least replica storage.
  return free.reduce((best, name) => ((replicaGiB.get(name) ?? 0) < (replicaGiB.get(best) ?? 0) ? name : best));
}
