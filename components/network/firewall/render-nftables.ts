import type { AddressSet } from "./address-sets";
import type { FirewallPlan, FirewallRule, HostFirewall } from "./rules";

/** The nftables table every rendered ruleset owns (and replaces as a whole on each load). */
export const NFT_TABLE = "ibac";

/** nftables refuses a rule comment longer than this (NFT_USERDATA_MAXLEN). */
export const NFT_COMMENT_MAX = 128;

const IPV4_MEMBER = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** A comment nft accepts: one line, no double quote, at most 128 bytes. */
function nftComment(text: string): string {
  const clean = text.replace(/[\r\n"\\]/g, " ");
  let out = "";
  for (const ch of clean) {
    if (Buffer.byteLength(out + ch, "utf8") > NFT_COMMENT_MAX) break;
    out += ch;
  }
  return out;
}

/** A `#` line of the file (nft ignores the rest of the line after `#`). */
function fileComment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, " ")}`;
}

/** The nft match for one rule's protocol and ports (`5404:5405` becomes the nft range `5404-5405`). */
function protocolMatch(rule: Pick<FirewallRule, "protocol" | "ports">): string {
  switch (rule.protocol) {
    case "tcp":
    case "udp":
      return rule.ports ? `${rule.protocol} dport ${rule.ports.replace(":", "-")}` : `meta l4proto ${rule.protocol}`;
    case "esp":
      return "meta l4proto esp";
    case "vrrp":
      // By number: the name needs /etc/protocols (netbase), which a minimal image may lack. 112 = VRRP.
      return "ip protocol 112";
  }
}

/** The members nft can match (IPv4 addresses and CIDRs) and those it cannot (`dns:` names and anything else). */
function splitMembers(set: AddressSet): { matchable: string[]; skipped: string[] } {
  const matchable = set.members.filter((m) => IPV4_MEMBER.test(m));
  return { matchable, skipped: set.members.filter((m) => !IPV4_MEMBER.test(m)) };
}

function renderSet(set: AddressSet): string[] {
  const { matchable, skipped } = splitMembers(set);
  const lines = [`\t${fileComment(set.description)}`];
  for (const member of skipped) lines.push(`\t${fileComment(`skipped member ${member}: nft matches addresses, not names`)}`);
  lines.push(`\tset ${set.name} {`, "\t\ttype ipv4_addr", "\t\tflags interval", "\t\tauto-merge");
  if (matchable.length > 0) lines.push(`\t\telements = { ${matchable.join(", ")} }`);
  else lines.push(`\t\t${fileComment("no member nft can match: the rules using this set match nothing")}`);
  lines.push("\t}");
  return lines;
}

/**
 * The complete nftables ruleset of one host: `table inet ibac` with one named IPv4 interval set per source
 * set the host's rules use, and an `input` chain with `policy drop` that accepts, in this order, established
 * and related traffic (replies, and the ICMP errors that belong to a connection, which path MTU discovery
 * needs), loopback, drops invalid packets, then the host's rules in position order, each commented with its
 * flow id (the full `<flow id>: <purpose>` is a `#` line above it).
 *
 * ICMP echo-request is NOT accepted: no flow asks for it, and a rule that no flow stands for would be an
 * opening the reachability analysis (`allowedOpenings`) cannot see. A ping check would be a flow first.
 * IPv6 is dropped apart from established/loopback: the platform's addresses are IPv4 only. Under the spec's
 * outbound ACCEPT there is no output chain; under DROP an `output` chain with `policy drop` accepts
 * established traffic, loopback and the host's outbound rules (one per flow it is a source of).
 *
 * The file starts with `table inet ibac` + `delete table inet ibac`, so loading it (`nft -f`) atomically
 * replaces the previous version of the table, whether or not one exists, and touches no other table.
 * Members nft cannot match (a `dns:` relay name) are left out of their set, with a comment saying so.
 */
export function renderNftables(host: HostFirewall, sets: readonly AddressSet[]): string {
  const byName = new Map(sets.map((s) => [s.name, s]));
  const rules = [...host.rules].sort((a, b) => a.position - b.position);
  const outbound = [...host.outbound].sort((a, b) => a.position - b.position);
  const used = [...new Set([...rules.map((r) => r.source), ...outbound.map((r) => r.destination)])];
  for (const name of used) {
    if (!byName.has(name)) throw new Error(`${host.host}: rule address set ${name} is not a known address set`);
  }
  const lines = [
    "#!/usr/sbin/nft -f",
    fileComment(`iBac firewall of ${host.host} (${host.kind}, ${host.addresses.join(", ")}): inbound default ${host.defaultInbound}, outbound default ${host.defaultOutbound}.`),
    fileComment("Rendered from the flow list; do not edit on the host."),
    `table inet ${NFT_TABLE}`,
    `delete table inet ${NFT_TABLE}`,
    "",
    `table inet ${NFT_TABLE} {`,
  ];
  for (const name of used.sort()) {
    const set = byName.get(name);
    if (set) lines.push(...renderSet(set), "");
  }
  lines.push(
    "\tchain input {",
    "\t\ttype filter hook input priority filter; policy drop;",
    "\t\tct state established,related accept",
    '\t\tiif "lo" accept',
    "\t\tct state invalid drop",
  );
  for (const rule of rules) {
    lines.push(`\t\t${fileComment(`${rule.position} ${rule.comment}`)}`);
    lines.push(`\t\tip saddr @${rule.source} ${protocolMatch(rule)} accept comment "${nftComment(rule.flowId)}"`);
  }
  lines.push("\t}");
  if (host.defaultOutbound === "DROP") {
    lines.push(
      "",
      "\tchain output {",
      "\t\ttype filter hook output priority filter; policy drop;",
      "\t\tct state established,related accept",
      '\t\toif "lo" accept',
    );
    for (const rule of outbound) {
      lines.push(`\t\t${fileComment(`out ${rule.position} ${rule.comment}`)}`);
      lines.push(`\t\tip daddr @${rule.destination} ${protocolMatch(rule)} accept comment "${nftComment(rule.flowId)}"`);
    }
    lines.push("\t}");
  }
  lines.push("}", "");
  return lines.join("\n");
}

/** Every host's ruleset, by host name, in the plan's host order. */
export function renderNftablesForPlan(plan: FirewallPlan): Map<string, string> {
  return new Map(plan.hosts.map((h) => [h.host, renderNftables(h, plan.sets)]));
}
