import { describe, expect, it } from "vitest";
import { MAX_VMS_PER_TIER, chooseFailoverNode, placeReplicas, type VmPlacement } from "./placement";
import { TIER_NAMES, type TierName } from "../spec/schema";
import { tierDataDiskKind, tierVmCount } from "../tiers/registry";
import { stackSpec, threeNodeSpec } from "../../test/fixtures/specs";
import { generateStackSpec } from "../../test/fixtures/generate-stack";

const ofTier = (placements: VmPlacement[], tier: TierName): VmPlacement[] => placements.filter((p) => p.tier === tier);

describe("placeReplicas", () => {
  it("prod: each tier's two VMs on different nodes, each failing over to the other (the DRBD peers to none)", () => {
    const { placements, problems } = placeReplicas(stackSpec("prod"));
    expect(problems).toEqual([]);
    expect(placements).toHaveLength(16);
    for (const tier of TIER_NAMES) {
      const drbd = tierDataDiskKind(tier) === "drbd";
      expect(ofTier(placements, tier).map((p) => [p.index, p.node, p.failoverNode])).toEqual([
        [0, "pve1", drbd ? undefined : "pve2"],
        [1, "pve2", drbd ? undefined : "pve1"],
      ]);
    }
  });

  it("anti-affinity: no two VMs of a tier share a node while there are enough nodes", () => {
    const spec = generateStackSpec(8);
    spec.api.count = 5;
    spec.database.replicas = 3;
    const { placements, problems } = placeReplicas(spec);
    expect(problems).toEqual([]);
    for (const tier of TIER_NAMES) {
      const nodes = ofTier(placements, tier).map((p) => p.node);
      expect(nodes).toHaveLength(tierVmCount(spec, tier));
      expect(new Set(nodes).size).toBe(nodes.length);
    }
  });

  it("spreads VMs by free memory, so every node of a three-node cluster gets work", () => {
    const { placements } = placeReplicas(threeNodeSpec());
    const perNode = ["pve1", "pve2", "pve3"].map((node) => placements.filter((p) => p.node === node).length);
    expect(perNode.every((n) => n >= 4)).toBe(true);
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(16);
  });

  it("keeps a tier to the nodes it names", () => {
    const spec = threeNodeSpec();
    spec.api.nodes = ["pve3", "pve2"];
    const api = ofTier(placeReplicas(spec).placements, "api");
    expect(api.map((p) => p.node).sort()).toEqual(["pve2", "pve3"]);
    expect(api.every((p) => p.failoverNode === "pve2" || p.failoverNode === "pve3")).toBe(true);
  });

  it("is deterministic: the same spec gives the same placement", () => {
    const first = placeReplicas(threeNodeSpec());
    const second = placeReplicas(structuredClone(threeNodeSpec()));
    expect(second).toEqual(first);
  });

  it("three nodes, two VMs per tier: each VM fails over to the node without a sibling", () => {
    const { placements } = placeReplicas(threeNodeSpec());
    for (const tier of TIER_NAMES) {
      const vms = ofTier(placements, tier);
      const siblings = new Set(vms.map((p) => p.node));
      expect(siblings.size).toBe(2);
      for (const vm of vms) expect(siblings.has(vm.failoverNode ?? "")).toBe(false);
    }
  });

  it("a full tier fails over to the next node in ring order", () => {
    const { placements } = placeReplicas(generateStackSpec(5));
    for (const p of ofTier(placements, "api")) {
      const home = Number(p.node.slice(3));
      expect(p.failoverNode).toBe(`pve${(home % 5) + 1}`);
    }
  });

  it("a tier leaving few nodes free spreads its replicas instead of piling them on the free ones", () => {
    const { placements, problems } = placeReplicas(generateStackSpec(100));
    expect(problems).toEqual([]);
    for (const tier of TIER_NAMES.filter((t) => tierDataDiskKind(t) !== "drbd")) {
      const targets = ofTier(placements, tier).map((p) => p.failoverNode);
      expect(new Set(targets).size).toBe(targets.length);
    }
  });

  it("a tier with many free nodes balances its replicas over them", () => {
    const spec = generateStackSpec(12);
    spec.api.count = 4;
    const targets = ofTier(placeReplicas(spec).placements, "api").map((p) => p.failoverNode);
    expect(new Set(targets).size).toBe(4);
  });

  it("refuses more VMs than eligible nodes, naming the field to change", () => {
    const spec = stackSpec("prod");
    spec.frs.count = 3;
    spec.database.replicas = 2;
    const { problems } = placeReplicas(spec);
    expect(problems).toEqual([
      { path: ["database", "replicas"], detail: "expected at most 1 (anti-affinity keeps each database VM on its own node and 2 nodes are eligible), found 2" },
      { path: ["frs", "count"], detail: "expected at most 2 (anti-affinity keeps each frs VM on its own node and 2 nodes are eligible), found 3" },
    ]);
  });

  it(`refuses more than ${MAX_VMS_PER_TIER} VMs in a tier, whose VM ids would run into the next tier's`, () => {
    const spec = generateStackSpec(128);
    spec.database.replicas = 99;
    expect(placeReplicas(spec).problems).toEqual([
      { path: ["database", "replicas"], detail: "expected at most 98 (VM ids leave room for 99 VMs per tier, the primary included), found 99" },
    ]);
  });
});

describe("chooseFailoverNode", () => {
  const nodes = ["a", "b", "c", "d"];

  it("none for a VM with only one eligible node", () => {
    expect(chooseFailoverNode("a", ["a"], new Set(["a"]))).toBeUndefined();
  });

  it("the next node in ring order without a sibling", () => {
    expect(chooseFailoverNode("b", nodes, new Set(["b", "c"]))).toBe("d");
    expect(chooseFailoverNode("d", nodes, new Set(["d", "a"]))).toBe("b");
  });

  it("the next node in ring order when every node runs a sibling", () => {
    expect(chooseFailoverNode("d", nodes, new Set(nodes))).toBe("a");
    expect(chooseFailoverNode("b", nodes, new Set(nodes))).toBe("c");
  });

  it("with replica loads, the least loaded node without a sibling, ties in ring order", () => {
    const load = new Map([["c", 100], ["d", 50]]);
    expect(chooseFailoverNode("b", nodes, new Set(["b"]), load)).toBe("a");
    expect(chooseFailoverNode("a", nodes, new Set(["a"]), new Map([["b", 10]]))).toBe("c");
    expect(chooseFailoverNode("a", nodes, new Set(["a", "b"]), new Map([["c", 10], ["d", 10]]))).toBe("c");
  });
});
