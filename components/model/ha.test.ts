import { describe, expect, it } from "vitest";
import { planHa } from "./ha";
import { buildModel } from "./build";
import type { PlatformModel, VmPlan } from "./types";
import { TIER_NAMES, type PlatformSpec, type TierName } from "../spec/schema";
import { stackSpec, threeNodeSpec } from "../../test/fixtures/specs";
import { generateStackSpec } from "../../test/fixtures/generate-stack";
import { tierDataDiskKind } from "../tiers/registry";

/** The tiers whose VMs HA keeps on their own node (DRBD keeps their data on the peer's node instead). */
const notDrbd = (t: TierName): boolean => tierDataDiskKind(t) !== "drbd";

function modelOf(spec: PlatformSpec): PlatformModel {
  const { model, problems } = buildModel(spec);
  expect(problems).toEqual([]);
  if (!model) throw new Error("no model");
  return model;
}

const vm = (tier: TierName, vmId: number, node: string, failoverNode?: string): VmPlan => ({
  name: `${tier}-${vmId}`,
  fqdn: `${tier}-${vmId}.example.ee`,
  tier,
  index: vmId % 100,
  vmId,
  node,
  ...(failoverNode ? { failoverNode } : {}),
  cores: 1,
  memoryGiB: 1,
  diskGiB: 8,
  nics: [],
});

describe("planHa", () => {
  it("two nodes: no negative resource-affinity rules, and a note saying why", () => {
    const ha = modelOf(stackSpec("prod")).ha;
    expect(ha.resourceAffinity).toEqual([]);
    expect(ha.notes).toEqual([
      `no anti-affinity rule for ${TIER_NAMES.filter(notDrbd).join(", ")}: after a node failure their VMs can only be recovered next to a sibling ` +
        "and Proxmox would leave them stopped; placement keeps each tier on separate nodes while all nodes are up",
    ]);
  });

  it("two nodes: one strict node-affinity rule per (home, failover) pair, home node preferred", () => {
    const ha = modelOf(stackSpec("prod")).ha;
    expect(ha.nodeAffinity).toEqual([
      { id: "ibac-pve1-only", nodes: { pve1: 1 }, strict: true, vmIds: [1200, 1600] },
      { id: "ibac-pve1-then-pve2", nodes: { pve1: 2, pve2: 1 }, strict: true, vmIds: [1100, 1300, 1400, 1500, 1700, 1800] },
      { id: "ibac-pve2-only", nodes: { pve2: 1 }, strict: true, vmIds: [1201, 1601] },
      { id: "ibac-pve2-then-pve1", nodes: { pve2: 2, pve1: 1 }, strict: true, vmIds: [1101, 1301, 1401, 1501, 1701, 1801] },
    ]);
  });

  it("pins a DRBD tier's VMs to their own nodes: HA restarts them there and never moves them away from their data", () => {
    const model = modelOf(stackSpec("prod"));
    const storage = model.vms.filter((v) => v.tier === "objectStore");
    expect(storage.map((v) => [v.name, v.node, v.failoverNode])).toEqual([["s3-1", "pve1", undefined], ["s3-2", "pve2", undefined]]);
    expect(model.ha.nodeAffinity.filter((r) => storage.some((v) => r.vmIds.includes(v.vmId))).map((r) => r.nodes)).toEqual([{ pve1: 1 }, { pve2: 1 }]);
    expect(model.replication.map((r) => r.vmName)).not.toContain("s3-1");
  });

  it("three nodes with two VMs per tier: an anti-affinity rule for every tier but the pinned DRBD tier, no note", () => {
    const ha = modelOf(threeNodeSpec()).ha;
    expect(ha.notes).toEqual([]);
    expect(ha.resourceAffinity.map((r) => r.tier)).toEqual(TIER_NAMES.filter(notDrbd));
    expect(ha.resourceAffinity.find((r) => r.tier === "frs")).toEqual({ id: "ibac-frs-apart", tier: "frs", vmIds: [1300, 1301] });
    expect(ha.resourceAffinity.every((r) => r.vmIds.length === 2)).toBe(true);
  });

  it("every HA VM is in exactly one node-affinity rule that names its home and failover node (a DRBD VM: its home alone)", () => {
    const model = modelOf(generateStackSpec(8));
    for (const v of model.vms) {
      const rules = model.ha.nodeAffinity.filter((r) => r.vmIds.includes(v.vmId));
      expect(rules).toHaveLength(1);
      expect(rules[0].nodes).toEqual(!notDrbd(v.tier) ? { [v.node]: 1 } : { [v.node]: 2, [v.failoverNode ?? ""]: 1 });
    }
  });

  it("leaves out VMs without a failover node and tiers with a single VM", () => {
    const ha = planHa([vm("api", 1400, "a"), vm("vpn", 1800, "a", "b")]);
    expect(ha.nodeAffinity).toEqual([{ id: "ibac-a-then-b", nodes: { a: 2, b: 1 }, strict: true, vmIds: [1800] }]);
    expect(ha.resourceAffinity).toEqual([]);
    expect(ha.notes).toEqual([]);
  });

  it("names only the tiers that cannot stay apart after a failover", () => {
    const ha = planHa([vm("api", 1400, "a", "c"), vm("api", 1401, "b", "c"), vm("vpn", 1800, "a", "b"), vm("vpn", 1801, "b", "a")]);
    expect(ha.resourceAffinity).toEqual([{ id: "ibac-api-apart", tier: "api", vmIds: [1400, 1401] }]);
    expect(ha.notes).toHaveLength(1);
    expect(ha.notes[0]).toMatch(/^no anti-affinity rule for vpn: /);
  });
});

describe("quorum", () => {
  it("two nodes and a QDevice survive the loss of one node", () => {
    expect(modelOf(stackSpec("prod")).quorum).toEqual({ nodeVotes: 2, qdeviceVotes: 1, expectedVotes: 3, survivesOneNodeLoss: true });
  });

  it("two nodes without a QDevice do not", () => {
    const spec = stackSpec("prod");
    delete spec.proxmox.qdevice;
    const model = modelOf(spec);
    expect(model.quorum).toEqual({ nodeVotes: 2, qdeviceVotes: 0, expectedVotes: 2, survivesOneNodeLoss: false });
    expect(model.qdevice).toBeUndefined();
  });

  it("three nodes survive without a QDevice, and a QDevice adds no vote to an odd cluster", () => {
    const spec = threeNodeSpec();
    expect(modelOf(spec).quorum).toEqual({ nodeVotes: 3, qdeviceVotes: 0, expectedVotes: 3, survivesOneNodeLoss: true });
    delete spec.proxmox.qdevice;
    expect(modelOf(spec).quorum.survivesOneNodeLoss).toBe(true);
  });
});
