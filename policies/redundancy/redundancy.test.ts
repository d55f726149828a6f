import { describe, expect, it } from "vitest";
import { findingsOf, mutate, remove, stackResources } from "../../test/fixtures/policy-fixture";
import { tierRedundancyPolicy } from "./tier-redundancy";
import { tierAntiAffinityPolicy } from "./tier-anti-affinity";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

const vmNamed = (name: string) => (r: { type: string; props: Record<string, unknown> }) => isResourceOf(r, RESOURCES.VmLegacy) && r.props.name === name;

describe("redundancy policies on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("tier-redundancy: prod passes; a tier left with one VM fails, naming the tier and the VM", async () => {
    expect(await findingsOf(tierRedundancyPolicy(), await stackResources("prod"))).toEqual([]);
    const findings = await findingsOf(tierRedundancyPolicy(), remove(await stackResources("prod"), vmNamed("api-2")));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ subject: "tier api", observed: "1 VM (api-1)", expected: "at least 2 VMs" });
    expect(findings[0].urn).toContain("api-1");
  });

  it("tier-anti-affinity: prod passes; both database VMs on one node fails", async () => {
    expect(await findingsOf(tierAntiAffinityPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = mutate(await stackResources("prod"), vmNamed("db-2"), (r) => { r.props.nodeName = "pve1"; });
    const findings = await findingsOf(tierAntiAffinityPolicy(), resources);
    expect(findings).toEqual([expect.objectContaining({ subject: "tier database", observed: "db-1 and db-2 both on pve1, none on pve2", location: "inputs.nodeName" })]);
  });
});
