// What a firewall rule's port field means, whatever its spelling: Proxmox's `dport` (a port, `low:high`, a
// comma list of those, service names from /etc/services, leading zeros) and nftables' (`low-high`, `{ a, b }`).
// Policies compare ports through this, so that `20:25`, `0022`, `22,8006` or `ssh` are the port 22 they contain.

/** The highest port; port 0 is not a port a rule can open. */
export const MAX_PORT = 65535;

/**
 * A rule whose ports cover more than this share of the 65535 ports is allow-any: `1:65535`, `2:65535` and
 * `1024:65535` (98.4%) are; `60000:65535` (8.5%) is not. The bound counts ports, whichever they are.
 */
export const ALLOW_ANY_SHARE = 0.9;

/**
 * The /etc/services names (Debian's netbase) that Proxmox resolves in a rule's dport and that touch what the
 * platform serves. An unknown name is reported as unreadable, never guessed.
 */
export const SERVICE_PORTS: Readonly<Record<string, number>> = {
  ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, ntp: 123, https: 443, submission: 587, ldap: 389,
  ldaps: 636, imaps: 993, mysql: 3306, postgresql: 5432, nrpe: 5666, "bacula-dir": 9101, "bacula-fd": 9102,
  "bacula-sd": 9103, isakmp: 500, "ipsec-nat-t": 4500, rsync: 873,
};

/**
 * Proxmox firewall macros (`pve-firewall` `macro`: a rule may name one instead of proto and dport) that
 * open what the platform serves, with what they open. An unknown macro is reported as unreadable.
 */
export const PROXMOX_MACROS: Readonly<Record<string, { protocol: "tcp" | "udp"; ports: string }>> = {
  SSH: { protocol: "tcp", ports: "22" }, HTTP: { protocol: "tcp", ports: "80" }, HTTPS: { protocol: "tcp", ports: "443" },
  MySQL: { protocol: "tcp", ports: "3306" }, SMTP: { protocol: "tcp", ports: "25" }, NTP: { protocol: "udp", ports: "123" },
  Telnet: { protocol: "tcp", ports: "23" }, Web: { protocol: "tcp", ports: "80,443" }, PostgreSQL: { protocol: "tcp", ports: "5432" },
};

/** Inclusive port ranges, sorted and merged. */
export type PortRanges = [number, number][];

export interface ParsedPorts {
  ranges: PortRanges;
  /** Parts that are neither a port, a range nor a known service name: the rule's meaning is unknown. */
  unreadable: string[];
}

/** Sorted, with overlapping and touching ranges merged. */
export function mergeRanges(ranges: PortRanges): PortRanges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: PortRanges = [];
  for (const [low, high] of sorted) {
    const last = out[out.length - 1];
    if (last && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else out.push([low, high]);
  }
  return out;
}

function portOf(token: string): number | undefined {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= 1 && n <= MAX_PORT ? n : undefined;
  }
  return SERVICE_PORTS[token.toLowerCase()];
}

/**
 * The ports a rule's port field opens. Empty (no dport) is every port. `low:high` and `low-high` are
 * ranges (a reversed range is unreadable, as Proxmox refuses it); commas and nft's `{ }` separate parts.
 */
export function parsePorts(spec: string | undefined): ParsedPorts {
  const text = (spec ?? "").trim();
  if (text === "") return { ranges: [[1, MAX_PORT]], unreadable: [] };
  const ranges: PortRanges = [];
  const unreadable: string[] = [];
  for (const raw of text.replace(/^\{|\}$/g, "").split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const bounds = part.split(/[:-]/);
    const [low, high] = bounds.length === 2 ? [portOf(bounds[0].trim()), portOf(bounds[1].trim())] : [portOf(part), portOf(part)];
    if (bounds.length > 2 || low === undefined || high === undefined || low > high) unreadable.push(part);
    else ranges.push([low, high]);
  }
  if (ranges.length === 0 && unreadable.length === 0) unreadable.push(text);
  return { ranges: mergeRanges(ranges), unreadable };
}

/** How many ports the ranges cover. */
export function portCount(ranges: PortRanges): number {
  return ranges.reduce((n, [low, high]) => n + high - low + 1, 0);
}

/** Whether the ranges include the port. */
export function includesPort(ranges: PortRanges, port: number): boolean {
  return ranges.some(([low, high]) => low <= port && port <= high);
}

/** Whether the ranges are allow-any: more than ALLOW_ANY_SHARE of all ports. */
export function isNearlyAllPorts(ranges: PortRanges): boolean {
  return portCount(ranges) > ALLOW_ANY_SHARE * MAX_PORT;
}

/** One range in the toolkit's canonical spelling: `22` or `5404:5405`. */
export function formatRange([low, high]: [number, number]): string {
  return low === high ? String(low) : `${low}:${high}`;
}
