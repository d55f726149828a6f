import { describe, expect, it } from "vitest";
import { buildModel } from "./model/build";
import type { LoadedStack } from "./spec/load";
import { runOfflinePlan } from "./offline-plan/run-offline-plan";
import { generateStackSpec } from "../test/fixtures/generate-stack";
import { countDependencies, totalUrns, type DependencyCounts } from "../test/support/count-dependencies";

// A dependency on a component expands to every resource under it: one all-to-all `dependsOn` makes the
// URNs sent to the engine quadratic in the VMs, and the plan (and a real `pulumi up`) with them.
const SIZES = [4, 8, 16];
/** How much the URNs per VM may grow from the smallest stack to the largest: linear growth is 1.0. */
const MAX_GROWTH = 1.2;

interface Measured {
  vms: number;
  resources: number;
  planResources: number;
  counts: DependencyCounts;
}

function generated(nodes: number): LoadedStack {
  const spec = generateStackSpec(nodes);
  const { model } = buildModel(spec);
  if (!model) throw new Error(`the generated ${nodes}-node stack has no model`);
  return { stack: `gen${nodes}`, file: "(generated)", spec, model, config: {} };
}

async function measure(nodes: number): Promise<Measured> {
  const loaded = generated(nodes);
  const counts: DependencyCounts = new Map();
  const stop = countDependencies(counts);
  try {
    const plan = await runOfflinePlan(loaded);
    let resources = 0;
    for (const c of counts.values()) resources += c.resources;
    return { vms: loaded.model.vms.length, resources, planResources: plan.resources.length, counts };
  } finally {
    stop();
  }
}

/** URNs per VM of each resource type that has any, most first: a failure message names the type that grew. */
function perVmByType(m: Measured): string {
  return [...m.counts]
    .map(([type, c]) => [type, (c.dependencies + c.propertyDependencies) / m.vms] as const)
    .filter(([, perVm]) => perVm > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([type, perVm]) => `${type} ${perVm.toFixed(1)}`)
    .join(", ");
}

describe("the platform program under pulumi.runtime.setMocks (generated stacks, no deployment)", () => {
  it(`sends the engine dependency URNs linear in the VMs (${SIZES.join(", ")} nodes)`, async () => {
    const measured: Measured[] = [];
    for (const nodes of SIZES) measured.push(await measure(nodes));

    for (const m of measured) {
      // The counter saw every registration the plan recorded, so a zero count cannot pass for linear.
      expect(m.resources).toBe(m.planResources);
      expect(totalUrns(m.counts)).toBeGreaterThan(0);
    }
    const smallest = measured[0];
    const largest = measured[measured.length - 1];
    // Four times the nodes: four times the VMs of every tier but the object store and the backup tier, which stay at
    // their two DRBD peers each.
    expect(largest.vms - 4).toBeGreaterThanOrEqual(4 * (smallest.vms - 4));
    const perVm = (m: Measured): number => totalUrns(m.counts) / m.vms;
    const growth = perVm(largest) / perVm(smallest);
    expect(
      growth,
      `dependency URNs per VM: ${measured.map((m) => `${m.vms} VMs ${perVm(m).toFixed(1)}`).join(", ")}\n` +
        `per type at ${smallest.vms} VMs: ${perVmByType(smallest)}\n` +
        `per type at ${largest.vms} VMs: ${perVmByType(largest)}`,
    ).toBeLessThanOrEqual(MAX_GROWTH);
    // Three plans, the largest ~14,000 resources since every host got its monitoring agent (a file is two
    // resources): about 45 s on a loaded 2-core machine, so the default 60 s is too tight.
  }, 180_000);
});
