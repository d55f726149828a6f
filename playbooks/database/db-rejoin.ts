import type { Runbook, StepContext } from "../engine/types";
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import { hostGtidList } from "../engine/host-values";
import { errantTransactions, isReadOnly, pointAtPrimary, queryValue, roleInFile, serverAnswers, slaveStatus, waitFor, writeRoleFile } from "./mariadb";
import { serverBesidePrimary } from "./roles";
import { recloneSteps, replicateAndVerifySteps, type ReplicaPair } from "./reclone-steps";

interface Rejoin extends ReplicaPair {
  errant: { domainServer: string; afterSeq: number; lastSeq: number }[];
  /** On a resume with the returning server stopped (mid re-clone), its errant transactions cannot be read. */
  errantUnknown?: boolean;
}

/** What the returning server logged that the primary never got (both positions validated first). */
async function findErrant(ctx: StepContext, rejoin: Rejoin): Promise<{ mine: string }> {
  const mine = hostGtidList(await queryValue(ctx, rejoin.replica, "SELECT @@gtid_binlog_state"), `${rejoin.replica.name}: @@gtid_binlog_state`);
  const theirs = hostGtidList(await queryValue(ctx, rejoin.primary, "SELECT @@gtid_binlog_state"), `${rejoin.primary.name}: @@gtid_binlog_state`);
  rejoin.errant = errantTransactions(mine, theirs);
  return { mine };
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
    const needsReclone = (): boolean => (r?.errant.length ?? 0) > 0 || r?.errantUnknown === true;
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
        resumeCheck: async (ctx) => {
          const { replica } = await pair(ctx);
          const role = await roleInFile(ctx, replica);
          if (role !== "fenced" && role !== "replica") {
            throw new UnsafeStateError(`${replica.name}'s role file ${replica.paths.roleCnf} says ${role ?? "nothing"}: it was not restarted as a replica, so semi-sync recovery has not removed what no replica acknowledged`);
          }
        },
      },
      {
        name: "Look for errant transactions and save them for audit",
        hosts: () => [r?.replica.name ?? "the returning server"],
        action: async (ctx) => {
          const rejoin = await pair(ctx);
          const { mine } = await findErrant(ctx, rejoin);
          if (rejoin.errant.length === 0) {
            ctx.note(`no errant transactions: ${rejoin.replica.name} has ${mine || "nothing"}, all of it on ${rejoin.primary.name}`);
            ctx.report.errantTransactions = "none";
            return;
          }
          const described = rejoin.errant.map((e) => `${e.domainServer}-${e.afterSeq + 1}..${e.lastSeq}`).join(", ");
          const p = rejoin.replica.paths;
          const file = `${p.stateDir}/errant-${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.sql`;
          const start = rejoin.errant.map((e) => `${e.domainServer}-${e.afterSeq}`).join(",");
          // umask 077: the saved transactions are data, readable by their owner only.
          await ctx.run(rejoin.replica, `umask 077 && mkdir -p ${shellQuote(p.stateDir)} && mariadb-binlog --start-position=${shellQuote(start)} --base64-output=DECODE-ROWS -vv ${shellQuote(p.binlogDir)}/mariadb-bin.[0-9]* > ${shellQuote(file)}`);
          ctx.report.errantTransactions = `${described}, saved to ${file} on ${rejoin.replica.name}; ${rejoin.replica.name} is re-cloned`;
          ctx.note(`errant transactions ${described} saved to ${file}`);
        },
        // What this step found decides whether the re-clone runs: a resume finds it again.
        resumeCheck: async (ctx) => {
          const rejoin = await pair(ctx);
          if (!(await serverAnswers(ctx, rejoin.replica))) {
            rejoin.errantUnknown = true;
            return ctx.note(`${rejoin.replica.name}'s server is stopped (a re-clone was under way): the re-clone steps run`);
          }
          await findErrant(ctx, rejoin);
          if (rejoin.errant.length) ctx.note(`${rejoin.replica.name} has errant transactions: ${rejoin.errant.map((e) => `${e.domainServer}-${e.afterSeq + 1}..${e.lastSeq}`).join(", ")}`);
        },
      },
      // A server that answers with errant transactions still has its old data: a resume must not skip its re-clone.
      ...recloneSteps(pair, needsReclone, async (ctx) => (r?.errant.length ?? 0) > 0 && (await serverAnswers(ctx, (await pair(ctx)).replica))),
      {
        name: "Start replicating from the primary (semi-sync first)",
        hosts: () => [r?.replica.name ?? "the returning server"],
        action: async (ctx) => {
          const { primary, replica } = await pair(ctx);
          if (needsReclone()) return ctx.note("already replicating since the re-clone");
          await writeRoleFile(ctx, replica, "replica", { semiSync: ctx.inventory.semiSync });
          // A resume after a finished re-clone: its replication is right, and resetting gtid_slave_pos to
          // the server's own (near-empty) binlog position would replay the primary's history again.
          const status = await slaveStatus(ctx, replica);
          if (status?.Master_Host === primary.address && status.Slave_IO_Running === "Yes" && status.Slave_SQL_Running === "Yes") {
            return ctx.note(`${replica.name} already replicates from ${primary.name}`);
          }
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
