import type { PlatformSpec } from "../../components/spec/schema";
import type { PlatformModel } from "../../components/model/types";
import type { RotationPlan } from "../rotation/types";
import type { BaculaPlan } from "./bacula-plan";
import { PRODUCTION_BACULA_PATHS, type BaculaPaths } from "./paths";

/** The Bacula plan of a stack (being implemented: the signature is the contract). */
export function deriveBaculaPlan(spec: PlatformSpec, model: PlatformModel, rotation: RotationPlan, paths: BaculaPaths = PRODUCTION_BACULA_PATHS): BaculaPlan {
  void spec; void model; void rotation; void paths;
  throw new Error("deriveBaculaPlan: not implemented yet");
}
