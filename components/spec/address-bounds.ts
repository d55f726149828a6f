// What the platform's addresses and networks may be, beyond their syntax (the schema's pattern): a CIDR is
// written as its network address, the platform's own networks are private and at most a /16, the admin
// network (the source of every SSH and Proxmox-GUI opening) is private RFC 1918 space, host addresses are
// unicast. The bounds are documented in docs/design.md ("Field checks at the spec").
import type { PlatformSpec } from "./schema";
import type { FieldProblem } from "./errors";
import type { FieldPath } from "../input/input-error";
import { formatSubnet, ipv4ToInt, parseCidr, subnetContains, type Ipv4Subnet } from "../model/addresses";

/** RFC 1918 private space: the admin network must be inside it. */
export const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;
/** Where the platform's own networks and hosts may be: RFC 1918 and RFC 6598 shared space (CGNAT-style internal use). */
export const PLATFORM_SPACE = [...RFC1918, "100.64.0.0/10"] as const;
/** The widest network that still is "a limited set of hosts": 65,536 addresses. */
export const WIDEST_PREFIX = 16;

const NETWORK_ROLES = ["management", "cluster", "service", "storage", "admin", "vpnClients"] as const;

/** Special-use ranges no host of the platform (or peer of it) can have (RFC 6890). */
const NOT_A_HOST: readonly [string, string][] = [
  ["0.0.0.0/8", "\"this network\""],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved, broadcast included"],
];

const inside = (subnet: Ipv4Subnet, space: readonly string[]): boolean =>
  space.some((s) => {
    const outer = parseCidr(s);
    return subnet.network >= outer.network && subnet.network + subnet.size <= outer.network + outer.size;
  });

const spaceText = (space: readonly string[]): string => `${space.slice(0, -1).join(", ")} or ${space[space.length - 1]}`;

/** The problem of a CIDR whose host bits are set (10.20.2.5/24 for 10.20.2.0/24), or undefined. */
export function hostBitsProblem(cidr: string, path: FieldPath): FieldProblem | undefined {
  const canonical = formatSubnet(parseCidr(cidr));
  if (canonical === cidr) return undefined;
  return { path, detail: `expected a network address with the host bits clear (${canonical}), found ${cidr}` };
}

function widthProblem(cidr: string, path: FieldPath, why: string): FieldProblem | undefined {
  const subnet = parseCidr(cidr);
  if (subnet.prefix >= WIDEST_PREFIX) return undefined;
  return { path, detail: `expected a network of /${WIDEST_PREFIX} or longer (${why}), found ${cidr} (${subnet.size} addresses)` };
}

/** The problem of an address in a special-use range, or undefined. */
export function notAHostProblem(address: string, path: FieldPath): FieldProblem | undefined {
  const hit = NOT_A_HOST.find(([range]) => subnetContains(parseCidr(range), address));
  return hit ? { path, detail: `expected a unicast host address, found ${address} (${hit[1]}, ${hit[0]})` } : undefined;
}

/** Every address and network field of the spec, held to its meaning. */
export function addressBoundProblems(spec: PlatformSpec): FieldProblem[] {
  const problems: (FieldProblem | undefined)[] = [];

  for (const role of NETWORK_ROLES) {
    const { cidr, gateway } = spec.networks[role];
    const path: FieldPath = ["networks", role, "cidr"];
    const subnet = parseCidr(cidr);
    const hostBits = hostBitsProblem(cidr, path);
    if (hostBits) {
      problems.push(hostBits);
      continue;
    }
    const space = role === "admin" ? RFC1918 : PLATFORM_SPACE;
    if (!inside(subnet, space)) {
      const why = role === "admin" ? "the admin network reaches every SSH and Proxmox GUI port" : "the platform's own networks are not routed on the internet";
      problems.push({ path, detail: `expected a private network inside ${spaceText(space)} (${why}), found ${cidr}` });
    } else {
      problems.push(widthProblem(cidr, path, role === "admin" ? "the admin network is a limited set of hosts" : "at most 65,536 addresses"));
    }
    if (gateway && subnetContains(subnet, gateway)) problems.push(networkOrBroadcast(subnet, gateway, ["networks", role, "gateway"]));
  }

  spec.vpn.siteTunnel.remoteSubnets.forEach((cidr, i) => {
    const path: FieldPath = ["vpn", "siteTunnel", "remoteSubnets", i];
    const hostBits = hostBitsProblem(cidr, path);
    if (hostBits) return problems.push(hostBits);
    const special = NOT_A_HOST.find(([range]) => {
      const r = parseCidr(range);
      const s = parseCidr(cidr);
      return s.network < r.network + r.size && r.network < s.network + s.size;
    });
    if (special) return problems.push({ path, detail: `expected a network of hosts, found ${cidr}, which overlaps ${special[0]} (${special[1]})` });
    problems.push(widthProblem(cidr, path, "the statistics site is a limited set of hosts, each allowed through the tunnel"));
  });

  const management = parseCidr(spec.networks.management.cidr);
  spec.proxmox.nodes.forEach((node, i) => {
    const path: FieldPath = ["proxmox", "nodes", i, "address"];
    problems.push(privateAddressProblem(node.address, path));
    if (subnetContains(management, node.address)) problems.push(networkOrBroadcast(management, node.address, path));
  });
  if (spec.proxmox.qdevice) problems.push(privateAddressProblem(spec.proxmox.qdevice.address, ["proxmox", "qdevice", "address"]));

  // Hosts outside the platform may be anywhere, but they are hosts.
  spec.site.dnsServers.forEach((a, i) => problems.push(notAHostProblem(a, ["site", "dnsServers", i])));
  spec.site.ntpServers.forEach((a, i) => problems.push(notAHostProblem(a, ["site", "ntpServers", i])));
  problems.push(notAHostProblem(spec.vpn.siteTunnel.peerAddress, ["vpn", "siteTunnel", "peerAddress"]));
  problems.push(notAHostProblem(spec.backupPolicy.offsite.nasAddress, ["backupPolicy", "offsite", "nasAddress"]));
  const relay = spec.notifications.smtpRelay.host;
  if (/^[0-9.]+$/.test(relay)) problems.push(notAHostProblem(relay, ["notifications", "smtpRelay", "host"]));
  return problems.filter((p): p is FieldProblem => p !== undefined);
}

function privateAddressProblem(address: string, path: FieldPath): FieldProblem | undefined {
  const special = notAHostProblem(address, path);
  if (special) return special;
  if (inside(parseCidr(`${address}/32`), PLATFORM_SPACE)) return undefined;
  return { path, detail: `expected a private address inside ${spaceText(PLATFORM_SPACE)}, found ${address}` };
}

function networkOrBroadcast(subnet: Ipv4Subnet, address: string, path: FieldPath): FieldProblem | undefined {
  if (subnet.size < 4) return undefined; // /31 and /32 have no network or broadcast address (RFC 3021)
  const value = ipv4ToInt(address);
  const which = value === subnet.network ? "network" : value === subnet.network + subnet.size - 1 ? "broadcast" : undefined;
  if (!which) return undefined;
  return { path, detail: `expected a host address of ${formatSubnet(subnet)}, found ${address}, its ${which} address` };
}

