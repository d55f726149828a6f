import { TIER_NAMES } from "../spec/schema";
import { recoversOnAnotherNode } from "../tiers/registry";
import type { HaPlan, NodeAffinityPlan, ResourceAffinityPlan, VmPlan } from "./types";

/**
 * HA placement rules for the VMs.
 *
 * Every VM's disks live on its node's local ZFS pool and are replicated to exactly one failover node, so HA
 * may only recover it there: one strict node-affinity rule (VE 9) or restricted group (VE 8) per
 * (home, failover) pair, home node first so the VM fails back when its node returns.
 *
 * Proxmox applies negative resource affinity strictly: a VM that cannot be kept apart from its siblings is
 * left in the recovery state instead of being restarted. On a two-node cluster that would turn anti-affinity
 * into "no HA", so a tier gets an anti-affinity rule only when each of its VMs fails over to a node that runs
 * no sibling; otherwise the placement keeps the tier apart while all nodes are up, and the note says why.
 *
 * A DRBD tier's VMs are pinned to their own node (`ibac-<node>-only`): HA restarts a crashed one there and never
 * moves it, because its data disk exists nowhere else; the tier's other VM takes the service over. Being
 * pinned to different nodes, they need no anti-affinity rule.
 */
export function planHa(vms: VmPlan[]): HaPlan {
  const byPair = new Map<string, NodeAffinityPlan>();
  for (const vm of vms) {
    if (!recoversOnAnotherNode(vm.tier)) {
      const id = `ibac-${vm.node}-only`;
      const rule = byPair.get(id) ?? { id, nodes: { [vm.node]: 1 }, strict: true, vmIds: [] };
      rule.vmIds.push(vm.vmId);
      byPair.set(id, rule);
      continue;
    }
    if (!vm.failoverNode) continue;
    const id = `ibac-${vm.node}-then-${vm.failoverNode}`;
    const rule = byPair.get(id) ?? { id, nodes: { [vm.node]: 2, [vm.failoverNode]: 1 }, strict: true, vmIds: [] };
    rule.vmIds.push(vm.vmId);
    byPair.set(id, rule);
  }

  const resourceAffinity: ResourceAffinityPlan[] = [];
  const withoutRule: string[] = [];
  for (const tier of TIER_NAMES) {
    const tierVms = vms.filter((vm) => vm.tier === tier);
    if (tierVms.length < 2 || !recoversOnAnotherNode(tier)) continue;
    const siblingNodes = new Set(tierVms.map((vm) => vm.node));
    const apartAfterFailover = tierVms.every((vm) => vm.failoverNode && !siblingNodes.has(vm.failoverNode));
    if (apartAfterFailover) {
      resourceAffinity.push({ id: `ibac-${tier.toLowerCase()}-apart`, tier, vmIds: tierVms.map((vm) => vm.vmId) });
    } else {
      withoutRule.push(tier);
    }
  }
  const notes = withoutRule.length
    ? [
        `no anti-affinity rule for ${withoutRule.join(", ")}: after a node failure their VMs can only be recovered next to a ` +
          "sibling and Proxmox would leave them stopped; placement keeps each tier on separate nodes while all nodes are up",
      ]
    : [];
  return { nodeAffinity: [...byPair.values()].sort((a, b) => a.id.localeCompare(b.id)), resourceAffinity, notes };
}
