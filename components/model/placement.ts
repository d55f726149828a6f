import { TIER_NAMES, tierEligibleNodes, tierVmCount, type PlatformSpec, type TierName } from "../spec/schema";
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

/** Memory a VM of the tier takes, for balancing. */
function vmMemory(spec: PlatformSpec, tier: TierName): number {
  return spec[tier].vm.memoryGiB;
}

/**
 * Places every tier's VMs on the Proxmox nodes with anti-affinity: no two VMs of one tier share a node.
 * Within that, each VM goes to the eligible node with the most free memory (ties: node order), so load
 * spreads evenly. The result is a pure function of the spec: the same spec always gives the same placement.
 */
export function placeReplicas(spec: PlatformSpec): PlacementResult {
  const problems: FieldProblem[] = [];
  const nodeOrder = spec.proxmox.nodes.map((n) => n.name);
  const freeMemory = new Map(spec.proxmox.nodes.map((n) => [n.name, n.memoryGiB - spec.proxmox.hypervisorReserve.memoryGiB]));
  const placements: VmPlacement[] = [];

  for (const tier of TIER_NAMES) {
    const count = tierVmCount(spec, tier);
    const eligible = tierEligibleNodes(spec, tier).filter((name) => nodeOrder.includes(name));
    if (count > eligible.length) {
      const what = tier === "database" ? "replicas" : "count";
      const found = tier === "database" ? spec.database.replicas : count;
      const max = tier === "database" ? eligible.length - 1 : eligible.length;
      problems.push({
        path: [tier, what],
        detail:
          `expected at most ${max} (anti-affinity keeps each ${tier} VM on its own node and ` +
          `${eligible.length} node${eligible.length === 1 ? " is" : "s are"} eligible), found ${found}`,
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
    for (const placement of tierPlacements) {
      placement.failoverNode = chooseFailoverNode(placement.node, eligible, used);
      placements.push(placement);
    }
  }
  return { placements, problems };
}

/**
 * The node that takes a VM over when its home node fails: the next eligible node in ring order that runs no
 * other VM of the same tier, or simply the next eligible node when every node already runs one.
 */
export function chooseFailoverNode(home: string, eligible: string[], nodesWithTier: Set<string>): string | undefined {
  if (eligible.length < 2) return undefined;
  const start = eligible.indexOf(home);
  const ring = eligible.slice(start + 1).concat(eligible.slice(0, start));
  return ring.find((name) => !nodesWithTier.has(name)) ?? ring[0];
}
