// One measurement of the plan benchmark (bench/plan.ts), in a fresh process so that each figure has its own
// heap and its own peak memory, and none is warmed up by another:
//
//   plan-measure.ts platform <project dir> <stack>     the offline plan of the stack, in this process
//   plan-measure.ts bare <project dir> <stack> <count>  a bare Pulumi program of <count> resources, same mocks
//
// Prints one line of JSON: a PlanMeasurement.
import { performance } from "node:perf_hooks";
import { loadStackFile, stackFilePath } from "../components/spec/load";
import { runOfflinePlan } from "../components/offline-plan/run-offline-plan";
import { runBareProgram } from "./bare-program";

export interface PlanMeasurement {
  resources: number;
  vms: number;
  ms: number;
  /** Peak resident set of this process, in KiB. */
  maxRssKiB: number;
}

async function main(): Promise<void> {
  const [kind, projectDir, stack, countText] = process.argv.slice(2);
  const loaded = loadStackFile(stackFilePath(projectDir, stack));
  const start = performance.now();
  let resources: number;
  if (kind === "platform") {
    resources = (await runOfflinePlan(loaded)).resources.length;
  } else if (kind === "bare") {
    resources = Number(countText);
    await runBareProgram(loaded, resources);
  } else {
    throw new Error(`unknown measurement "${kind}": platform or bare`);
  }
  const ms = performance.now() - start;
  const result: PlanMeasurement = { resources, vms: loaded.model.vms.length, ms, maxRssKiB: process.resourceUsage().maxRSS };
  console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
