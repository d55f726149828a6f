import { describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { designFlows } from "../model/flows";
import { renderFirewallPlan } from "../network/firewall/rules";
import { renderNftables } from "../network/firewall/render-nftables";
import { stackSpec } from "../../test/fixtures/specs";

function prod() {
  const spec = stackSpec("prod");
  const { model } = buildModel(spec);
  if (!model) throw new Error("no model");
  return { spec, model };
}

describe("the database tier's VRRP flow (keepalived on the database VMs holds the databasePrimary address)", () => {
  it("opens VRRP (IP protocol 112) between the database VMs, on each database VM, from the database VMs only", () => {
    const { spec, model } = prod();
    const plan = renderFirewallPlan(model, spec);
    for (const vm of model.vms.filter((v) => v.tier === "database")) {
      const host = plan.hosts.find((h) => h.host === vm.name);
      const rules = host?.rules.filter((r) => r.flowId === "database-vrrp") ?? [];
      expect(rules.map((r) => ({ protocol: r.protocol, ports: r.ports, scope: r.scope })), vm.name).toEqual([{ protocol: "vrrp", ports: "", scope: "tier" }]);
    }
    const others = plan.hosts.filter((h) => !model.vms.some((v) => v.name === h.host && v.tier === "database"));
    expect(others.filter((h) => h.rules.some((r) => r.flowId === "database-vrrp")).map((h) => h.host)).toEqual([]);
    const db1 = plan.hosts.find((h) => h.host === "db-1");
    if (!db1) throw new Error("no db-1");
    expect(renderNftables(db1, plan.sets)).toMatch(/ip protocol 112 .*accept/);
  });

  it("comes after every other design flow that reaches or leaves a database VM, so those rules keep their positions", () => {
    const { spec, model } = prod();
    const flows = designFlows(spec);
    const plan = renderFirewallPlan({ ...model, flows }, spec);
    for (const name of ["db-1", "db-2"]) {
      const host = plan.hosts.find((h) => h.host === name);
      const inbound = host?.rules ?? [];
      expect(inbound.at(-1)?.flowId, `${name} inbound`).toBe("database-vrrp");
      const outbound = host?.outbound ?? [];
      if (outbound.length) expect(outbound.at(-1)?.flowId, `${name} outbound`).toBe("database-vrrp");
    }
  });
});
