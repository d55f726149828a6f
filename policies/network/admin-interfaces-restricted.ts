import { parseCidr } from "../../components/model/addresses";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredRules, declaredSets } from "./declared-firewall";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

const IPV4_MEMBER = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** Whether an IP set member (address or CIDR) lies wholly inside `cidr`. */
export function memberInside(member: string, cidr: string): boolean {
  if (!IPV4_MEMBER.test(member)) return false;
  const inner = parseCidr(member.includes("/") ? member : `${member}/32`);
  const outer = parseCidr(cidr);
  return inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;
}

/** Ports of administrative interfaces: SSH, and the Proxmox GUI/API on the nodes. */
export const ADMIN_PORTS = ["22", "8006"];

/**
 * Administrative interfaces answer a limited set of hosts only: Proxmox's `management` IP set (which
 * opens the GUI and SSH on every node) holds nothing but the admin network, and every rule opening SSH
 * or 8006 has a source whose members are all inside the admin network or are the platform's own hosts.
 */
export function adminInterfacesRestrictedPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "admin-interfaces-restricted",
    description: "SSH and the Proxmox GUI/API are reachable only from the admin network (and, where a flow says so, the platform's own hosts).",
    requirements: ["IBAC-ACC-001"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const admin = view.spec.networks.admin.cidr;
    const platformHosts = new Set([
      ...view.model.vms.flatMap((vm) => vm.nics.map((n) => n.address)),
      ...view.model.nodes.flatMap((n) => [n.managementAddress, n.clusterAddress]),
    ]);
    const allowed = (member: string): boolean => platformHosts.has(member) || memberInside(member, admin);
    const management = resources.find((r) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy) && r.props.name === "management");
    const managementMembers = ((management?.props.cidrs as { name: string }[] | undefined) ?? []).map((c) => c.name);
    const outside = managementMembers.filter((m) => !memberInside(m, admin));
    if (!management) reportFinding(report, { subject: "Proxmox management IP set", observed: "not declared", expected: `the admin network ${admin} only`, urn: view.urn });
    else if (outside.length) reportFinding(report, { subject: "Proxmox management IP set", observed: outside.join(", "), expected: `members inside the admin network ${admin} only`, urn: management.urn, location: "inputs.cidrs" });
    const sets = new Map(declaredSets(resources).map((s) => [s.name, s.members]));
    for (const l of declaredRules(resources, view.model)) {
      const { rule } = l;
      if (rule.type === "out" || rule.action !== "ACCEPT" || !ADMIN_PORTS.includes(rule.dport ?? "")) continue;
      const members = rule.source?.startsWith("+") ? sets.get(rule.source.slice(1)) ?? [] : [rule.source ?? "0.0.0.0/0"];
      const strangers = members.filter((m) => !allowed(m));
      if (strangers.length) {
        reportFinding(report, {
          subject: `port ${rule.dport} on ${l.host}`,
          observed: `open to ${rule.source ?? "any source"} (${strangers.join(", ")})`,
          expected: `the admin network ${admin} or the platform's own hosts only`,
          urn: l.urn,
          location: `inputs.rules[${l.index}].source`,
        });
      }
    }
  });
}
