import type { BaculaPlan } from "./bacula-plan";
import type { BaculaPaths } from "./paths";
import type { BaculaSecrets } from "./secrets";

export function renderDirectorConf(plan: BaculaPlan, secrets: BaculaSecrets, paths: BaculaPaths): string {
  void plan; void secrets; void paths;
  throw new Error("renderDirectorConf: not implemented yet");
}
