import { resourcePolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacResourcePolicy } from "../kit/types";
import { RESOURCES, isResourceOf, RESOURCE_TYPES } from "../../components/resource-types";

/**
 * Inbound default deny, resource by resource: the datacenter firewall on with input DROP, every VM's
 * firewall options on with input DROP, and the firewall flag on every network device of every VM (a NIC
 * without it bypasses every rule). A VM with no firewall options at all is caught by flows-match-intent,
 * which sees all its ports open.
 */
export function firewallDefaultDenyPolicy(): IbacResourcePolicy {
  return resourcePolicy({
    name: "firewall-default-deny",
    description: "The cluster firewall and every VM's firewall are enabled and drop inbound traffic no rule accepts, on every network device.",
    requirements: ["IBAC-NET-001"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, [RESOURCE_TYPES.ClusterFirewallLegacy, RESOURCE_TYPES.FirewallOptionsLegacy, RESOURCE_TYPES.VmLegacy], (r, report) => {
    if (isResourceOf(r, RESOURCES.VmLegacy)) {
      const nics = (r.props.networkDevices as { firewall?: boolean | string; bridge?: string }[] | undefined) ?? [];
      nics.forEach((nic, i) => {
        if (nic.firewall !== true && nic.firewall !== "true") {
          reportFinding(report, { subject: `${String(r.props.name)}'s net${i} (${nic.bridge ?? "?"})`, observed: "firewall off", expected: "firewall on", urn: r.urn, location: `inputs.networkDevices[${i}].firewall` });
        }
      });
      return;
    }
    const enabled = r.props.enabled === true || r.props.enabled === "true";
    if (!enabled || r.props.inputPolicy !== "DROP") {
      reportFinding(report, {
        subject: isResourceOf(r, RESOURCES.ClusterFirewallLegacy) ? "cluster firewall" : `VM ${String(r.props.vmId)}'s firewall`,
        observed: `enabled ${String(r.props.enabled)}, inbound ${String(r.props.inputPolicy)}`,
        expected: "enabled true, inbound DROP",
        urn: r.urn,
        location: enabled ? "inputs.inputPolicy" : "inputs.enabled",
      });
    }
  });
}
