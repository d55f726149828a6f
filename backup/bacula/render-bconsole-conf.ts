import type { BaculaPlan } from "./bacula-plan";
import type { BaculaPaths } from "./paths";
import type { BaculaSecrets } from "./secrets";

export function renderBconsoleConf(plan: BaculaPlan, secrets: BaculaSecrets, paths: BaculaPaths): string {
  void plan; void secrets; void paths;
  throw new Error("renderBconsoleConf: not implemented yet");
}
