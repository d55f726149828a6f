import { describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import type { PlatformModel } from "../model/types";
import { stackSpec, threeNodeSpec } from "../../test/fixtures/specs";
import { ipFilterSetName, ipFilterSets } from "./ip-filter-sets";

// Pure: the prod model (the design's stack), no Pulumi. What Proxmox does with the sets is not proven here
// (no Proxmox host): that pve-firewall drops a source outside `ipfilter-net<N>` is read from its docs and code.
function prodModel(): PlatformModel {
  const { model } = buildModel(stackSpec("prod"));
  if (!model) throw new Error("the prod stack has no model");
  return model;
}

const setsOf = (model: PlatformModel, vmName: string): { name: string; cidrs: string[] }[] => {
  const vm = model.vms.find((v) => v.name === vmName);
  if (!vm) throw new Error(`no VM ${vmName}`);
  return ipFilterSets(vm, model).map((s) => ({ name: s.name, cidrs: s.entries.map((e) => e.cidr) }));
};

describe("ipFilterSets (prod model)", () => {
  it.each([
    // A tier with a virtual address: its own address, then the address it may take over, on net0 only.
    ["lb-1", [{ name: "ipfilter-net0", cidrs: ["10.20.2.112", "10.20.2.10"] }]],
    ["lb-2", [{ name: "ipfilter-net0", cidrs: ["10.20.2.113", "10.20.2.10"] }]],
    // Service and storage NICs: the moving address only on the service network.
    ["db-1", [{ name: "ipfilter-net0", cidrs: ["10.20.2.16", "10.20.2.11"] }, { name: "ipfilter-net1", cidrs: ["10.20.3.16"] }]],
    ["db-2", [{ name: "ipfilter-net0", cidrs: ["10.20.2.17", "10.20.2.11"] }, { name: "ipfilter-net1", cidrs: ["10.20.3.17"] }]],
    ["s3-1", [{ name: "ipfilter-net0", cidrs: ["10.20.2.40", "10.20.2.12"] }, { name: "ipfilter-net1", cidrs: ["10.20.3.40"] }]],
    ["s3-2", [{ name: "ipfilter-net0", cidrs: ["10.20.2.41", "10.20.2.12"] }, { name: "ipfilter-net1", cidrs: ["10.20.3.41"] }]],
    ["bkp-1", [{ name: "ipfilter-net0", cidrs: ["10.20.2.136", "10.20.2.13"] }, { name: "ipfilter-net1", cidrs: ["10.20.3.136"] }]],
    // Tiers without virtual addresses: only the VM's own addresses.
    ["api-1", [{ name: "ipfilter-net0", cidrs: ["10.20.2.88"] }]],
    ["frs-2", [{ name: "ipfilter-net0", cidrs: ["10.20.2.65"] }]],
    ["vpn-1", [{ name: "ipfilter-net0", cidrs: ["10.20.2.184"] }]],
  ])("%s", (vmName, expected) => {
    expect(setsOf(prodModel(), vmName)).toEqual(expected);
  });

  it("gives every VM one set per NIC, in NIC order, named after the device, its own address first", () => {
    const model = prodModel();
    for (const vm of model.vms) {
      const sets = ipFilterSets(vm, model);
      expect(sets.map((s) => s.name), vm.name).toEqual(vm.nics.map((n) => `ipfilter-${n.device}`));
      sets.forEach((s, i) => expect(s.entries[0].cidr, `${vm.name} ${s.name}`).toBe(vm.nics[i].address));
    }
  });

  it("follows the model: a third node's VMs and a moved virtual address", () => {
    const { model } = buildModel(threeNodeSpec());
    if (!model) throw new Error("the three-node stack has no model");
    const moved = { ...model, virtualIps: { ...model.virtualIps, loadBalancer: "10.20.2.9" } };
    const lb = model.vms.filter((v) => v.tier === "loadBalancer");
    for (const vm of lb) expect(ipFilterSets(vm, moved)[0].entries.map((e) => e.cidr)).toEqual([vm.nics[0].address, "10.20.2.9"]);
  });

  it("says which virtual address the model lacks", () => {
    const model = prodModel();
    const db = model.vms.find((v) => v.name === "db-1");
    if (!db) throw new Error("no db-1");
    const rest = Object.fromEntries(Object.entries(model.virtualIps).filter(([name]) => name !== "databasePrimary"));
    expect(() => ipFilterSets(db, { virtualIps: rest })).toThrow("db-1: its tier database holds the virtual address databasePrimary, which the model has no address for");
  });

  it("names the set as pve-firewall's compute_ipfilter_ipset_name does", () => {
    expect(ipFilterSetName("net0")).toBe("ipfilter-net0");
    expect(ipFilterSetName("net3")).toBe("ipfilter-net3");
  });
});
