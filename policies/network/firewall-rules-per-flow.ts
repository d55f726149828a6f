import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredRules, declaredSets, type LocatedRule } from "./declared-firewall";

const ANY = new Set(["0.0.0.0/0", "::/0"]);

/**
 * Every accepting rule is one flow's opening: explicit position, protocol and (for TCP/UDP) ports, a source
 * (or, outbound, a destination) that is a declared IP set, a comment starting with the id of a flow of the
 * model, and an address set open to the whole internet only where the flow's source is the mobiles.
 */
export function firewallRulesPerFlowPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "firewall-rules-per-flow",
    description: "Each firewall rule is the opening of one intended flow: explicit position, protocol and ports, a named address set, never allow-any, its flow named in the comment.",
    requirements: ["IBAC-NET-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const flows = new Map(view.model.flows.map((f) => [f.id, f]));
    const sets = new Map(declaredSets(resources).map((s) => [s.name, s]));
    const seen = new Set<string>();
    const reported = new Set<string>();
    const fail = (l: LocatedRule, observed: string, expected: string, field: string): void => {
      // A security group's rule is found once per VM using the group: report it once.
      const once = `${l.urn}|${l.index}|${field}|${observed}`;
      if (reported.has(once)) return;
      reported.add(once);
      reportFinding(report, { subject: `rule ${l.index} of ${l.group ? `security group ${l.group}` : l.host}`, observed, expected, urn: l.urn, location: `inputs.rules[${l.index}].${field}` });
    };
    for (const l of declaredRules(resources, view.model)) {
      const { rule } = l;
      if (rule.action !== "ACCEPT") continue;
      const flowId = (rule.comment ?? "").split(":")[0];
      const flow = flows.get(flowId);
      if (!flow) fail(l, `comment ${JSON.stringify(rule.comment ?? "")}`, "a comment starting with the id of an intended flow", "comment");
      if (typeof rule.pos !== "number" || rule.pos !== l.index) fail(l, `position ${String(rule.pos)}`, `the explicit position ${l.index}`, "pos");
      if (!rule.proto) fail(l, "any protocol", "the flow's protocol", "proto");
      else if ((rule.proto === "tcp" || rule.proto === "udp") && !rule.dport) fail(l, `${rule.proto} to any port`, "the flow's ports", "dport");
      const outbound = rule.type === "out";
      const ref = outbound ? rule.dest : rule.source;
      const field = outbound ? "dest" : "source";
      const set = ref?.startsWith("+") ? sets.get(ref.slice(1)) : undefined;
      if (!ref) fail(l, `any ${outbound ? "destination" : "source"}`, "a named IP set", field);
      else if (!set) fail(l, `${field} ${ref}`, "a declared cluster IP set (+name)", field);
      else if (!outbound && set.members.some((m) => ANY.has(m)) && !(flow?.source.kind === "zone" && flow.source.zone === "mobiles")) {
        fail(l, `${field} ${ref} holds ${set.members.filter((m) => ANY.has(m)).join(", ")}`, "the internet as a source only for the mobiles' VPN flows", field);
      }
      // A host inherits its tier's security group: the same flow twice on one host is a duplicate opening.
      const key = `${l.host}|${rule.type ?? "in"}|${flowId}`;
      if (flow && seen.has(key)) fail(l, `a second rule for flow ${flowId} on ${l.host}`, "one opening per flow", "comment");
      seen.add(key);
    }
  });
}
