import { describe, expect, it } from "vitest";
import { buildModel } from "../../model/build";
import type { PlatformModel } from "../../model/types";
import type { PlatformSpec } from "../../spec/schema";
import { stackSpec } from "../../../test/fixtures/specs";
import { renderFirewallPlan, type FirewallPlan } from "./rules";
import { analyzeReachability } from "./reachability";

function prod(): { spec: PlatformSpec; model: PlatformModel; plan: FirewallPlan } {
  const spec = stackSpec("prod");
  const { model } = buildModel(spec);
  if (!model) throw new Error("no model");
  return { spec, model, plan: renderFirewallPlan(model, spec) };
}

const hostRules = (plan: FirewallPlan, host: string) => plan.hosts.find((h) => h.host === host)?.rules ?? [];

describe("renderFirewallPlan and analyzeReachability (pure, from the rendered rules alone)", () => {
  it("prod: the rules allow exactly the intended flows, with no dead rule", () => {
    const { spec, model, plan } = prod();
    const report = analyzeReachability(model, spec, plan);
    expect(report.intended.length).toBeGreaterThan(100);
    expect(report.blocked).toEqual([]);
    expect(report.unintended).toEqual([]);
    expect(report.deadRules).toEqual([]);
  });

  it("default-deny everywhere, one rule per flow and host, positions explicit, comments naming the flow", () => {
    const { plan } = prod();
    for (const host of plan.hosts) {
      expect(host.defaultInbound).toBe("DROP");
      host.rules.forEach((rule, i) => {
        expect(rule.position).toBe(i);
        expect(rule.comment.startsWith(`${rule.flowId}: `)).toBe(true);
      });
    }
  });

  it("opens the Proxmox GUI and SSH of the nodes only to the admin network (and the API to monitoring and to the storage and backup VMs' fence_pve)", () => {
    const { plan } = prod();
    const gui = hostRules(plan, "pve1").filter((r) => r.ports === "8006").map((r) => r.source).sort();
    const ssh = hostRules(plan, "pve1").filter((r) => r.ports === "22").map((r) => r.source).sort();
    expect(gui).toEqual(["tier-backup", "tier-monitoring", "tier-objectStore", "zone-admin"]);
    expect(ssh).toEqual(["zone-admin", "zone-proxmoxNodes"]);
    expect(hostRules(plan, "pve1").filter((r) => r.ports === "5404:5405").map((r) => r.source)).toEqual(["zone-proxmoxNodes"]);
  });

  it("lets only replicas and the database clients reach MariaDB", () => {
    const { plan } = prod();
    expect(hostRules(plan, "db-1").filter((r) => r.ports === "3306").map((r) => r.source).sort()).toEqual(["tier-api", "tier-database-replica", "tier-frs", "tier-monitoring"]);
    expect(hostRules(plan, "db-2").filter((r) => r.ports === "3306").map((r) => r.source).sort()).toEqual(["tier-api", "tier-frs", "tier-monitoring"]);
  });

  it("finds an opening nobody intended (a rule widened to any source)", () => {
    const { spec, model, plan } = prod();
    const rule = hostRules(plan, "db-1").find((r) => r.flowId === "api-to-database-mysql");
    if (!rule) throw new Error("no rule");
    rule.source = "zone-mobiles";
    const report = analyzeReachability(model, spec, plan);
    expect(report.unintended).toEqual([{ source: "zone-mobiles", members: ["0.0.0.0/0"], host: "db-1", protocol: "tcp", ports: "3306" }]);
    expect(report.blocked.map((o) => `${o.host} ${o.ports}`)).toContain("db-1 3306");
  });

  it("finds an intended flow the rules block (a rule missing)", () => {
    const { spec, model, plan } = prod();
    const host = plan.hosts.find((h) => h.host === "lb-1");
    if (!host) throw new Error("no lb-1");
    host.rules = host.rules.filter((r) => r.flowId !== "vpn-clients-to-lb-https");
    const report = analyzeReachability(model, spec, plan);
    expect(report.blocked).toEqual([{ source: "zone-vpnClients", members: [spec.networks.vpnClients.cidr], host: "lb-1", protocol: "tcp", ports: "443" }]);
  });

  it("reports a shadowed rule and a rule whose source is empty", () => {
    const { spec, model, plan } = prod();
    const host = plan.hosts.find((h) => h.host === "api-1");
    if (!host) throw new Error("no api-1");
    const first = host.rules[0];
    host.rules.push({ ...first, position: host.rules.length, flowId: "copy" }, { ...first, position: host.rules.length + 1, source: "zone-qdevice-missing", flowId: "ghost" });
    const findings = analyzeReachability(model, spec, plan).deadRules.map((f) => `${f.rule.flowId}: ${f.reason}`);
    expect(findings).toEqual([`copy: shadowed by rule 0 (${first.flowId})`, "ghost: unreachable: its source zone-qdevice-missing has no member"]);
  });

  it("turns an extra flow of the spec into one opening on each VM it reaches", () => {
    const spec = stackSpec("prod");
    spec.flows = [{ id: "admin-to-monitoring-https", source: "zone:admin", destination: "tier:monitoring", protocol: "tcp", ports: "443", purpose: "dashboards from the admin network" }];
    const { model } = buildModel(spec);
    if (!model) throw new Error("no model");
    const plan = renderFirewallPlan(model, spec);
    const mons = model.vms.filter((vm) => vm.tier === "monitoring").map((vm) => vm.name);
    for (const mon of mons) expect(hostRules(plan, mon).filter((r) => r.flowId === "admin-to-monitoring-https").map((r) => r.source)).toEqual(["zone-admin"]);
    const report = analyzeReachability(model, spec, plan);
    expect([report.blocked, report.unintended]).toEqual([[], []]);
  });
});
