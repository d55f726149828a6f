import { analyzeReachability } from "../../components/network/firewall/reachability";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredFirewallPlan } from "./declared-firewall";
import { ipFilterFindings } from "./ip-filter-sets";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

const described = (o: { source: string; host: string; protocol: string; ports: string }): string => `${o.source} -> ${o.host} ${o.protocol}${o.ports ? `/${o.ports}` : ""}`;

/**
 * The reachability analysis of `ibac flows`, run on the firewall the resources declare (IP sets, security
 * groups, per-VM and per-node rules, the QDevice's nftables ruleset), not on the renderer's output: what
 * those rules allow equals what the model's flows intend, both ways, with no dead rule; and the VMs' IP filter
 * lets each VM send from its own addresses and its tier's virtual addresses, from no other (ip-filter-sets.ts).
 */
export function flowsMatchIntentPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "flows-match-intent",
    description: "What the declared firewall rules allow is exactly the intended flow matrix: nothing more, nothing blocked, no dead rule.",
    requirements: ["IBAC-NET-003"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    // A VM whose firewall is off (no options, or not enabled) accepts everything: no rule below matters.
    const options = new Map(resources.filter((r) => isResourceOf(r, RESOURCES.FirewallOptionsLegacy)).map((r) => [Number(r.props.vmId), r]));
    for (const vm of view.model.vms) {
      const o = options.get(vm.vmId);
      if (!o || !(o.props.enabled === true || o.props.enabled === "true")) {
        reportFinding(report, { subject: `${vm.name}'s firewall`, observed: o ? "disabled: every port open" : "no firewall options: the firewall is off, every port open", expected: "enabled, so only the intended flows reach it", urn: o?.urn ?? view.urn });
      }
    }
    // The IP filter sits before every rule: a source it drops blocks every flow from that address.
    for (const f of ipFilterFindings(view.model, resources)) reportFinding(report, f);
    const plan = declaredFirewallPlan(resources, view.model);
    const analysis = analyzeReachability(view.model, view.spec, plan);
    for (const o of analysis.unintended) reportFinding(report, { subject: `opening on ${o.host}`, observed: `allowed: ${described(o)}`, expected: "no opening that no flow stands for", urn: view.urn });
    for (const o of analysis.blocked) reportFinding(report, { subject: `flow to ${o.host}`, observed: `blocked: ${described(o)}`, expected: "every intended flow allowed", urn: view.urn });
    for (const d of analysis.deadRules) reportFinding(report, { subject: `rule ${d.rule.position} on ${d.host} (${d.rule.flowId})`, observed: d.reason, expected: "every rule able to match", urn: view.urn });
    for (const o of analysis.outboundBlocked) reportFinding(report, { subject: `outbound from ${o.host}`, observed: `blocked: ${o.destination} ${o.protocol}/${o.ports} (${o.flowId})`, expected: "every intended flow allowed out", urn: view.urn });
    for (const o of analysis.outboundUnintended) reportFinding(report, { subject: `outbound from ${o.host}`, observed: `allowed: ${o.destination} ${o.protocol}/${o.ports} (${o.flowId})`, expected: "no outbound rule that no flow stands for", urn: view.urn });
  });
}
