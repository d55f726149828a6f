// One measurement of the plan benchmark (bench/plan.ts), in a fresh process so that each figure has its own
// heap and its own peak memory, and none is warmed up by another:
//
//   plan-measure.ts platform <project dir> <stack> <shapes file>  the offline plan of the stack, in this
//                                                                   process; writes its resources' shapes
//   plan-measure.ts plain <project dir> <stack> <shapes file>     as many plain resources, same mocks
//   plan-measure.ts shaped <project dir> <stack> <shapes file>    the same resource shapes, same mocks
//
// Prints one line of JSON: a PlanMeasurement.
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { loadStackFile, stackFilePath } from "../components/spec/load";
import { runOfflinePlan } from "../components/offline-plan/run-offline-plan";
import { plainShapes, runBareProgram, shapeOf, type ResourceShape } from "./bare-program";

export interface PlanMeasurement {
  resources: number;
  vms: number;
  ms: number;
  /** Peak resident set of this process, in KiB. */
  maxRssKiB: number;
}

async function main(): Promise<void> {
  const [kind, projectDir, stack, shapesFile] = process.argv.slice(2);
  const loaded = loadStackFile(stackFilePath(projectDir, stack));
  const start = performance.now();
  let resources: number;
  if (kind === "platform") {
    const shapes: ResourceShape[] = [];
    resources = (await runOfflinePlan(loaded, { onRegister: (args) => shapes.push(shapeOf(args)) })).resources.length;
    fs.writeFileSync(shapesFile, JSON.stringify(shapes));
  } else if (kind === "plain" || kind === "shaped") {
    const shapes = JSON.parse(fs.readFileSync(shapesFile, "utf8")) as ResourceShape[];
    resources = shapes.length;
    await runBareProgram(loaded, kind === "plain" ? plainShapes(shapes.length) : shapes);
  } else {
    throw new Error(`unknown measurement "${kind}": platform, plain or shaped`);
  }
  const ms = performance.now() - start;
  const result: PlanMeasurement = { resources, vms: loaded.model.vms.length, ms, maxRssKiB: process.resourceUsage().maxRSS };
  console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
