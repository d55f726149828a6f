import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredVms } from "../redundancy/vm-resources";
import { RESOURCES, isResourceOf, type ResourceClass } from "../../components/resource-types";
import { recoversOnAnotherNode } from "../../components/tiers/registry";
import { drbdResourceFacts } from "../../components/storage/drbd-facts";
import { deliveredFiles } from "../kit/rendered-files";
import type { PolicyModel } from "../../components/model/policy-view";
import type { DeliveredFile } from "../kit/rendered-files";

/** Whether a DRBD resource file delivered to `vm` names it and a peer VM that runs on another node. */
function drbdPeerElsewhere(vm: { name: string; node: string }, files: readonly DeliveredFile[], model: PolicyModel): string | undefined {
  for (const file of files.filter((f) => f.vm === vm.name && /^\/etc\/drbd\.d\/[^/]+\.res$/.test(f.path))) {
    const hosts = drbdResourceFacts(file.content).peers.map((p) => p.host);
    if (!hosts.includes(vm.name)) continue;
    const peer = hosts.map((h) => model.vms.find((v) => v.name === h)).find((v) => v && v.name !== vm.name && v.node !== vm.node);
    if (peer) return peer.name;
  }
  return undefined;
}

/**
 * Every VM is an HA resource that should run, its disks are replicated to another node (where HA can
 * restart it from local storage), and a node-affinity rule (VE 9) or group (VE 8) sends it there. A DRBD
 * tier's VM is the exception the design makes: its data disk is replicated by the DRBD resource file it is
 * delivered, to a peer VM on another node (which takes the service over), and HA keeps it on its own node.
 */
export function haCoveragePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "ha-coverage",
    description: "Every VM is managed by Proxmox HA (state started), replicated to another node, and pinned by a node-affinity rule or HA group.",
    requirements: ["IBAC-HA-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const ofType = (resourceClass: ResourceClass): PolicyResource[] => resources.filter((r) => isResourceOf(r, resourceClass));
    const ha = new Map(ofType(RESOURCES.Haresource).map((r) => [String(r.props.resourceId), r]));
    const replication = new Map(ofType(RESOURCES.Replication).map((r) => [String(r.props.resourceId), r]));
    const ruled = new Set(ofType(RESOURCES.Harule).filter((r) => r.props.type === "node-affinity").flatMap((r) => (r.props.resources as string[] | undefined) ?? []));
    const groups = new Set(ofType(RESOURCES.Hagroup).map((r) => String(r.props.group)));
    const files = await deliveredFiles(resources, view.model);
    for (const vm of declaredVms(resources, view.model)) {
      const sid = `vm:${vm.vmId}`;
      const res = ha.get(sid);
      if (!res || res.props.state !== "started") {
        reportFinding(report, { subject: `${vm.name}'s HA`, observed: res ? `HA state ${String(res.props.state)}` : "not an HA resource", expected: "an HA resource with state started", urn: vm.resource.urn });
        continue;
      }
      const copy = replication.get(`${vm.vmId}-0`);
      const tier = view.model.vms.find((v) => v.name === vm.name)?.tier;
      if (tier && !recoversOnAnotherNode(tier)) {
        if (!drbdPeerElsewhere(vm, files, view.model)) {
          reportFinding(report, { subject: `${vm.name}'s data disk`, observed: "no DRBD resource delivered to it that names a peer on another node", expected: "a DRBD resource replicating it to a peer VM on another node", urn: vm.resource.urn });
        }
      } else if (!copy || copy.props.target === vm.node) {
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
