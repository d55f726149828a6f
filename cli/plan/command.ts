import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { runOfflinePlan } from "../../components/offline-plan/run-offline-plan";
import { summarizePlan } from "./summary";
import { writePlan } from "../../components/offline-plan/write-plan";

export interface PlanCommandOptions {
  stack: string;
  out?: string;
  projectDir: string;
}

/** `ibac plan`: validate the stack, run the program against mocks, write plan.json and the artifacts. */
export async function planCommand(options: PlanCommandOptions): Promise<void> {
  const shownFile = path.join("stacks", `Pulumi.${options.stack}.yaml`);
  const loaded = loadStackFile(stackFilePath(options.projectDir, options.stack), shownFile);
  const plan = await runOfflinePlan(loaded);
  const outDir = options.out ?? path.join("out", options.stack);
  const written = writePlan(plan, outDir);
  console.log(summarizePlan(plan));
  console.log(`\nWrote ${written.planFile} and ${written.artifactFiles.length} artifacts under ${path.join(outDir, "artifacts")}`);
}
