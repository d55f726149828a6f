import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../../spec/load";
import { TIER_NAMES } from "../../spec/schema";
import { runOfflinePlan, type OfflinePlan, type PlanResource } from "../../../cli/plan/run-offline-plan";

const projectDir = path.resolve(__dirname, "../../..");
let cached: OfflinePlan | undefined;
async function prodPlan(): Promise<OfflinePlan> {
  cached ??= await runOfflinePlan(loadStackFile(stackFilePath(projectDir, "prod")));
  return cached;
}

interface Rule { pos: number; source?: string; securityGroup?: string; dport?: string; proto?: string; comment?: string; type?: string }
const rulesOf = (r: PlanResource | undefined): Rule[] => (r?.inputs.rules as Rule[] | undefined) ?? [];

describe("PlatformFirewall in the prod program under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  it("creates one security group per tier and puts it first on every VM, positions explicit", async () => {
    const plan = await prodPlan();
    const groups = plan.resources.filter((r) => r.type === "proxmoxve:cluster/firewall/security/groupLegacy:GroupLegacy");
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(TIER_NAMES.map((t) => `ibac-${t}`).sort());
    for (const vm of plan.model.vms) {
      const rules = rulesOf(plan.resources.find((r) => r.type === "proxmoxve:firewall/rulesLegacy:RulesLegacy" && r.name.endsWith(`-${vm.name}-rules`)));
      expect(rules[0], vm.name).toMatchObject({ pos: 0, securityGroup: `ibac-${vm.tier}` });
      rules.forEach((rule, i) => expect(rule.pos).toBe(i));
    }
  });

  it("names the flow and the requirement in every rule's comment", async () => {
    const plan = await prodPlan();
    const all = plan.resources
      .filter((r) => r.type.endsWith("RulesLegacy") || r.type.endsWith("GroupLegacy"))
      .flatMap((r) => rulesOf(r))
      .filter((r) => !r.securityGroup);
    expect(all.length).toBeGreaterThan(50);
    for (const rule of all) expect(rule.comment).toMatch(/^[a-z0-9-]+: .+ \[.+\]$/);
  });

  it("opens the nodes' GUI only to the admin network and monitoring, corosync only between nodes", async () => {
    const plan = await prodPlan();
    const pve1 = rulesOf(plan.resources.find((r) => r.type === "proxmoxve:firewall/rulesLegacy:RulesLegacy" && r.name.endsWith("-pve1-rules")));
    expect(pve1.filter((r) => r.dport === "8006").map((r) => r.source).sort()).toEqual(["+tier-monitoring", "+zone-admin"]);
    expect(pve1.filter((r) => r.dport === "5404:5405").map((r) => r.source)).toEqual(["+zone-proxmoxNodes"]);
  });

  it("keeps names a firewall cannot match out of the IP sets", async () => {
    const plan = await prodPlan();
    const cidrs = plan.resources
      .filter((r) => r.type === "proxmoxve:firewall/ipsetLegacy:IpsetLegacy")
      .flatMap((r) => (r.inputs.cidrs as { name: string }[] | undefined) ?? []);
    expect(cidrs.length).toBeGreaterThan(20);
    expect(cidrs.filter((c) => c.name.startsWith("dns:"))).toEqual([]);
  });
});
