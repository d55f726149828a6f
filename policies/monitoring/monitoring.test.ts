import { describe, expect, it } from "vitest";
import { findingsOf, mutate, mutatePlatform, stackResources } from "../../test/fixtures/policy-fixture";
import { monitoringCoveragePolicy } from "./monitoring-coverage";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

const vmNamed = (name: string) => (r: { type: string; props: Record<string, unknown> }) => isResourceOf(r, RESOURCES.VmLegacy) && r.props.name === name;

describe("monitoring policies on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("monitoring-coverage: prod passes; both monitoring VMs on one node fails", async () => {
    expect(await findingsOf(monitoringCoveragePolicy(), await stackResources("prod"))).toEqual([]);
    const resources = mutate(await stackResources("prod"), vmNamed("mon-2"), (r) => { r.props.nodeName = "pve1"; });
    const findings = await findingsOf(monitoringCoveragePolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({ subject: "monitoring VMs", observed: "mon-1 on pve1, mon-2 on pve1", expected: "at least 2 monitoring VMs on different nodes", location: "inputs.nodeName" }),
    ]);
    expect(findings[0].urn).toContain("mon-2");
  });

  it("monitoring-coverage: a tier the monitoring cannot reach fails", async () => {
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.model.flows = p.model.flows.filter((f) => f.id !== "monitoring-to-database-service"); });
    expect(await findingsOf(monitoringCoveragePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "monitoring of the database tier", observed: "no flow from the monitoring tier for the service level (tcp/3306, MariaDB)", location: "model.flows" }),
    ]);
  });

  it("monitoring-coverage: no address to notify fails", async () => {
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.notifications.email = []; });
    expect(await findingsOf(monitoringCoveragePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "alert notifications", observed: "no e-mail address", location: "spec.notifications.email" }),
    ]);
  });

  it("declares the names and requirement ids the catalogue refers to", () => {
    expect([monitoringCoveragePolicy()].map(({ name, requirements, severity, enforcementLevel }) => ({ name, requirements, severity, enforcementLevel }))).toEqual([
      { name: "monitoring-coverage", requirements: ["IBAC-MON-001"], severity: "high", enforcementLevel: "mandatory" },
    ]);
  });

  it.each(["staging", "lab"])("%s passes monitoring-coverage", async (stack) => {
    expect(await findingsOf(monitoringCoveragePolicy(), await stackResources(stack))).toEqual([]);
  });
});
