import type { PlatformSpec, ProxmoxNodeSpec } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";
import type { CapacityReport, FailureScenario, NodeLoad, NodePlan, StorageLoad, VmPlan } from "./types";

/** ZFS pools should stay below 80% full: past that, copy-on-write allocation slows sharply. */
export const STORAGE_FILL_LIMIT = 0.8;
const GIB_PER_GB = 1e9 / 2 ** 30;

export function logicalCpus(node: ProxmoxNodeSpec): number {
  return node.cpu.sockets * node.cpu.coresPerSocket * node.cpu.threadsPerCore;
}

/** Usable pool size in GiB under the node's ZFS layout, before the fill limit. */
export function poolSizeGiB(node: ProxmoxNodeSpec): number {
  const { count, sizeGB, layout } = node.disks;
  const dataDisks = layout === "raidz2" ? Math.max(count - 2, 0) : Math.floor(count / 2);
  return Math.floor(dataDisks * sizeGB * GIB_PER_GB);
}

type SizedVm = Pick<VmPlan, "name" | "node" | "failoverNode" | "cores" | "memoryGiB" | "diskGiB" | "dataDiskGiB">;

function load(node: NodePlan, vms: SizedVm[], spec: PlatformSpec): NodeLoad {
  const reserve = spec.proxmox.hypervisorReserve;
  return {
    node: node.name,
    cores: vms.reduce((sum, vm) => sum + vm.cores, 0),
    coresAvailable: node.logicalCpus - reserve.cores,
    memoryGiB: vms.reduce((sum, vm) => sum + vm.memoryGiB, 0),
    memoryAvailableGiB: node.memoryGiB - reserve.memoryGiB,
  };
}

const fitsLoad = (l: NodeLoad): boolean => l.cores <= l.coresAvailable && l.memoryGiB <= l.memoryAvailableGiB;

/**
 * The N+1 check: with every node up, and then with each node failed in turn (its VMs recovered on their
 * failover nodes, as the HA rules direct), every surviving node must hold its load within its cores and
 * memory less the hypervisor's reserve. Storage holds each node's own VMs plus the replicas it receives.
 */
export function checkCapacity(spec: PlatformSpec, nodes: NodePlan[], vms: SizedVm[]): { report: CapacityReport; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const normal = nodes.map((node) => load(node, vms.filter((vm) => vm.node === node.name), spec));

  const failures: FailureScenario[] = nodes.length < 2 ? [] : nodes.map((failed) => {
    const survivors = nodes
      .filter((n) => n.name !== failed.name)
      .map((n) => load(n, vms.filter((vm) => vm.node === n.name || (vm.node === failed.name && vm.failoverNode === n.name)), spec));
    return { failedNode: failed.name, survivors, fits: survivors.every(fitsLoad) };
  });

  const storage: StorageLoad[] = nodes.map((node) => ({
    node: node.name,
    usedGiB: vms
      .filter((vm) => vm.node === node.name || vm.failoverNode === node.name)
      .reduce((sum, vm) => sum + vm.diskGiB + (vm.dataDiskGiB ?? 0), 0),
    usableGiB: node.usableStorageGiB,
  }));

  for (const l of normal) {
    if (!fitsLoad(l)) problems.push({ path: ["proxmox", "nodes"], detail: `expected the VMs placed on ${l.node} to fit it, found that ${describeShortfall(l)}` });
  }
  for (const scenario of failures) {
    for (const l of scenario.survivors.filter((s) => !fitsLoad(s))) {
      problems.push({
        path: ["proxmox", "nodes"],
        detail: `expected room for every HA VM when any one node fails, found that if ${scenario.failedNode} fails, ${describeShortfall(l)}`,
      });
    }
  }
  for (const s of storage.filter((x) => x.usedGiB > x.usableGiB)) {
    problems.push({
      path: ["proxmox", "nodes", nodes.findIndex((n) => n.name === s.node), "disks"],
      detail: `expected room for the disks of ${s.node}'s VMs and the replicas it receives (${s.usedGiB} GiB), found ${s.usableGiB} GiB usable at ${STORAGE_FILL_LIMIT * 100}% fill`,
    });
  }

  const allLoads = failures.length ? failures.flatMap((f) => f.survivors) : normal;
  const headroom = {
    memoryGiB: Math.min(...allLoads.map((l) => l.memoryAvailableGiB - l.memoryGiB)),
    cores: Math.min(...allLoads.map((l) => l.coresAvailable - l.cores)),
  };
  return {
    report: { normal, failures, storage, headroom, fits: problems.length === 0 },
    problems,
  };
}

function describeShortfall(l: NodeLoad): string {
  const parts: string[] = [];
  if (l.memoryGiB > l.memoryAvailableGiB) parts.push(`${l.node} needs ${l.memoryGiB} GiB of memory and has ${l.memoryAvailableGiB} GiB after the hypervisor reserve`);
  if (l.cores > l.coresAvailable) parts.push(`${l.node} needs ${l.cores} cores and has ${l.coresAvailable} after the hypervisor reserve`);
  return parts.join("; ");
}
