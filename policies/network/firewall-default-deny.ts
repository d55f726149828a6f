import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredVms } from "../redundancy/vm-resources";
import { CLUSTER_FIREWALL, VM_FIREWALL_OPTIONS } from "./declared-firewall";

/**
 * Inbound default deny everywhere: the datacenter firewall on with input DROP, and on every VM its firewall
 * options on with input DROP and the firewall flag on every network device (a NIC without it bypasses
 * every rule).
 */
export function firewallDefaultDenyPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "firewall-default-deny",
    description: "The cluster firewall and every VM's firewall are enabled and drop inbound traffic no rule accepts, on every network device.",
    requirements: ["IBAC-NET-001"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const cluster = resources.find((r) => r.type === CLUSTER_FIREWALL);
    if (!cluster) reportFinding(report, { subject: "cluster firewall", observed: "not declared", expected: "enabled with inbound DROP", urn: view.urn });
    else if (cluster.props.enabled !== true || cluster.props.inputPolicy !== "DROP") {
      reportFinding(report, { subject: "cluster firewall", observed: `enabled ${String(cluster.props.enabled)}, inbound ${String(cluster.props.inputPolicy)}`, expected: "enabled true, inbound DROP", urn: cluster.urn, location: "inputs.inputPolicy" });
    }
    const options = new Map(resources.filter((r) => r.type === VM_FIREWALL_OPTIONS).map((r) => [Number(r.props.vmId), r]));
    for (const vm of declaredVms(resources, view.model)) {
      const o = options.get(vm.vmId);
      if (!o || o.props.enabled !== true || o.props.inputPolicy !== "DROP") {
        reportFinding(report, {
          subject: `${vm.name}'s firewall`,
          observed: o ? `enabled ${String(o.props.enabled)}, inbound ${String(o.props.inputPolicy)}` : "no firewall options",
          expected: "enabled true, inbound DROP",
          urn: o?.urn ?? vm.resource.urn,
        });
      }
      const nics = (vm.resource.props.networkDevices as { firewall?: boolean; bridge?: string }[] | undefined) ?? [];
      nics.forEach((nic, i) => {
        if (nic.firewall !== true) reportFinding(report, { subject: `${vm.name}'s net${i} (${nic.bridge ?? "?"})`, observed: "firewall off", expected: "firewall on", urn: vm.resource.urn, location: `inputs.networkDevices[${i}].firewall` });
      });
    }
  });
}
