import type { BaculaName, BaculaPlan } from "./bacula-plan";
import type { BaculaPaths } from "./paths";
import type { BaculaSecrets } from "./secrets";

export function renderFileDaemonConf(plan: BaculaPlan, client: BaculaName, secrets: BaculaSecrets, paths: BaculaPaths): string {
  void plan; void client; void secrets; void paths;
  throw new Error("renderFileDaemonConf: not implemented yet");
}
