import { checkCapacity } from "../../components/model/capacity";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredVms } from "../redundancy/vm-resources";
import { RESOURCES, isResourceOf } from "../../components/resource-types";


interface DiskProps {
  size?: number;
}

/**
 * N+1, recomputed from the VM resources (cores, memory, disks, node) and the replication targets: with
 * any one node failed, the others hold every VM within their cores and memory less the hypervisor reserve.
 */
export function capacityNPlusOnePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "capacity-n-plus-one",
    description: "With any one node failed, the surviving nodes have the cores, memory and storage for every VM (hypervisor reserve kept).",
    requirements: ["IBAC-HA-003"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const targets = new Map(resources.filter((r) => isResourceOf(r, RESOURCES.Replication)).map((r) => [String(r.props.resourceId), String(r.props.target)]));
    const vms = declaredVms(resources, view.model).map((vm) => {
      const cpu = (vm.resource.props.cpu ?? {}) as { cores?: number; sockets?: number };
      const disks = ((vm.resource.props.disks ?? []) as DiskProps[]).map((d) => Number(d.size ?? 0));
      const failoverNode = targets.get(`${vm.vmId}-0`);
      return {
        name: vm.name,
        node: vm.node,
        ...(failoverNode ? { failoverNode } : {}),
        cores: Number(cpu.cores ?? 1) * Number(cpu.sockets ?? 1),
        memoryGiB: Number((vm.resource.props.memory as { dedicated?: number } | undefined)?.dedicated ?? 0) / 1024,
        diskGiB: disks[0] ?? 0,
        dataDiskGiB: disks.slice(1).reduce((a, b) => a + b, 0),
      };
    });
    for (const problem of checkCapacity(view.spec, view.model.nodes, vms).problems) {
      reportFinding(report, {
        subject: "cluster capacity",
        observed: problem.detail.replace(/^expected .*?, found that /, "").replace(/^expected .*?, found /, ""),
        expected: problem.detail.replace(/^expected (.*?), found.*$/, "$1"),
        urn: view.urn,
      });
    }
  });
}
