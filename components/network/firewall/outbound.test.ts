import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../model/build";
import type { PlatformModel } from "../../model/types";
import type { PlatformSpec } from "../../spec/schema";
import { stackSpec } from "../../../test/fixtures/specs";
import { describeRun } from "../../../test/support/require-tool";
import { createNftNetns, type NftNetns } from "../../../test/lab/nft-netns";
import { renderFirewallPlan, type FirewallPlan, type HostFirewall } from "./rules";
import { analyzeReachability } from "./reachability";
import { renderNftables, renderNftablesForPlan } from "./render-nftables";

function prodWith(outboundPolicy?: "ACCEPT" | "DROP"): { spec: PlatformSpec; model: PlatformModel; plan: FirewallPlan } {
  const spec: PlatformSpec = { ...stackSpec("prod"), ...(outboundPolicy ? { firewall: { outboundPolicy } } : {}) };
  const { model } = buildModel(spec);
  if (!model) throw new Error("no model");
  return { spec, model, plan: renderFirewallPlan(model, spec) };
}

const host = (plan: FirewallPlan, name: string): HostFirewall => {
  const h = plan.hosts.find((x) => x.host === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
};

describe("outbound policy from the spec (firewall.outboundPolicy, pure)", () => {
  it("defaults to ACCEPT with no outbound rules and no output chain", () => {
    const { plan } = prodWith();
    for (const h of plan.hosts) {
      expect(h.defaultOutbound).toBe("ACCEPT");
      expect(h.outbound).toEqual([]);
    }
    expect(renderNftables(host(plan, "db-1"), plan.sets)).not.toContain("chain output");
  });

  it("under DROP gives every source host one outbound rule per flow it sends, in flow order", () => {
    const { plan, model } = prodWith("DROP");
    const replica = host(plan, "db-2");
    expect(replica.defaultOutbound).toBe("DROP");
    expect(replica.outbound).toContainEqual(expect.objectContaining({ destination: "tier-database-primary", protocol: "tcp", ports: "3306" }));
    const api = host(plan, "api-1");
    expect(api.outbound.map((r) => r.destination)).toContain("tier-database");
    // The flows that leave the platform (NAS, relay, NTP) are exactly what outbound rules exist for.
    const relay = model.flows.find((f) => f.destination.kind === "zone" && f.destination.zone === "smtpRelay");
    expect(relay).toBeDefined();
    expect(host(plan, "mon-1").outbound.map((r) => r.flowId)).toContain(relay?.id);
    for (const h of plan.hosts) h.outbound.forEach((r, i) => expect(r.position).toBe(i));
    // A zone outside the platform (the mobiles) has no host to filter: no outbound rule anywhere for it.
    expect(plan.hosts.flatMap((h) => h.outbound).filter((r) => r.flowId.startsWith("mobiles-"))).toEqual([]);
  });

  it("under DROP the analysis finds no outbound difference, and reports a missing outbound rule as blocked", () => {
    const { spec, model, plan } = prodWith("DROP");
    const clean = analyzeReachability(model, spec, plan);
    expect(clean.outboundBlocked).toEqual([]);
    expect(clean.outboundUnintended).toEqual([]);
    const replica = host(plan, "db-2");
    const dropped = replica.outbound.find((r) => r.destination === "tier-database-primary");
    replica.outbound = replica.outbound.filter((r) => r !== dropped);
    const broken = analyzeReachability(model, spec, plan);
    expect(broken.outboundBlocked).toEqual([{ host: "db-2", destination: "tier-database-primary", protocol: "tcp", ports: "3306", flowId: dropped?.flowId }]);
  });

  it("reports an outbound rule no flow of its host stands for", () => {
    const { spec, model, plan } = prodWith("DROP");
    host(plan, "lb-1").outbound.push({ position: 99, action: "ACCEPT", protocol: "tcp", ports: "3306", destination: "tier-database", flowId: "made-up", comment: "made-up" });
    expect(analyzeReachability(model, spec, plan).outboundUnintended).toEqual([{ host: "lb-1", destination: "tier-database", protocol: "tcp", ports: "3306", flowId: "made-up" }]);
  });
});

describe("outbound DROP rulesets checked by the real nft (inside a throwaway network namespace)", () => {
  let lab: NftNetns | undefined;
  beforeAll(() => {
    lab = createNftNetns("infto");
  });
  afterAll(() => lab?.remove());

  it("every host's DROP ruleset passes nft -c and loads with an output chain of policy drop", () => {
    if (!lab) throw new Error("no nft namespace");
    const { plan } = prodWith("DROP");
    const rulesets = renderNftablesForPlan(plan);
    const failures: string[] = [];
    for (const [name, text] of rulesets) {
      const check = lab.nftFile(["-c"], text, name);
      if (check.status !== 0) failures.push(describeRun(check));
    }
    expect(failures).toEqual([]);
    const load = lab.nftFile([], rulesets.get("db-2") ?? "", "db-2");
    expect(load.status, describeRun(load)).toBe(0);
    const listed = lab.nft(["list", "chain", "inet", "ibac", "output"]);
    expect(listed.stdout).toMatch(/hook output priority filter; policy drop;/);
    expect(listed.stdout).toMatch(/ip daddr @tier-database-primary tcp dport 3306 accept/);
  });
});
