import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../model/build";
import { STACKS, stackSpec } from "../../../test/fixtures/specs";
import { describeRun, type ToolResult } from "../../../test/support/require-tool";
import { createNftNetns, type NftNetns } from "../../../test/lab/nft-netns";
import { renderFirewallPlan, type FirewallPlan, type HostFirewall } from "./rules";
import { NFT_COMMENT_MAX, renderNftables, renderNftablesForPlan } from "./render-nftables";

function planOf(stack: string): FirewallPlan {
  const spec = stackSpec(stack);
  const { model } = buildModel(spec);
  if (!model) throw new Error(`${stack}: no model`);
  return renderFirewallPlan(model, spec);
}

function hostOf(plan: FirewallPlan, name: string): HostFirewall {
  const host = plan.hosts.find((h) => h.host === name);
  if (!host) throw new Error(`no host ${name}`);
  return host;
}

/** The `comment "..."` of every rule line, in file order. */
const ruleComments = (text: string): string[] => [...text.matchAll(/ accept comment "([^"]*)"$/gm)].map((m) => m[1]);

describe("renderNftables (pure)", () => {
  it("renders the rules in position order, whatever order the plan lists them in, each with its flow id", () => {
    const host = structuredClone(hostOf(planOf("prod"), "db-1"));
    const inOrder = host.rules.map((r) => r.flowId);
    expect(inOrder.length).toBeGreaterThan(3);
    host.rules.reverse();
    const text = renderNftables(host, planOf("prod").sets);
    expect(ruleComments(text)).toEqual(inOrder);
    expect(text).toContain('ip saddr @tier-api tcp dport 3306 accept comment "api-to-database-mysql"');
    expect(text).toContain("# 0 api-to-database-mysql: ");
  });

  it("opens the stateful preamble before any host rule, with policy drop and no ICMP echo", () => {
    const text = renderNftables(hostOf(planOf("prod"), "api-1"), planOf("prod").sets);
    const at = (needle: string): number => text.indexOf(needle);
    expect(at("policy drop;")).toBeGreaterThan(0);
    expect(at("ct state established,related accept")).toBeGreaterThan(at("policy drop;"));
    expect(at('iif "lo" accept')).toBeGreaterThan(at("ct state established,related accept"));
    expect(at("ct state invalid drop")).toBeGreaterThan(at('iif "lo" accept'));
    expect(at("ip saddr @")).toBeGreaterThan(at("ct state invalid drop"));
    expect(text).not.toMatch(/icmp|echo-request/);
  });

  it("declares exactly the sets the host's rules use", () => {
    const plan = planOf("prod");
    const text = renderNftables(hostOf(plan, "lb-1"), plan.sets);
    expect([...text.matchAll(/^\tset (\S+) \{$/gm)].map((m) => m[1])).toEqual(["tier-loadBalancer", "tier-monitoring", "zone-admin", "zone-vpnClients"]);
  });

  it("turns port ranges into nft ranges, esp into meta l4proto, vrrp into IP protocol 112", () => {
    const plan = planOf("prod");
    expect(renderNftables(hostOf(plan, "pve1"), plan.sets)).toContain("udp dport 5404-5405 accept");
    expect(renderNftables(hostOf(plan, "lb-1"), plan.sets)).toContain("ip saddr @tier-loadBalancer ip protocol 112 accept");
    const host = structuredClone(hostOf(plan, "vpn-1"));
    host.rules = [{ ...host.rules[0], protocol: "esp", ports: "", flowId: "esp-test" }];
    expect(renderNftables(host, plan.sets)).toContain('ip saddr @zone-mobiles meta l4proto esp accept comment "esp-test"');
  });

  it("leaves out members nft cannot match, saying so", () => {
    const plan = planOf("prod");
    const host = structuredClone(hostOf(plan, "api-1"));
    host.rules = [{ ...host.rules[0], source: "zone-smtpRelay", flowId: "relay" }];
    const text = renderNftables(host, plan.sets);
    expect(text).toContain("# skipped member dns:relay.rik.ee");
    expect(text).not.toMatch(/elements = \{[^}]*dns:/);
  });

  it("refuses a rule whose source is not a known set", () => {
    const plan = planOf("prod");
    const host = structuredClone(hostOf(plan, "api-1"));
    host.rules[0].source = "zone-nowhere";
    expect(() => renderNftables(host, plan.sets)).toThrow(/api-1: rule address set zone-nowhere is not a known address set/);
  });

  it("renders one ruleset per host of the plan", () => {
    const plan = planOf("prod");
    const all = renderNftablesForPlan(plan);
    expect([...all.keys()]).toEqual(plan.hosts.map((h) => h.host));
    expect(all.get("qdev1")).toContain('tcp dport 5403 accept comment "nodes-to-qdevice"');
  });
});

describe("renderNftables output checked by the real nft (inside a throwaway network namespace)", () => {
  let lab: NftNetns | undefined;
  beforeAll(() => {
    lab = createNftNetns("inftc");
  });
  afterAll(() => lab?.remove());

  const requireLab = (): NftNetns => {
    if (!lab) throw new Error("no nft namespace");
    return lab;
  };
  /** `nft ARGS -f FILE` in the throwaway namespace, never in the root namespace. */
  const nftIn = (args: string[], text: string, name: string): ToolResult => requireLab().nftFile(args, text, name);

  it.each(STACKS)("%s: every host's ruleset passes nft -c", (stack) => {
    const rulesets = renderNftablesForPlan(planOf(stack));
    expect(rulesets.size).toBeGreaterThanOrEqual(19);
    const failures: string[] = [];
    for (const [host, text] of rulesets) {
      const check = nftIn(["-c"], text, `${stack}-${host}`);
      if (check.status !== 0) failures.push(describeRun(check));
    }
    expect(failures).toEqual([]);
  });

  it("the check can fail: a broken ruleset (unknown set, bad range) is rejected", () => {
    const plan = planOf("prod");
    const good = renderNftables(hostOf(plan, "pve1"), plan.sets);
    const unknownSet = nftIn(["-c"], good.replace("@zone-admin", "@zone-nowhere"), "broken-set");
    expect(unknownSet.status, describeRun(unknownSet)).not.toBe(0);
    expect(unknownSet.stderr).toMatch(/zone-nowhere/);
    const badRange = nftIn(["-c"], good.replace("5404-5405", "5405-5404"), "broken-range");
    expect(badRange.status, describeRun(badRange)).not.toBe(0);
  });

  it("synthetic edge cases pass nft -c: esp, a name-only set, a flow id longer than 128 bytes", () => {
    const plan = planOf("prod");
    const host = structuredClone(hostOf(plan, "vpn-1"));
    const longId = `x${"-very-long-flow-id".repeat(12)}"quoted"`;
    host.rules = [
      { ...host.rules[0], position: 0, protocol: "esp", ports: "", flowId: "esp-from-anywhere" },
      { ...host.rules[0], position: 1, source: "zone-smtpRelay", protocol: "tcp", ports: "25", flowId: "relay-name-only" },
      { ...host.rules[0], position: 2, protocol: "udp", ports: "", flowId: longId },
    ];
    const text = renderNftables(host, plan.sets);
    const comments = ruleComments(text);
    expect(comments[2].length).toBe(NFT_COMMENT_MAX);
    expect(comments[2]).not.toContain('"');
    const check = nftIn(["-c"], text, "edge");
    expect(check.status, describeRun(check)).toBe(0);
    // The untruncated comment is what nft would refuse: proof the truncation matters.
    const tooLong = nftIn(["-c"], text.replace(`"${comments[2]}"`, `"${comments[2]}xyz"`), "edge-too-long");
    expect(tooLong.status, describeRun(tooLong)).not.toBe(0);
  });

  it("loads (twice: the file replaces its own table) and lists back the rules in position order", () => {
    const plan = planOf("prod");
    const host = hostOf(plan, "db-1");
    const text = renderNftables(host, plan.sets);
    for (const round of [1, 2]) {
      const load = nftIn([], text, `load-${round}`);
      expect(load.status, describeRun(load)).toBe(0);
    }
    const listed = requireLab().nft(["list", "table", "inet", "ibac"]);
    expect(listed.status, describeRun(listed)).toBe(0);
    expect([...listed.stdout.matchAll(/comment "([^"]*)"/g)].map((m) => m[1])).toEqual(host.rules.map((r) => r.flowId));
    expect(listed.stdout.match(/chain input/g)).toHaveLength(1);
  });
});
