import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { runOfflinePlan, type OfflinePlan } from "../offline-plan/run-offline-plan";
import { RESOURCES, RESOURCE_TYPES, isResourceOf } from "../resource-types";
import { ipFilterSets } from "./ip-filter-sets";

// Under mocks: the prod program runs against a mock engine; nothing here reaches a Proxmox host. Left unproven:
// that pve-firewall compiles the sets as read here (an ipset per NIC, `ipfilter-net<N>` in the VM's
// /etc/pve/firewall/<vmid>.fw, pve-firewall's compute_ipfilter_ipset_name), that the provider creates a
// VM-scoped set before the options' `ipfilter: 1` is applied (the dependsOn orders the API calls; Proxmox does
// not check it), that the sets follow a VM HA recovers on its failover node (the .fw file is on the cluster
// file system, read by the node the VM runs on), and that a VIP's gratuitous ARP passes Proxmox's filter.
const projectDir = path.resolve(__dirname, "../..");

interface Registered {
  type: string;
  name: string;
  resource: pulumi.Resource;
  dependsOn: pulumi.Resource[];
}

let cached: Promise<{ plan: OfflinePlan; registered: Registered[] }> | undefined;
function prod(): Promise<{ plan: OfflinePlan; registered: Registered[] }> {
  cached ??= (async () => {
    const registered: Registered[] = [];
    const plan = await runOfflinePlan(loadStackFile(stackFilePath(projectDir, "prod")), {
      onRegister: (args) => {
        const deps = args.opts.dependsOn;
        registered.push({ type: args.type, name: args.name, resource: args.resource, dependsOn: Array.isArray(deps) ? (deps as pulumi.Resource[]) : deps ? [deps as pulumi.Resource] : [] });
      },
    });
    return { plan, registered };
  })();
  return cached;
}

describe("DebianVm's IP filter sets in the prod program under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  it("gives every VM one VM-scoped ipfilter-net<N> set per NIC, with its own address and its tier's virtual addresses", async () => {
    const { plan } = await prod();
    const vmSets = plan.resources.filter((r) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy) && r.inputs.vmId !== undefined);
    expect(vmSets.length).toBe(plan.model.vms.reduce((n, vm) => n + vm.nics.length, 0));
    for (const vm of plan.model.vms) {
      const mine = vmSets.filter((r) => r.inputs.vmId === vm.vmId);
      expect(mine.map((r) => r.inputs.name), vm.name).toEqual(vm.nics.map((n) => `ipfilter-${n.device}`));
      for (const r of mine) expect(r.inputs.nodeName, `${vm.name} ${String(r.inputs.name)}`).toBe(vm.node);
      const cidrs = mine.map((r) => ((r.inputs.cidrs as { name: string }[] | undefined) ?? []).map((c) => c.name));
      expect(cidrs, vm.name).toEqual(ipFilterSets(vm, plan.model).map((s) => s.entries.map((e) => e.cidr)));
    }
    // The figures the review named, spelled out rather than re-derived.
    const cidrsOf = (vmId: number, name: string): string[] =>
      ((vmSets.find((r) => r.inputs.vmId === vmId && r.inputs.name === name)?.inputs.cidrs as { name: string }[] | undefined) ?? []).map((c) => c.name);
    const id = (name: string): number => plan.model.vms.find((v) => v.name === name)?.vmId ?? -1;
    expect(cidrsOf(id("lb-1"), "ipfilter-net0")).toEqual(["10.20.2.112", "10.20.2.10"]);
    expect(cidrsOf(id("db-2"), "ipfilter-net0")).toEqual(["10.20.2.17", "10.20.2.11"]);
    expect(cidrsOf(id("db-2"), "ipfilter-net1")).toEqual(["10.20.3.17"]);
    expect(cidrsOf(id("s3-1"), "ipfilter-net0")).toEqual(["10.20.2.40", "10.20.2.12"]);
    expect(cidrsOf(id("api-2"), "ipfilter-net0")).toEqual(["10.20.2.89"]);
  });

  it("creates the options that turn ipfilter on only after the VM's sets (dependsOn)", async () => {
    const { plan, registered } = await prod();
    for (const vm of plan.model.vms) {
      const options = registered.find((r) => r.type === RESOURCE_TYPES.FirewallOptionsLegacy && r.name === `${vm.name}-firewall-options`);
      expect(options, vm.name).toBeDefined();
      const sets = registered.filter((r) => r.type === RESOURCE_TYPES.FirewallIpsetLegacy && r.name.startsWith(`${vm.name}-ipfilter-`));
      expect(sets.length, vm.name).toBe(vm.nics.length);
      for (const set of sets) expect(options?.dependsOn, `${vm.name}'s options after ${set.name}`).toContain(set.resource);
      // The sets need the VM first: the API keeps them in that VM's firewall config.
      const vmResource = registered.find((r) => r.type === RESOURCE_TYPES.VmLegacy && r.name === vm.name)?.resource;
      for (const set of sets) expect(set.dependsOn, set.name).toContain(vmResource);
    }
    const ipfilterOn = plan.resources.filter((r) => isResourceOf(r, RESOURCES.FirewallOptionsLegacy) && r.inputs.ipfilter === true);
    expect(ipfilterOn.length).toBe(plan.model.vms.length);
  });
});
