// Benchmark of `ibac check`: for prod and the generated 64-node stack, the offline plan alone and the policies
// run on its resources, measured side by side in this process (median of interleaved repeats). Prints the
// policies' time as a ratio of the plan's; the target is under 0.5 (policies add less than 50% to the plan).
//
//   npm run bench:check            (IBAC_BENCH_REPEATS=N, default 5)
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { buildModel } from "../components/model/build";
import type { LoadedStack } from "../components/spec/load";
import { loadStackFile, stackFilePath } from "../components/spec/load";
import { runOfflinePlan } from "../components/offline-plan/run-offline-plan";
import { allPolicies } from "../policies/all-policies";
import { policyResourcesOf } from "../policies/offline/policy-resources";
import { runPolicies } from "../policies/offline/run-policies";
import { generateStackSpec } from "../test/fixtures/generate-stack";

const repeats = Number(process.env.IBAC_BENCH_REPEATS ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function generated(nodes: number): LoadedStack {
  const spec = generateStackSpec(nodes);
  const { model } = buildModel(spec);
  if (!model) throw new Error(`the generated ${nodes}-node stack has no model`);
  return { stack: `gen${nodes}`, file: "(generated)", spec, model, config: {} };
}

async function measure(loaded: LoadedStack): Promise<{ planMs: number; policiesMs: number; resources: number; findings: number }> {
  const t0 = performance.now();
  const plan = await runOfflinePlan(loaded);
  const t1 = performance.now();
  const resources = policyResourcesOf(plan);
  const outcomes = await runPolicies(allPolicies(), resources);
  const t2 = performance.now();
  return { planMs: t1 - t0, policiesMs: t2 - t1, resources: resources.length, findings: outcomes.reduce((n, o) => n + o.findings.length, 0) };
}

async function main(): Promise<void> {
  const cases = [loadStackFile(stackFilePath(path.resolve(__dirname, ".."), "prod")), generated(64)];
  const samples = new Map(cases.map((c) => [c.stack, { plan: [] as number[], policies: [] as number[], resources: 0, findings: 0 }]));
  await measure(cases[0]); // warm-up: module loading and JIT are not the policies' cost
  for (let i = 0; i < repeats; i++) {
    for (const c of cases) {
      const m = await measure(c);
      const s = samples.get(c.stack);
      if (!s) continue;
      s.plan.push(m.planMs);
      s.policies.push(m.policiesMs);
      s.resources = m.resources;
      s.findings = m.findings;
    }
  }
  console.log(`ibac check benchmark: median of ${repeats} interleaved runs per figure, in one process (ratios only)`);
  console.log("stack    resources  policies/plan  (target < 0.50)");
  for (const [stack, s] of samples) {
    const ratio = median(s.policies) / median(s.plan);
    console.log(`${stack.padEnd(8)} ${String(s.resources).padStart(9)}  ${ratio.toFixed(2).padStart(13)}  ${ratio < 0.5 ? "ok" : "OVER TARGET"}${s.findings ? `  (${s.findings} findings)` : ""}`);
  }
  const prod = samples.get("prod");
  const big = samples.get("gen64");
  if (prod && big) console.log(`gen64/prod: plan ${(median(big.plan) / median(prod.plan)).toFixed(1)}x, policies ${(median(big.policies) / median(prod.policies)).toFixed(1)}x, resources ${(big.resources / prod.resources).toFixed(1)}x`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
