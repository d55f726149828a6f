import type { Runbook, StepContext } from "../engine/types";
import { RunbookInputError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import { errantTransactions, isReadOnly, pointAtPrimary, queryValue, serverAnswers, waitFor, writeRoleFile } from "./mariadb";
import { serverBesidePrimary } from "./roles";
import { recloneSteps, replicateAndVerifySteps, type ReplicaPair } from "./reclone-steps";

interface Rejoin extends ReplicaPair {
  errant: { domainServer: string; afterSeq: number; lastSeq: number }[];
}

async function resolve(ctx: StepContext): Promise<ReplicaPair> {
  const pair = await serverBesidePrimary(ctx, "the server that comes back");
  const reachable = await ctx.probe(pair.replica, "true", { allowFailure: true });
  if (reachable.code !== 0) throw new RunbookInputError(`${pair.replica.name} does not answer SSH: ${reachable.stderr.trim()}`);
  return pair;
}

/**
 * Brings a former primary back as a replica without letting it keep (or silently drop) transactions the
 * new primary never had: restart it as a replica so semi-sync recovery truncates what no replica
 * acknowledged, look for errant transactions, save them to a file for audit, re-clone if there are any.
 */
export const dbRejoin: Runbook = {
  name: "db-rejoin",
  summary: "bring the old primary back as a replica: semi-sync recovery, errant-transaction check (saved for audit, then re-clone), checksums",
  options: [{ flag: "--host <host>", description: "the server that comes back (default: the first server that is not the primary)" }],
  mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
  steps: () => {
    let r: Rejoin | undefined;
    const pair = async (ctx: StepContext): Promise<Rejoin> => (r ??= { ...(await resolve(ctx)), errant: [] });
    const needsReclone = (): boolean => (r?.errant.length ?? 0) > 0;
    return [
      {
        name: "Check the primary and the returning server",
        hosts: () => [r?.primary.name ?? "the primary", r?.replica.name ?? "the returning server"],
        precondition: async (ctx) => {
          await pair(ctx);
        },
        action: async (ctx) => {
          const { primary, replica } = await pair(ctx);
          ctx.note(`${replica.name} rejoins ${primary.name}`);
        },
      },
      {
        name: "Restart the returning server as a replica",
        hosts: () => [r?.replica.name ?? "the returning server"],
        destructive: true,
        action: async (ctx) => {
          const { replica } = await pair(ctx);
          // init_rpl_role=SLAVE with semi-sync on the replica side: crash recovery truncates the binary
          // log to what was committed and acknowledged, instead of committing orphans of the old role.
          await writeRoleFile(ctx, replica, "fenced", { semiSync: true });
          await ctx.run(replica, replica.service.stop, { allowFailure: true });
          await ctx.run(replica, replica.service.start);
        },
        verify: async (ctx) => {
          const { replica } = await pair(ctx);
          if (!(await waitFor(() => serverAnswers(ctx, replica), 20000))) throw new Error(`${replica.name}'s server did not come back`);
          if (!(await isReadOnly(ctx, replica))) throw new Error(`${replica.name} started writable`);
        },
      },
      {
        name: "Look for errant transactions and save them for audit",
        hosts: () => [r?.replica.name ?? "the returning server"],
        action: async (ctx) => {
          const rejoin = await pair(ctx);
          const mine = await queryValue(ctx, rejoin.replica, "SELECT @@gtid_binlog_state");
          const theirs = await queryValue(ctx, rejoin.primary, "SELECT @@gtid_binlog_state");
          rejoin.errant = errantTransactions(mine, theirs);
          if (rejoin.errant.length === 0) {
            ctx.note(`no errant transactions: ${rejoin.replica.name} has ${mine || "nothing"}, all of it on ${rejoin.primary.name}`);
            ctx.report.errantTransactions = "none";
            return;
          }
          const described = rejoin.errant.map((e) => `${e.domainServer}-${e.afterSeq + 1}..${e.lastSeq}`).join(", ");
          const p = rejoin.replica.paths;
          const file = `${p.stateDir}/errant-${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.sql`;
          const start = rejoin.errant.map((e) => `${e.domainServer}-${e.afterSeq}`).join(",");
          await ctx.run(rejoin.replica, `mkdir -p ${shellQuote(p.stateDir)} && mariadb-binlog --start-position=${shellQuote(start)} --base64-output=DECODE-ROWS -vv ${shellQuote(p.binlogDir)}/mariadb-bin.[0-9]* > ${shellQuote(file)}`);
          ctx.report.errantTransactions = `${described}, saved to ${file} on ${rejoin.replica.name}; ${rejoin.replica.name} is re-cloned`;
          ctx.note(`errant transactions ${described} saved to ${file}`);
        },
      },
      ...recloneSteps(pair, needsReclone),
      {
        name: "Start replicating from the primary (semi-sync first)",
        hosts: () => [r?.replica.name ?? "the returning server"],
        action: async (ctx) => {
          const { primary, replica } = await pair(ctx);
          if (needsReclone()) return ctx.note("already replicating since the re-clone");
          await writeRoleFile(ctx, replica, "replica", { semiSync: ctx.inventory.semiSync });
          // Semi-sync on the replica side before START SLAVE: a replica that starts without it never
          // acknowledges, and the primary falls back to asynchronous commits after its timeout.
          await pointAtPrimary(ctx, replica, primary, [
            `SET GLOBAL rpl_semi_sync_slave_enabled = ${ctx.inventory.semiSync ? "ON" : "OFF"};`,
            "SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos;",
          ]);
        },
      },
      ...replicateAndVerifySteps(pair),
    ];
  },
};
