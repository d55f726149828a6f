import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredVms, designTiers } from "./vm-resources";

/**
 * The VMs of one tier are spread over the nodes: no node holds two while another node holds none of the
 * tier (with more VMs than nodes, doubling up is unavoidable and allowed).
 */
export function tierAntiAffinityPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "tier-anti-affinity",
    description: "The VMs of a tier run on different Proxmox nodes, so one node's failure leaves every tier running.",
    requirements: ["IBAC-ARC-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const nodes = view.model.nodes.map((n) => n.name);
    const vms = declaredVms(resources, view.model);
    for (const tier of designTiers(view.model)) {
      const ofTier = vms.filter((v) => v.tier === tier);
      const perNode = new Map(nodes.map((n) => [n, ofTier.filter((v) => v.node === n)]));
      const crowded = [...perNode].filter(([, on]) => on.length > 1);
      const empty = [...perNode].filter(([, on]) => on.length === 0).map(([n]) => n);
      if (crowded.length && empty.length) {
        const [node, on] = crowded[0];
        reportFinding(report, {
          subject: `tier ${tier}`,
          observed: `${on.map((v) => v.name).join(" and ")} both on ${node}, none on ${empty.join(", ")}`,
          expected: "its VMs on different nodes",
          urn: on[1].resource.urn,
          location: "inputs.nodeName",
        });
      }
    }
  });
}
