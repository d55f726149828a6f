import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";
import type { BaculaPlan } from "../../backup/bacula/bacula-plan";
import { deriveBaculaPlan } from "../../backup/bacula/render-files";
import { photoRotation } from "../../backup/rotation/hanoi-plan";

/** The backup tier's Bacula plan: the photos' rotation from the spec's policy, then the plan every renderer reads. */
export function backupPlanOf(spec: PlatformSpec, model: PlatformModel): BaculaPlan {
  return deriveBaculaPlan(spec, model, photoRotation(spec.backupPolicy.photos));
}
