// The prod stack's archive plan of its first FRS VM: the happy-path args of the archive tests (awsguard pattern).
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../spec/load";
import type { PlatformSpec } from "../../spec/schema";
import type { PlatformModel } from "../../model/types";
import { deriveFrsArchivePlan, type FrsArchivePlan } from "./archive-plan";

export function prodArchiveStack(): { spec: PlatformSpec; model: PlatformModel; plan: FrsArchivePlan } {
  const { spec, model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../../.."), "prod"));
  const vm = model.vms.find((v) => v.tier === "frs");
  if (!vm) throw new Error("the prod stack has no FRS VM");
  return { spec: structuredClone(spec), model: structuredClone(model), plan: deriveFrsArchivePlan(spec, model, vm) };
}
