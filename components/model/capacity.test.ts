import { describe, expect, it } from "vitest";
import { checkCapacity, logicalCpus, poolSizeGiB } from "./capacity";
import { buildModel } from "./build";
import type { NodePlan, VmPlan } from "./types";
import { stackSpec } from "../../test/fixtures/specs";
import { generateStackSpec } from "../../test/fixtures/generate-stack";

type SizedVm = Pick<VmPlan, "name" | "node" | "failoverNode" | "cores" | "memoryGiB" | "diskGiB" | "dataDiskGiB">;

/** A node like prod's: 64 logical CPUs, 128 GiB (60 cores and 112 GiB after prod's reserve). */
const node = (name: string): NodePlan => ({
  name,
  managementAddress: "10.20.0.11",
  clusterAddress: "10.20.1.11",
  logicalCpus: 64,
  memoryGiB: 128,
  usableStorageGiB: 10_000,
});
const vm = (name: string, home: string, failover: string | undefined, memoryGiB: number, cores = 2): SizedVm => ({
  name,
  node: home,
  ...(failover ? { failoverNode: failover } : {}),
  cores,
  memoryGiB,
  diskGiB: 20,
});

describe("node sizes", () => {
  it("logical CPUs count sockets, cores and threads", () => {
    expect(logicalCpus(stackSpec("prod").proxmox.nodes[0])).toBe(64);
    expect(logicalCpus(stackSpec("lab").proxmox.nodes[0])).toBe(20);
  });

  it("pool size follows the ZFS layout, in GiB", () => {
    // raidz2 of 6 x 4 TB: 4 data disks = 16e12 bytes; a mirror of 2 x 1 TB: 1e12 bytes.
    expect(poolSizeGiB(stackSpec("prod").proxmox.nodes[0])).toBe(14901);
    expect(poolSizeGiB(stackSpec("lab").proxmox.nodes[0])).toBe(931);
  });
});

describe("checkCapacity (N+1)", () => {
  const spec = stackSpec("prod");

  it("prod fits every single-node failure, with its headroom reported", () => {
    const model = buildModel(spec).model;
    expect(model?.capacity.fits).toBe(true);
    expect(model?.capacity.failures.map((f) => [f.failedNode, f.fits])).toEqual([
      ["pve1", true],
      ["pve2", true],
    ]);
    // Per node 52 GiB and 28 cores; after a failure twice that less the dead node's storage and backup VMs (8 GiB
    // and 4 cores, 4 GiB and 2 cores: DRBD's peer takes each service over, HA does not move them), of 112 GiB and 60 cores.
    expect(model?.capacity.normal.map((l) => [l.memoryGiB, l.cores])).toEqual([
      [52, 28],
      [52, 28],
    ]);
    expect(model?.capacity.headroom).toEqual({ memoryGiB: 20, cores: 10 });
  });

  it("a stack that does not fit: the survivor's shortfall", () => {
    const nodes = [node("pve1"), node("pve2")];
    const vms = [vm("a-1", "pve1", "pve2", 70), vm("a-2", "pve2", "pve1", 60)];
    const { report, problems } = checkCapacity(spec, nodes, vms);
    expect(report.fits).toBe(false);
    expect(report.normal.every((l) => l.memoryGiB <= l.memoryAvailableGiB)).toBe(true);
    expect(problems).toEqual([
      {
        path: ["proxmox", "nodes"],
        detail: "expected room for every HA VM when any one node fails, found that if pve1 fails, pve2 needs 130 GiB of memory and has 112 GiB after the hypervisor reserve",
      },
      {
        path: ["proxmox", "nodes"],
        detail: "expected room for every HA VM when any one node fails, found that if pve2 fails, pve1 needs 130 GiB of memory and has 112 GiB after the hypervisor reserve",
      },
    ]);
    expect(report.headroom).toEqual({ memoryGiB: -18, cores: 56 });
  });

  it("memory and cores short together are one line", () => {
    const nodes = [node("pve1"), node("pve2")];
    const vms = [vm("a-1", "pve1", "pve2", 100, 40), vm("a-2", "pve2", undefined, 20, 30)];
    expect(checkCapacity(spec, nodes, vms).problems.map((p) => p.detail)).toEqual([
      "expected room for every HA VM when any one node fails, found that if pve1 fails, pve2 needs 120 GiB of memory and has 112 GiB after the hypervisor reserve; pve2 needs 70 cores and has 60 after the hypervisor reserve",
    ]);
  });

  it("a VM without a failover node is not recovered, so it loads no survivor", () => {
    const nodes = [node("pve1"), node("pve2")];
    const vms = [vm("a-1", "pve1", undefined, 100), vm("a-2", "pve2", "pve1", 100)];
    const { report, problems } = checkCapacity(spec, nodes, vms);
    expect(report.failures.find((f) => f.failedNode === "pve1")?.survivors).toEqual([
      { node: "pve2", cores: 2, coresAvailable: 60, memoryGiB: 100, memoryAvailableGiB: 112 },
    ]);
    expect(problems.map((p) => p.detail)).toEqual([
      "expected room for every HA VM when any one node fails, found that if pve2 fails, pve1 needs 200 GiB of memory and has 112 GiB after the hypervisor reserve",
    ]);
  });

  it("VMs that overload a node with every node up", () => {
    const nodes = [node("pve1"), node("pve2"), node("pve3")];
    const vms = [vm("a-1", "pve1", "pve2", 60), vm("b-1", "pve1", "pve3", 60)];
    const { problems } = checkCapacity(spec, nodes, vms);
    expect(problems[0]).toEqual({
      path: ["proxmox", "nodes"],
      detail: "expected the VMs placed on pve1 to fit it, found that pve1 needs 120 GiB of memory and has 112 GiB after the hypervisor reserve",
    });
  });

  it("storage counts the VMs' own disks and the replicas a node receives", () => {
    const nodes = [node("pve1"), { ...node("pve2"), usableStorageGiB: 100 }];
    const vms: SizedVm[] = [
      { ...vm("a-1", "pve1", "pve2", 4), dataDiskGiB: 50 },
      { ...vm("a-2", "pve2", "pve1", 4), dataDiskGiB: 50 },
    ];
    const { report, problems } = checkCapacity(spec, nodes, vms);
    expect(report.storage).toEqual([
      { node: "pve1", usedGiB: 140, usableGiB: 10_000 },
      { node: "pve2", usedGiB: 140, usableGiB: 100 },
    ]);
    expect(problems).toEqual([
      { path: ["proxmox", "nodes", 1, "disks"], detail: "expected room for the disks of pve2's VMs and the replicas it receives (140 GiB), found 100 GiB usable at 80% fill" },
    ]);
  });

  it("a single node has no failure scenarios; its headroom is its normal load's", () => {
    const { report, problems } = checkCapacity(spec, [node("pve1")], [vm("a-1", "pve1", undefined, 12, 10)]);
    expect(problems).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.headroom).toEqual({ memoryGiB: 100, cores: 50 });
  });

  it("buildModel refuses a prod whose survivor cannot hold every VM", () => {
    const tooBig = stackSpec("prod");
    tooBig.frs.vm.memoryGiB = 60;
    const { model, problems } = buildModel(tooBig);
    expect(model).toBeUndefined();
    expect(problems.map((p) => p.detail)).toEqual([
      "expected room for every HA VM when any one node fails, found that if pve1 fails, pve2 needs 188 GiB of memory and has 112 GiB after the hypervisor reserve",
      "expected room for every HA VM when any one node fails, found that if pve2 fails, pve1 needs 188 GiB of memory and has 112 GiB after the hypervisor reserve",
    ]);
  });

  it("a generated 32-node cluster fits N+1 in every scenario", () => {
    const model = buildModel(generateStackSpec(32)).model;
    expect(model?.capacity.failures).toHaveLength(32);
    expect(model?.capacity.failures.every((f) => f.fits && f.survivors.length === 31)).toBe(true);
  });
});
