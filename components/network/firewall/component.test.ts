import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../../spec/load";
import { TIER_NAMES } from "../../spec/schema";
import { runOfflinePlan, type OfflinePlan, type PlanResource } from "../../offline-plan/run-offline-plan";
import { describeRun, requireTool, runTool } from "../../../test/support/require-tool";
import { nftablesLoadCommand, QDEVICE_NFT_FILE } from "./component";
import { RESOURCES, isResourceOf } from "../../resource-types";

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
    const groups = plan.resources.filter((r) => isResourceOf(r, RESOURCES.SecurityGroupLegacy));
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(TIER_NAMES.map((t) => `ibac-${t}`).sort());
    for (const vm of plan.model.vms) {
      const rules = rulesOf(plan.resources.find((r) => isResourceOf(r, RESOURCES.FirewallRulesLegacy) && r.name.endsWith(`-${vm.name}-rules`)));
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

  it("opens the nodes' GUI only to the admin network, monitoring and fencing, corosync only between nodes", async () => {
    const plan = await prodPlan();
    const pve1 = rulesOf(plan.resources.find((r) => isResourceOf(r, RESOURCES.FirewallRulesLegacy) && r.name.endsWith("-pve1-rules")));
    // The storage and backup VMs reach the API for fence_pve.
    expect(pve1.filter((r) => r.dport === "8006").map((r) => r.source).sort()).toEqual(["+tier-backup", "+tier-monitoring", "+tier-objectStore", "+zone-admin"]);
    expect(pve1.filter((r) => r.dport === "5404:5405").map((r) => r.source)).toEqual(["+zone-proxmoxNodes"]);
  });

  it("keeps names a firewall cannot match out of the IP sets", async () => {
    const plan = await prodPlan();
    const cidrs = plan.resources
      .filter((r) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy))
      .flatMap((r) => (r.inputs.cidrs as { name: string }[] | undefined) ?? []);
    expect(cidrs.length).toBeGreaterThan(20);
    expect(cidrs.filter((c) => c.name.startsWith("dns:"))).toEqual([]);
  });
});

describe("PlatformFirewall's outbound policy, aliases and QDevice ruleset under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  it("prod (outbound ACCEPT): cluster and VM options say ACCEPT, no outbound rule is registered", async () => {
    const plan = await prodPlan();
    const cluster = plan.resources.find((r) => isResourceOf(r, RESOURCES.ClusterFirewallLegacy));
    expect(cluster?.inputs).toMatchObject({ inputPolicy: "DROP", outputPolicy: "ACCEPT" });
    const rules = plan.resources.filter((r) => isResourceOf(r, RESOURCES.FirewallRulesLegacy)).flatMap(rulesOf);
    expect(rules.filter((r) => r.type === "out")).toEqual([]);
  });

  it("outbound DROP in the spec: cluster and every VM's options DROP, one out rule per flow after the in rules", async () => {
    const loaded = loadStackFile(stackFilePath(projectDir, "prod"));
    const plan = await runOfflinePlan({ ...loaded, spec: { ...loaded.spec, firewall: { outboundPolicy: "DROP" } } });
    expect(plan.resources.find((r) => isResourceOf(r, RESOURCES.ClusterFirewallLegacy))?.inputs).toMatchObject({ outputPolicy: "DROP" });
    const options = plan.resources.filter((r) => isResourceOf(r, RESOURCES.FirewallOptionsLegacy));
    expect(options.length).toBe(plan.model.vms.length);
    for (const o of options) expect(o.inputs.outputPolicy).toBe("DROP");
    const db2 = rulesOf(plan.resources.find((r) => isResourceOf(r, RESOURCES.FirewallRulesLegacy) && r.name.endsWith("-db-2-rules")));
    const out = db2.filter((r) => r.type === "out");
    expect(out).toContainEqual(expect.objectContaining({ dest: "+tier-database-primary", dport: "3306", proto: "tcp" }));
    const firstOut = db2.findIndex((r) => r.type === "out");
    expect(db2.slice(firstOut).every((r) => r.type === "out")).toBe(true);
    db2.forEach((rule, i) => expect(rule.pos).toBe(i));
  });

  it("registers an alias per network and loads the QDevice host's nftables ruleset, checked by nft -c first", async () => {
    const plan = await prodPlan();
    const aliases = plan.resources.filter((r) => isResourceOf(r, RESOURCES.FirewallAliasLegacy));
    expect(aliases.map((a) => [a.inputs.name, a.inputs.cidr])).toContainEqual(["ibac-net-admin", "10.20.9.0/24"]);
    expect(aliases.length).toBe(6);
    const qdev = plan.resources.find((r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.endsWith("-qdev1-nftables"));
    expect(String(qdev?.inputs.create)).toMatch(/nft -c -f \/etc\/ibac\/nftables-ibac\.nft\.new && mv .* && nft -f /);
    expect(String(qdev?.inputs.stdin)).toContain('tcp dport 5403 accept comment "nodes-to-qdevice"');
    expect(String(qdev?.inputs.stdin)).toContain('tcp dport 22 accept comment "admin-to-qdevice-ssh"');
  });
});

describe("the QDevice host's nftables load command, checked by sh and shellcheck", () => {
  it("parses and passes shellcheck", () => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-nft-load-"));
    try {
      const file = path.join(dir, "load.sh");
      fs.writeFileSync(file, `#!/bin/sh\n${nftablesLoadCommand(QDEVICE_NFT_FILE)}\n`);
      const syntax = runTool("sh", ["-n", file]);
      expect(syntax.status, describeRun(syntax)).toBe(0);
      const lint = runTool(shellcheck, ["-S", "warning", file]);
      expect(lint.status, describeRun(lint)).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
