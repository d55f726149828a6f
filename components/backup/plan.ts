import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";
import type { BaculaPlan } from "../../backup/bacula/bacula-plan";
import { deriveBaculaPlan } from "../../backup/bacula/render-files";
import type { RotationPlan } from "../../backup/rotation/types";

/** The photos' rotation of a stack (helper h14-rotation's derivation; wired when it lands). */
function rotationOf(spec: PlatformSpec): RotationPlan {
  throw new Error(`backup plan: the ${spec.backupPolicy.photos.rotation} rotation is not derived yet (backup/rotation)`);
}

/** The backup tier's Bacula plan: the rotation, then the plan every renderer reads. */
export function backupPlanOf(spec: PlatformSpec, model: PlatformModel): BaculaPlan {
  return deriveBaculaPlan(spec, model, rotationOf(spec));
}
