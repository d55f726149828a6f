import { describe, expect, it } from "vitest";
import { TIER_NAMES, type TierName } from "../spec/schema";
import { stackSpec } from "../../test/fixtures/specs";
import { allTiers, backupClientTiers, findTier, hasLocalFileSystem, proxmoxReplicatesDataDisk, recoversOnAnotherNode, tierDataDiskGiB, tierLabel, tierVmCount, TIERS } from "./registry";
import type { TierRegistry } from "./definition";
import {
  FIRST_VM_HOST, LAST_RESERVED_HOST, SLASH_24_LAST_HOST, SMALL_TIER_BLOCK, TIERS_A_SLASH_24_HOLDS, highestServiceHost, tierBlockSizes, tierFirstHosts, virtualAddressPlan,
} from "./address-plan";
import { buildModel } from "../model/build";

const prod = stackSpec("prod");
const unique = <T>(values: T[]): boolean => new Set(values).size === values.length;

describe("the tier registry", () => {
  it("has one entry per tier name, each under its own name", () => {
    expect(Object.keys(TIERS).sort()).toEqual([...TIER_NAMES].sort());
    for (const name of TIER_NAMES) expect(TIERS[name].name).toBe(name);
  });

  it("does not compile without an entry for every tier", () => {
    // @ts-expect-error -- a registry without the vpn entry is a type error (tsc runs over the tests too)
    const partial: TierRegistry = { ...TIERS, vpn: undefined };
    expect(partial.vpn).toBeUndefined();
  });

  it("gives every tier its own host prefix (a valid host name part), flow position and reading order", () => {
    expect(unique(allTiers().map((t) => t.hostPrefix))).toBe(true);
    for (const t of allTiers()) expect(t.hostPrefix, t.name).toMatch(/^[a-z][a-z0-9]{0,11}$/);
    expect(unique(allTiers().map((t) => t.flowOrder))).toBe(true);
    expect(unique(allTiers().map((t) => t.report.readingOrder))).toBe(true);
    expect(unique(allTiers().map((t) => t.report.label))).toBe(true);
  });

  it.each(TIER_NAMES)("%s: the service network comes first, each network once", (name) => {
    const { networks } = TIERS[name];
    expect(networks[0]).toBe("service");
    expect(unique([...networks])).toBe(true);
  });

  it.each(TIER_NAMES)("%s: the spec field it counts its VMs in is an integer, and a data disk is sized by the spec", (name: TierName) => {
    const section = prod[name] as unknown as Record<string, unknown>;
    expect(Number.isInteger(section[TIERS[name].vmCount.field])).toBe(true);
    expect(tierVmCount(prod, name)).toBe(Number(section[TIERS[name].vmCount.field]) + TIERS[name].vmCount.plus);
    // A tier declares a data disk exactly when its spec section sizes one.
    expect(tierDataDiskGiB(prod, name) !== undefined, "dataDisk declared vs dataDiskGiB in the spec").toBe("dataDiskGiB" in section);
  });

  it("keeps DRBD disks raw and file systems on the others; Proxmox never replicates a DRBD disk, and HA keeps a DRBD VM on its node", () => {
    expect(TIER_NAMES.filter((t) => TIERS[t].dataDisk === "drbd")).toEqual(["objectStore", "backup"]);
    expect(TIER_NAMES.filter(hasLocalFileSystem)).toEqual(["database", "frs"]);
    expect([proxmoxReplicatesDataDisk("plain"), proxmoxReplicatesDataDisk("proxmox-replicated"), proxmoxReplicatesDataDisk("drbd")]).toEqual([false, true, false]);
    expect(TIER_NAMES.filter((t) => !recoversOnAnotherNode(t))).toEqual(["objectStore", "backup"]);
  });

  it("names the backup clients and labels tiers, and leaves a name that is not a tier as it is", () => {
    expect(backupClientTiers()).toEqual(["database", "objectStore", "frs"]);
    expect(tierLabel("objectStore")).toBe("Object store");
    expect(tierLabel("not-a-tier")).toBe("not-a-tier");
    expect(findTier("not-a-tier")).toBeUndefined();
  });
});

describe("the address plan", () => {
  it("keeps virtual addresses unique and below the VMs", () => {
    const plan = virtualAddressPlan();
    expect(plan.map((v) => v.name)).toEqual(["loadBalancer", "databasePrimary", "objectStore", "backup"]);
    expect(unique(plan.map((v) => v.host))).toBe(true);
    for (const v of plan) {
      expect(v.host).toBeGreaterThan(0);
      expect(v.host).toBeLessThanOrEqual(LAST_RESERVED_HOST);
    }
    expect(buildModel(prod).model?.virtualIps).toEqual({ loadBalancer: "10.20.2.10", databasePrimary: "10.20.2.11", objectStore: "10.20.2.12", backup: "10.20.2.13" });
  });

  it("lays the tiers' blocks end to end from the first VM host, in tier order", () => {
    const first = tierFirstHosts(prod);
    const blocks = tierBlockSizes(prod);
    let next = FIRST_VM_HOST;
    for (const t of TIER_NAMES) {
      expect(first[t], t).toBe(next);
      next += blocks[t];
    }
    expect(highestServiceHost(prod)).toBe(next - 1);
  });

  it(`leaves room in a /24 for ${TIERS_A_SLASH_24_HOLDS} tiers: today's, then small tiers of ${SMALL_TIER_BLOCK}`, () => {
    const more = TIERS_A_SLASH_24_HOLDS - TIER_NAMES.length;
    expect(more).toBeGreaterThan(0);
    expect(highestServiceHost(prod) + more * SMALL_TIER_BLOCK).toBeLessThanOrEqual(SLASH_24_LAST_HOST);
    // and a tier of the design's block size would not fit four more times: the small block is what makes room
    expect(highestServiceHost(prod) + more * 24).toBeGreaterThan(SLASH_24_LAST_HOST);
  });

  it("widens every block alike to the largest tier, so no tier's VMs run into the next block", () => {
    const spec = stackSpec("prod");
    spec.proxmox.nodes = Array.from({ length: 30 }, (_, i) => ({ ...prod.proxmox.nodes[0], name: `pve${i + 1}`, address: `10.20.0.${20 + i}` }));
    spec.api.count = 30;
    expect(Object.values(tierBlockSizes(spec))).toEqual(TIER_NAMES.map(() => 30));
  });
});
