import { describe, expect, it } from "vitest";
import { buildModel } from "./build";
import { FIRST_VM_HOST, highestServiceHost, tierBlockSizes } from "../tiers/address-plan";
import { TIERS } from "../tiers/registry";
import type { PlatformModel, VmPlan } from "./types";
import { TIER_NAMES, type PlatformSpec } from "../spec/schema";
import { stackSpec, threeNodeSpec } from "../../test/fixtures/specs";
import { generateStackSpec } from "../../test/fixtures/generate-stack";

function modelOf(spec: PlatformSpec): PlatformModel {
  const { model, problems } = buildModel(spec);
  expect(problems).toEqual([]);
  if (!model) throw new Error("no model");
  return model;
}

const byName = (model: PlatformModel): Map<string, VmPlan> => new Map(model.vms.map((v) => [v.name, v]));
/** What must not change when another tier changes: identity and addresses. */
const identity = (v: VmPlan): unknown => ({ name: v.name, vmId: v.vmId, fqdn: v.fqdn, addresses: v.nics.map((n) => `${n.device} ${n.network} ${n.address}/${n.prefix}`) });

describe("buildModel on prod", () => {
  const model = modelOf(stackSpec("prod"));
  const vms = byName(model);

  it("names the VMs by tier and position, with a VM id block of 100 per tier", () => {
    expect(model.vms.map((v) => v.name)).toEqual(TIER_NAMES.flatMap((t) => [`${TIERS[t].hostPrefix}-1`, `${TIERS[t].hostPrefix}-2`]));
    expect(model.vms.map((v) => v.vmId)).toEqual(TIER_NAMES.flatMap((_, i) => [1000 + (i + 1) * 100, 1000 + (i + 1) * 100 + 1]));
    expect(vms.get("db-1")).toMatchObject({ fqdn: "db-1.ibac.rik.ee", tier: "database", role: "primary", index: 0, node: "pve1", failoverNode: "pve2" });
    expect(vms.get("db-2")).toMatchObject({ role: "replica", index: 1, node: "pve2", failoverNode: "pve1" });
    expect(vms.get("api-1")?.role).toBeUndefined();
  });

  it("addresses VMs from host 16 of the service network in blocks of 24 per tier", () => {
    expect(vms.get("db-1")?.nics).toEqual([
      { device: "net0", network: "service", address: "10.20.2.16", prefix: 24, gateway: "10.20.2.1", bridge: "vmbr0", vlan: 202 },
      { device: "net1", network: "storage", address: "10.20.3.16", prefix: 24, bridge: "vmbr2" },
    ]);
    expect(vms.get("s3-2")?.nics.map((n) => n.address)).toEqual(["10.20.2.41", "10.20.3.41"]);
    expect(vms.get("vpn-1")?.nics.map((n) => n.address)).toEqual(["10.20.2.184"]);
    const addresses = model.vms.flatMap((v) => v.nics.map((n) => n.address));
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it("gives a storage-network NIC only to the tiers that replicate", () => {
    const withStorage = [...new Set(model.vms.filter((v) => v.nics.some((n) => n.network === "storage")).map((v) => v.tier))];
    expect(withStorage).toEqual(["database", "objectStore", "backup"]);
  });

  it("sizes each VM from its tier, with the data disk where the tier has one", () => {
    expect(vms.get("db-1")).toMatchObject({ cores: 6, memoryGiB: 16, diskGiB: 40, dataDiskGiB: 300 });
    expect(vms.get("api-1")).toMatchObject({ cores: 4, memoryGiB: 4, diskGiB: 24 });
    expect(vms.get("api-1")?.dataDiskGiB).toBeUndefined();
  });

  it("derives nodes, virtual IPs, placement and replication jobs", () => {
    expect(model.nodes[1]).toEqual({ name: "pve2", managementAddress: "10.20.0.12", clusterAddress: "10.20.1.12", logicalCpus: 64, memoryGiB: 128, usableStorageGiB: 11920 });
    expect(model.virtualIps).toEqual({ loadBalancer: "10.20.2.10", databasePrimary: "10.20.2.11", objectStore: "10.20.2.12", backup: "10.20.2.13" });
    expect(model.placement.pve1).toEqual(TIER_NAMES.map((t) => `${TIERS[t].hostPrefix}-1`));
    // Every VM but the DRBD peers (the object store's and the backup tier's), whose data DRBD keeps on the other node instead.
    expect(model.replication).toHaveLength(12);
    expect(model.replication.some((r) => r.vmName.startsWith("s3-") || r.vmName.startsWith("bkp-"))).toBe(false);
    expect(model.replication[0]).toEqual({ jobId: "1100-0", vmName: "db-1", vmId: 1100, target: "pve2", schedule: "*/15" });
    expect(model).toMatchObject({ proxmoxVersion: 9, debianRelease: 12, site: { name: "rik-ibac", domain: "ibac.rik.ee", timeZone: "Europe/Tallinn" } });
  });
});

describe("determinism", () => {
  it("the same spec gives the same model", () => {
    expect(modelOf(stackSpec("prod"))).toEqual(modelOf(stackSpec("prod")));
    expect(modelOf(generateStackSpec(8))).toEqual(modelOf(generateStackSpec(8)));
  });

  it("adding a VM to one tier renumbers no other VM", () => {
    const before = byName(modelOf(threeNodeSpec()));
    const spec = threeNodeSpec();
    spec.api.count = 3;
    const after = byName(modelOf(spec));
    expect(after.size).toBe(before.size + 1);
    for (const [name, v] of before) expect(identity(after.get(name) as VmPlan), name).toEqual(identity(v));
    expect(after.get("api-3")).toMatchObject({ vmId: 1402, nics: [{ address: "10.20.2.90" }] });
  });

  it("removing a tier's VM renumbers no other VM either", () => {
    const spec = generateStackSpec(8);
    const before = byName(modelOf(spec));
    spec.frs.count = 5;
    const after = byName(modelOf(spec));
    for (const [name, v] of after) expect(identity(v), name).toEqual(identity(before.get(name) as VmPlan));
  });
});

describe("address blocks", () => {
  it("are 24 hosts per tier until a tier is larger, then as large as the largest tier", () => {
    expect(Object.values(tierBlockSizes(stackSpec("prod")))).toEqual(TIER_NAMES.map(() => 24));
    expect(highestServiceHost(stackSpec("prod"))).toBe(FIRST_VM_HOST + 8 * 24 - 1);
    const spec = generateStackSpec(32);
    expect(Object.values(tierBlockSizes(spec))).toEqual(TIER_NAMES.map(() => 32));
    const vms = byName(modelOf(spec));
    expect(vms.get("db-32")?.nics[0].address).toBe("10.100.16.47");
    expect(vms.get("s3-1")?.nics[0].address).toBe("10.100.16.48");
  });

  it("are capped at what placement accepts, so a tier too large is reported as such", () => {
    const spec = stackSpec("prod");
    spec.api.count = 40;
    expect(Object.values(tierBlockSizes(spec))).toEqual(TIER_NAMES.map(() => 24));
    expect(buildModel(spec)).toEqual({
      problems: [{ path: ["api", "count"], detail: "expected at most 2 (anti-affinity keeps each api VM on its own node and 2 nodes are eligible), found 40" }],
    });
  });
});
