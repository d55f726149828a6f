import type { InventoryHost } from "../engine/inventory";
import type { StepContext } from "../engine/types";
import { shellQuote } from "../engine/shell-quote";

export interface RoleChange {
  runbook: string;
  primary: string;
  previous: string;
  gtid: string;
}

/** Appends the role change to the new primary's history file, for audit and for db-rejoin. */
export async function recordRoleChange(ctx: StepContext, on: InventoryHost, change: RoleChange): Promise<void> {
  const line = JSON.stringify({ time: new Date().toISOString(), ...change });
  const dir = shellQuote(on.paths.stateDir);
  await ctx.run(on, `mkdir -p ${dir} && cat >> ${dir}/role-history.jsonl`, { stdin: line + "\n", auditAs: `append to ${on.paths.stateDir}/role-history.jsonl: ${line}` });
}

/** What the operator must change so that the next deployment agrees with the cluster. */
export function stackUpdateAdvice(ctx: StepContext, primary: string): string {
  return `set database.primary: ${primary} in stacks/Pulumi.${ctx.inventory.stack}.yaml before the next \`pulumi up\``;
}

/** The shell command that appends a role change to the history file (to chain after another change). */
export function roleChangeCommand(on: InventoryHost, change: RoleChange): string {
  const line = JSON.stringify({ time: new Date().toISOString(), ...change });
  const dir = shellQuote(on.paths.stateDir);
  return `mkdir -p ${dir} && printf '%s\\n' ${shellQuote(line)} >> ${dir}/role-history.jsonl`;
}
