import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredVms } from "../redundancy/vm-resources";
import { RESOURCES, isResourceOf, type ResourceClass } from "../../components/resource-types";


/**
 * Every VM is an HA resource that should run, its disks are replicated to another node (where HA can
 * restart it from local storage), and a node-affinity rule (VE 9) or group (VE 8) sends it there.
 */
export function haCoveragePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "ha-coverage",
    description: "Every VM is managed by Proxmox HA (state started), replicated to another node, and pinned by a node-affinity rule or HA group.",
    requirements: ["IBAC-HA-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const ofType = (resourceClass: ResourceClass): PolicyResource[] => resources.filter((r) => isResourceOf(r, resourceClass));
    const ha = new Map(ofType(RESOURCES.Haresource).map((r) => [String(r.props.resourceId), r]));
    const replication = new Map(ofType(RESOURCES.Replication).map((r) => [String(r.props.resourceId), r]));
    const ruled = new Set(ofType(RESOURCES.Harule).filter((r) => r.props.type === "node-affinity").flatMap((r) => (r.props.resources as string[] | undefined) ?? []));
    const groups = new Set(ofType(RESOURCES.Hagroup).map((r) => String(r.props.group)));
    for (const vm of declaredVms(resources, view.model)) {
      const sid = `vm:${vm.vmId}`;
      const res = ha.get(sid);
      if (!res || res.props.state !== "started") {
        reportFinding(report, { subject: `${vm.name}'s HA`, observed: res ? `HA state ${String(res.props.state)}` : "not an HA resource", expected: "an HA resource with state started", urn: vm.resource.urn });
        continue;
      }
      const copy = replication.get(`${vm.vmId}-0`);
      if (!copy || copy.props.target === vm.node) {
        reportFinding(report, { subject: `${vm.name}'s disks`, observed: copy ? `replicated to its own node ${vm.node}` : "not replicated", expected: "a replication job to another node", urn: vm.resource.urn });
      }
      const pinned = view.spec.proxmox.version >= 9 ? ruled.has(sid) : groups.has(String(res.props.group ?? ""));
      if (!pinned) {
        reportFinding(report, {
          subject: `${vm.name}'s recovery node`,
          observed: view.spec.proxmox.version >= 9 ? "in no node-affinity HA rule" : `HA group ${String(res.props.group ?? "none")} is not declared`,
          expected: "HA directed to the node holding its replica",
          urn: res.urn,
        });
      }
    }
  });
}
