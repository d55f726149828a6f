import { parseCidr } from "../../components/model/addresses";
import { formatRange, type PortRanges } from "../../components/network/firewall/port-spec";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredOpenings, type DeclaredOpening } from "./declared-firewall";

const IPV4_MEMBER = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** Who is outside: the internet (where the mobiles are) or the VPN clients once their tunnel is up. */
type Outsider = "internet" | "vpnClients";

/**
 * What the design lets each outsider reach, and nothing else: the mobiles (the internet) only the VPN
 * concentrator's IKE and NAT-T, the VPN clients only the load balancer's HTTPS. Fixed here, from the seed
 * design: the spec cannot widen it (an extra flow in the spec is still a violation here).
 */
export const REMOTE_ENTRY_POINTS: Readonly<Record<Outsider, { tier: string; protocol: "tcp" | "udp"; ports: number[]; what: string }>> = {
  internet: { tier: "vpn", protocol: "udp", ports: [500, 4500], what: "the VPN concentrator's IKE and NAT-T (udp/500, udp/4500)" },
  vpnClients: { tier: "loadBalancer", protocol: "tcp", ports: [443], what: "the load balancer's HTTPS (tcp/443)" },
};

/** A /8 or wider that is not the private 10/8 stands for the internet (0.0.0.0/0, 0.0.0.0/1, 8.0.0.0/8). */
function internetWide(member: string): boolean {
  if (!IPV4_MEMBER.test(member) || !member.includes("/")) return false;
  const prefix = Number(member.split("/")[1]);
  return prefix <= 8 && !member.startsWith("10.");
}

function overlaps(member: string, cidr: string): boolean {
  if (!IPV4_MEMBER.test(member)) return false;
  const a = parseCidr(member.includes("/") ? member : `${member}/32`);
  const b = parseCidr(cidr);
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

function outsiderOf(member: string, pool: string): Outsider | undefined {
  if (internetWide(member)) return "internet";
  return overlaps(member, pool) ? "vpnClients" : undefined;
}

/** The parts of the opening's ports outside the allowed ports (all of them for an unreadable field). */
function portsBeyond(ranges: PortRanges, allowed: number[]): PortRanges {
  return ranges.flatMap(([low, high]) => {
    const out: PortRanges = [];
    let from = low;
    for (const p of [...allowed].sort((x, y) => x - y)) {
      if (p < from || p > high) continue;
      if (p > from) out.push([from, p - 1]);
      from = p + 1;
    }
    if (from <= high) out.push([from, high]);
    return out;
  });
}

function violation(o: DeclaredOpening, outsider: Outsider, tierOf: (host: string) => string | undefined): string | undefined {
  const entry = REMOTE_ENTRY_POINTS[outsider];
  if (tierOf(o.host) !== entry.tier) return `${o.protocol || "any protocol"}${o.portField ? `/${o.portField}` : ""} on a host that is not ${entry.tier}`;
  if (o.protocol !== entry.protocol) return `${o.protocol || "any protocol"} instead of ${entry.protocol}`;
  if (o.ports.unreadable.length) return `port field ${JSON.stringify(o.portField)} it cannot read`;
  const beyond = portsBeyond(o.ports.ranges, entry.ports);
  return beyond.length ? `${entry.protocol}/${beyond.map(formatRange).join(",")} beyond ${entry.ports.join(", ")}` : undefined;
}

/**
 * From outside, only the design's entry points: every inbound accepting rule of every rule set the stack
 * delivers (VMs, nodes, security groups, the QDevice's nftables) whose source holds the internet (a /8 or
 * wider outside 10/8) or any part of the VPN client pool is checked against REMOTE_ENTRY_POINTS, with its
 * ports read as ranges. A rule from the VPN clients to the database, or from the internet to anything but
 * the VPN concentrator's IKE/NAT-T, fails whatever the spec's flows say.
 */
export function remoteAccessLimitedPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "remote-access-limited",
    description: "The internet reaches only the VPN concentrator's IKE and NAT-T, and the VPN clients only the load balancer's HTTPS, in every rule set the stack delivers.",
    requirements: ["IBAC-NET-007"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const pool = view.spec.networks.vpnClients.cidr;
    const tierOf = (host: string): string | undefined => view.model.vms.find((vm) => vm.name === host)?.tier;
    const reported = new Set<string>();
    for (const o of declaredOpenings(resources, view.model)) {
      if (o.direction !== "in") continue;
      const byOutsider = new Map<Outsider, string[]>();
      for (const m of o.peer.members) {
        const outsider = outsiderOf(m, pool);
        if (outsider) byOutsider.set(outsider, [...(byOutsider.get(outsider) ?? []), m]);
      }
      for (const [outsider, members] of byOutsider) {
        const wrong = violation(o, outsider, tierOf);
        const once = `${o.host}|${o.urn}|${o.location}|${outsider}`;
        if (!wrong || reported.has(once)) continue;
        reported.add(once);
        reportFinding(report, {
          subject: `${outsider === "internet" ? "the internet" : "the VPN clients"} to ${o.host}`,
          observed: `allowed from ${o.peer.name} (${members.join(", ")}): ${wrong}`,
          expected: `${outsider === "internet" ? "the internet" : `the VPN clients (${pool})`} reach only ${REMOTE_ENTRY_POINTS[outsider].what}`,
          urn: o.urn,
          location: o.location,
        });
      }
    }
  });
}
