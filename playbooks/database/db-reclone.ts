import type { Runbook, StepContext } from "../engine/types";
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { isReadOnly, serverAnswers } from "./mariadb";
import { livePrimary } from "./roles";
import { enableSemiSyncStep, recloneSteps, replicateAndVerifySteps, type ReplicaPair } from "./reclone-steps";

/** Resolves --host against the live primary: the target must exist and must not be the primary. */
export async function replicaPairFor(ctx: StepContext, option: "host"): Promise<ReplicaPair> {
  const primary = await livePrimary(ctx);
  const name = ctx.options[option];
  const replica = typeof name === "string"
    ? ctx.inventory.hosts.find((h) => h.name === name)
    : ctx.inventory.hosts.find((h) => h.name !== primary.name);
  if (!replica) throw new RunbookInputError(`--${option}: expected one of ${ctx.inventory.hosts.map((h) => h.name).join(", ")}, found "${String(name)}"`);
  if (replica.name === primary.name) throw new UnsafeStateError(`${replica.name} is the primary (it accepts writes): it cannot be rebuilt from itself`);
  if ((await serverAnswers(ctx, replica)) && !(await isReadOnly(ctx, replica))) {
    throw new UnsafeStateError(`${replica.name} accepts writes: rebuilding it would throw away a primary's data`);
  }
  return { primary, replica };
}

export const dbReclone: Runbook = {
  name: "db-reclone",
  summary: "rebuild a replica from a fresh backup of the primary (the old datadir is kept aside)",
  options: [{ flag: "--host <host>", description: "the replica to rebuild (default: the first server that is not the primary)" }],
  mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
  steps: () => {
    let p: ReplicaPair | undefined;
    const pair = async (ctx: StepContext): Promise<ReplicaPair> => (p ??= await replicaPairFor(ctx, "host"));
    return [
      {
        name: "Check the primary and the server to rebuild",
        hosts: () => [p?.primary.name ?? "the primary", p?.replica.name ?? "the replica"],
        precondition: async (ctx) => {
          await pair(ctx);
        },
        action: async (ctx) => {
          const { primary, replica } = await pair(ctx);
          ctx.note(`rebuilding ${replica.name} from ${primary.name}`);
        },
      },
      enableSemiSyncStep(pair),
      ...recloneSteps(pair),
      ...replicateAndVerifySteps(pair),
    ];
  },
};
