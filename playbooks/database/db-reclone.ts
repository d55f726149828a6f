import type { Runbook, StepContext } from "../engine/types";
import { serverBesidePrimary } from "./roles";
import { recloneSteps, replicateAndVerifySteps, type ReplicaPair } from "./reclone-steps";

export const dbReclone: Runbook = {
  name: "db-reclone",
  summary: "rebuild a replica from a fresh backup of the primary (the old datadir is kept aside)",
  options: [{ flag: "--host <host>", description: "the replica to rebuild (default: the first server that is not the primary)" }],
  mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
  steps: () => {
    let p: ReplicaPair | undefined;
    const pair = async (ctx: StepContext): Promise<ReplicaPair> => (p ??= await serverBesidePrimary(ctx, "the replica to rebuild"));
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
      ...recloneSteps(pair),
      ...replicateAndVerifySteps(pair),
    ];
  },
};
