// Benchmark of the reachability analysis (`ibac flows`): prod and the generated 8/32/64-node stacks, in
// this process, each figure the median of interleaved repeats. Prints ratios side by side; the one absolute
// figure is prod's time, because the target is stated in seconds (under 1 s).
//
//   npm run bench:flows            (IBAC_BENCH_REPEATS=N, default 15)
import { performance } from "node:perf_hooks";
import { buildModel } from "../components/model/build";
import type { PlatformModel } from "../components/model/types";
import type { PlatformSpec } from "../components/spec/schema";
import { renderFirewallPlan } from "../components/network/firewall/rules";
import { analyzeReachability } from "../components/network/firewall/reachability";
import { stackSpec } from "../test/fixtures/specs";
import { generateStackSpec } from "../test/fixtures/generate-stack";

const repeats = Number(process.env.IBAC_BENCH_REPEATS ?? 15);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Case {
  name: string;
  spec: PlatformSpec;
  model: PlatformModel;
  rules: number;
}

function caseOf(name: string, spec: PlatformSpec): Case {
  const { model } = buildModel(spec);
  if (!model) throw new Error(`${name} has no model`);
  const rules = renderFirewallPlan(model, spec).hosts.reduce((n, h) => n + h.rules.length, 0);
  return { name, spec, model, rules };
}

function analyse(c: Case): number {
  const t = performance.now();
  const report = analyzeReachability(c.model, c.spec, renderFirewallPlan(c.model, c.spec));
  const elapsed = performance.now() - t;
  if (report.blocked.length || report.unintended.length) throw new Error(`${c.name}: the rules differ from the intent`);
  return elapsed;
}

function main(): void {
  const cases = [caseOf("prod", stackSpec("prod")), ...[8, 32, 64].map((n) => caseOf(`gen${n}`, generateStackSpec(n)))];
  const samples = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (const c of cases) analyse(c);
  for (let i = 0; i < repeats; i++) for (const c of cases) samples.get(c.name)?.push(analyse(c));
  const t = new Map(cases.map((c) => [c.name, median(samples.get(c.name) ?? [])]));
  const prod = cases[0];
  const tProd = t.get("prod") ?? 1;
  const nlogn = (n: number): number => n * Math.log2(n);
  console.log(`reachability analysis (renderFirewallPlan + analyzeReachability), median of ${repeats} interleaved runs`);
  console.log("stack   rules   time / prod   rules / prod   n log n / prod");
  for (const c of cases) {
    const time = (t.get(c.name) ?? 0) / tProd;
    console.log(`${c.name.padEnd(7)} ${String(c.rules).padStart(5)}   ${time.toFixed(2).padStart(11)}   ${(c.rules / prod.rules).toFixed(2).padStart(12)}   ${(nlogn(c.rules) / nlogn(prod.rules)).toFixed(2).padStart(14)}`);
  }
  const big = cases[cases.length - 1];
  const growth = (t.get(big.name) ?? 0) / tProd;
  const bound = nlogn(big.rules) / nlogn(prod.rules);
  console.log(`target: prod under 1 s                         -> ${tProd.toFixed(1)} ms ${tProd < 1000 ? "(met)" : "(NOT met)"}`);
  console.log(`target: growth no worse than n log n in rules  -> ${growth.toFixed(2)}x for ${(big.rules / prod.rules).toFixed(1)}x the rules, n log n allows ${bound.toFixed(2)}x ${growth <= bound ? "(met)" : "(NOT met)"}`);
}

main();
