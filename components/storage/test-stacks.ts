// The storage plans of the real stack files, for the storage renderers' tests (happy-path args: prod).
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../spec/load";
import type { PlatformSpec } from "../spec/schema";
import type { StoragePlan } from "./storage-plan";

const PROJECT_DIR = path.resolve(__dirname, "../..");

export function storageStack(name: string): { spec: PlatformSpec; plan: StoragePlan } {
  const { spec, model } = loadStackFile(stackFilePath(PROJECT_DIR, name), `stacks/Pulumi.${name}.yaml`);
  return { spec: structuredClone(spec), plan: structuredClone(model.objectStore) };
}
