import * as fs from "node:fs";
import * as path from "node:path";
import type { OfflinePlan } from "./run-offline-plan";

export interface WrittenPlan {
  planFile: string;
  artifactFiles: string[];
}

/**
 * Writes `DIR/plan.json` and every artifact under `DIR/artifacts/<vm>/<path in the VM>`. The directory's
 * previous artifacts are removed first, so the output never mixes two runs.
 */
export function writePlan(plan: OfflinePlan, outDir: string): WrittenPlan {
  const artifactsDir = path.join(outDir, "artifacts");
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const planFile = path.join(outDir, "plan.json");
  const document = { stack: plan.stack, resources: plan.resources, model: plan.model };
  fs.writeFileSync(planFile, JSON.stringify(document, null, 2) + "\n");
  const artifactFiles = plan.artifacts.map((a) => {
    const file = path.join(artifactsDir, a.vm, ...a.path.split("/").filter(Boolean));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, a.content);
    return file;
  });
  return { planFile, artifactFiles };
}
