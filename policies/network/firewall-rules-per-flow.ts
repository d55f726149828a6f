import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredOpenings, declaredRules, declaredSets, type LocatedRule } from "./declared-firewall";
import { ALLOW_ANY_SHARE, MAX_PORT, isNearlyAllPorts, portCount } from "../../components/network/firewall/port-spec";

const ANY = new Set(["0.0.0.0/0", "::/0"]);

/**
 * Every accepting rule is one flow's opening: explicit position, protocol and (for TCP/UDP) ports, a source
 * (or, outbound, a destination) that is a declared IP set, a comment starting with the id of a flow of the
 * model, and an address set open to the whole internet only where the flow's source is the mobiles. On
 * every rule set (the QDevice's nftables too), inbound and outbound, a port field must be readable and open
 * at most ALLOW_ANY_SHARE (90%) of the ports: `1:65535` or `1024:65535` is allow-any however it is spelt.
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
    const portReported = new Set<string>();
    for (const o of declaredOpenings(resources, view.model)) {
      if (o.protocol !== "tcp" && o.protocol !== "udp") continue;
      // A Proxmox rule without dport is reported above ("to any port"); nft's `meta l4proto tcp` is not.
      if (o.portField === "" && o.hostKind !== "qdevice") continue;
      const once = `${o.urn}|${o.location}`;
      if (portReported.has(once)) continue;
      const where = o.group ? `security group ${o.group}` : o.host;
      const subject = `${o.direction === "out" ? "outbound " : ""}rule ${o.location.replace(/^inputs\.rules\[(\d+)\]$/, "$1")} of ${where}`;
      const location = o.hostKind === "qdevice" ? o.location : `${o.location}.dport`;
      if (o.ports.unreadable.length) {
        portReported.add(once);
        reportFinding(report, { subject, observed: `port field ${JSON.stringify(o.portField)}: cannot read ${o.ports.unreadable.join(", ")}`, expected: "ports, ranges low:high or service names the firewall knows", urn: o.urn, location });
      } else if (isNearlyAllPorts(o.ports.ranges)) {
        portReported.add(once);
        const count = portCount(o.ports.ranges);
        reportFinding(report, {
          subject,
          observed: `${o.protocol}/${o.portField || "any"} opens ${count} of ${MAX_PORT} ports (${(100 * count / MAX_PORT).toFixed(1)}%): allow-any`,
          expected: `the flow's ports; more than ${ALLOW_ANY_SHARE * 100}% of the ports counts as any port`,
          urn: o.urn,
          location,
        });
      }
    }
  });
}
