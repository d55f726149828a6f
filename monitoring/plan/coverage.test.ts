import { describe, expect, it } from "vitest";
import { parseStack, type LoadedStack } from "../../components/spec/load";
import type { Flow, PlatformModel } from "../../components/model/types";
import { stackFileName, stackText, STACKS } from "../../test/fixtures/specs";
import { generateStackText } from "../../test/fixtures/generate-stack";
import { fixtureTlsEndpoints } from "../../test/fixtures/monitoring-tls-endpoints";
import { deriveMonitoringPlan } from "./derive-monitoring-plan";
import { checkPort, coverageProblems, isCheckingFlow } from "./coverage";
import { flowReaches, portsContain } from "./flow-lookup";

// Both directions between the model's flows and the plan's checks: a monitoring flow without a check, and a
// check without a flow that reaches its host on its port. The mutants change the model the plan is held to.

const load = (stack: string): LoadedStack => parseStack(stackText(stack), stackFileName(stack), stack);
const rows: [string, LoadedStack][] = [...STACKS.map((s): [string, LoadedStack] => [s, load(s)]), ["gen64", parseStack(generateStackText(64), "stacks/Pulumi.gen64.yaml", "gen64")]];

describe.each(rows)("monitoring coverage of %s", (_name, { spec, model }) => {
  const plan = deriveMonitoringPlan(spec, model, fixtureTlsEndpoints(spec, model));

  it("has a check over every monitoring flow that checks something, and every check over a flow that reaches its host", () => {
    expect(coverageProblems(plan, model)).toEqual([]);
  });

  it("holds every checking flow of the model, spelled out: agents, services, the nodes' agent and API, the QDevice's agent", () => {
    const checked = new Set(plan.checks.map((c) => c.flowId));
    const checking = model.flows.filter(isCheckingFlow).map((f) => f.id);
    expect(checking).toEqual(expect.arrayContaining(["monitoring-to-nodes-agent", "monitoring-to-nodes-api", "monitoring-to-qdevice-agent", "monitoring-to-database-agent", "monitoring-to-database-service"]));
    for (const id of checking) expect(checked.has(id), id).toBe(true);
    // Not checking flows: the engines' own peers, the relay and time.
    expect(model.flows.filter((f) => !isCheckingFlow(f) && f.source.kind === "tier" && f.source.tier === "monitoring").map((f) => f.id).sort()).toEqual(["monitoring-peers", "monitoring-to-ntp", "monitoring-to-smtp-relay"]);
  });

  it("sends every check over a monitoring flow into its host's tier or zone, on a port the flow opens", () => {
    const flows = new Map(model.flows.map((f) => [f.id, f]));
    for (const check of plan.checks) {
      const flow = flows.get(check.flowId);
      const host = plan.hosts.find((h) => h.name === check.host);
      expect(flow?.source, check.flowId).toEqual({ kind: "tier", tier: "monitoring" });
      expect(flow && host && flowReaches(flow, host, model.vms.find((v) => v.name === host.name)?.role), `${check.host}: ${check.description}`).toBe(true);
      expect(flow && portsContain(flow.ports, checkPort(check)), `${check.host}: ${check.description}`).toBe(true);
    }
  });
});

describe("monitoring coverage: the model changed under the plan (prod)", () => {
  const { spec, model } = load("prod");
  const plan = deriveMonitoringPlan(spec, model, fixtureTlsEndpoints(spec, model));
  const withFlows = (flows: Flow[]): PlatformModel => ({ ...model, flows });

  it("finds the checks over a dropped flow", () => {
    const problems = coverageProblems(plan, withFlows(model.flows.filter((f) => f.id !== "monitoring-to-nodes-api")));
    expect(problems).toEqual(model.nodes.map((n) => `check "Proxmox API" on ${n.name} travels over flow monitoring-to-nodes-api, which the model does not have`));
  });

  it("finds a monitoring flow added without a check", () => {
    const added: Flow = { id: "monitoring-to-database-exporter", source: { kind: "tier", tier: "monitoring" }, destination: { kind: "tier", tier: "database" }, protocol: "tcp", ports: "9104", purpose: "a metrics exporter" };
    expect(coverageProblems(plan, withFlows([...model.flows, added]))).toEqual(["flow monitoring-to-database-exporter (a metrics exporter) has no check"]);
  });

  it("finds a flow whose port or destination moved away from its checks", () => {
    const moved = model.flows.map((f) => (f.id === "monitoring-to-qdevice-agent" ? { ...f, ports: "5667" } : f.id === "monitoring-to-frs-service" ? { ...f, destination: { kind: "tier" as const, tier: "api" as const } } : f));
    const problems = coverageProblems(plan, withFlows(moved));
    expect(problems).toContain(`check "load" on qdev1 connects to port 5666, which flow monitoring-to-qdevice-agent does not open (5667)`);
    expect(problems).toContain(`check "FRS API port 8443" on frs-1 travels over flow monitoring-to-frs-service, which does not reach frs-1`);
    // Each flow still has checks naming it: what is wrong is each of those checks, one problem apiece.
    const qdeviceChecks = plan.checks.filter((c) => c.host === "qdev1").length;
    const frsServiceChecks = plan.checks.filter((c) => c.flowId === "monitoring-to-frs-service").length;
    expect(problems).toHaveLength(qdeviceChecks + frsServiceChecks);
  });

  it("finds a check over a flow that does not start at the monitoring tier", () => {
    const reversed = model.flows.map((f) => (f.id === "monitoring-to-vpn-agent" ? { ...f, source: { kind: "zone" as const, zone: "admin" as const } } : f));
    expect(coverageProblems(plan, withFlows(reversed))).toContain(`check "IPsec ibac-stats-site" on vpn-1 travels over flow monitoring-to-vpn-agent, which does not start at the monitoring tier over TCP`);
  });

  it("refuses to plan a check the model has no flow for", () => {
    expect(() => deriveMonitoringPlan(spec, withFlows(model.flows.filter((f) => f.id !== "monitoring-to-qdevice-agent")), [])).toThrow(
      "monitoring plan: no flow from the monitoring tier reaches qdev1 (qdevice) on TCP port 5666",
    );
  });
});
