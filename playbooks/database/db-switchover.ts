import type { Runbook, StepContext } from "../engine/types";
import type { InventoryHost } from "../engine/inventory";
import { UnsafeStateError } from "../engine/errors";
import { execute, queryValue, semiSyncReplicaAcknowledges, slaveStatus, waitFor, writeRoleFile, pointAtPrimary } from "./mariadb";
import { chooseCandidate, livePrimary, requireReplicaCurrent } from "./roles";
import { recordRoleChange, stackUpdateAdvice } from "./role-history";
import { startHeartbeatSql } from "../../components/database/render-setup-sql";

interface Pair {
  primary: InventoryHost;
  replica: InventoryHost;
}

async function pair(ctx: StepContext): Promise<Pair> {
  const primary = await livePrimary(ctx);
  const replica = chooseCandidate(ctx, primary.name);
  if (replica.name === primary.name) throw new UnsafeStateError(`${replica.name} is already the primary`);
  return { primary, replica };
}

/** A planned role change with no transaction lost: writes stop, the replica catches up, roles swap. */
export const dbSwitchover: Runbook = {
  name: "db-switchover",
  summary: "planned role change: the primary stops writes, a replica catches up and becomes the primary, the old primary replicates from it",
  options: [{ flag: "--to <host>", description: "the replica to promote (default: the first replica)" }],
  steps: (inventory) => {
    let p: Pair | undefined;
    const current = async (ctx: StepContext): Promise<Pair> => (p ??= await pair(ctx));
    return [
      {
        name: "Check the primary and the replica's lag",
        hosts: () => inventory.hosts.map((h) => h.name),
        precondition: async (ctx) => {
          const { primary, replica } = await current(ctx);
          await requireReplicaCurrent(ctx, replica, primary);
        },
        action: async (ctx) => {
          const { primary, replica } = await current(ctx);
          ctx.note(`primary: ${primary.name}, promoting: ${replica.name}`);
        },
      },
      {
        name: "Stop writes on the primary",
        hosts: () => [p?.primary.name ?? "the primary"],
        destructive: true,
        // The heartbeat event runs as root, whom read_only does not stop: it stops first, or the old
        // primary would keep writing transactions the new one never gets.
        action: async (ctx) => execute(ctx, (await current(ctx)).primary, "SET GLOBAL event_scheduler = OFF; SET GLOBAL read_only = ON"),
        verify: async (ctx) => {
          if ((await queryValue(ctx, (await current(ctx)).primary, "SELECT @@read_only")) !== "1") throw new Error("read_only is still OFF");
        },
      },
      {
        name: "Wait until the replica has applied everything",
        hosts: () => [p?.replica.name ?? "the replica"],
        action: async (ctx) => {
          const { primary, replica } = await current(ctx);
          const position = await queryValue(ctx, primary, "SELECT @@gtid_binlog_pos");
          ctx.note(`primary's last GTID: ${position || "(none)"}`);
          if (ctx.dryRun) return;
          const waited = await queryValue(ctx, replica, `SELECT MASTER_GTID_WAIT('${position}', ${Math.max(1, ctx.inventory.maxLagSeconds)})`);
          if (waited !== "0") {
            throw new Error(`${replica.name} did not reach ${position} within ${ctx.inventory.maxLagSeconds} s; the primary is read-only now: resume to wait again, or run \`SET GLOBAL read_only = OFF\` on ${primary.name} to give up`);
          }
        },
      },
      {
        name: "Promote the replica",
        hosts: () => [p?.replica.name ?? "the replica"],
        destructive: true,
        action: async (ctx) => {
          const { replica } = await current(ctx);
          await execute(ctx, replica, `STOP SLAVE; RESET SLAVE ALL; SET GLOBAL rpl_semi_sync_master_enabled = ${ctx.inventory.semiSync ? "ON" : "OFF"}; SET GLOBAL read_only = OFF`);
          await writeRoleFile(ctx, replica, "primary", { semiSync: ctx.inventory.semiSync });
          ctx.report.newPrimary = replica.name;
          ctx.report.promotedAtGtid = await queryValue(ctx, replica, "SELECT @@gtid_binlog_pos");
        },
        verify: async (ctx) => {
          if ((await queryValue(ctx, (await current(ctx)).replica, "SELECT @@read_only")) !== "0") throw new Error("the promoted server is still read-only");
        },
      },
      {
        name: "Point the old primary at the new one",
        hosts: () => [p?.primary.name ?? "the old primary"],
        action: async (ctx) => {
          const { primary, replica } = await current(ctx);
          await writeRoleFile(ctx, primary, "replica", { semiSync: ctx.inventory.semiSync });
          // The old primary's own transactions are in its binlog position, not its slave position: start
          // replicating right after them.
          await pointAtPrimary(ctx, primary, replica, [
            "SET GLOBAL rpl_semi_sync_master_enabled = OFF;",
            `SET GLOBAL rpl_semi_sync_slave_enabled = ${ctx.inventory.semiSync ? "ON" : "OFF"};`,
            "SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos;",
          ]);
          // Only now, with a replica to acknowledge it: the heartbeat's first commit would otherwise wait
          // for the whole semi-sync timeout.
          await execute(ctx, replica, startHeartbeatSql());
          await recordRoleChange(ctx, replica, { runbook: "db-switchover", primary: replica.name, previous: primary.name, gtid: ctx.report.promotedAtGtid ?? "" });
        },
        verify: async (ctx) => {
          const { primary } = await current(ctx);
          const running = await waitFor(async () => {
            const s = await slaveStatus(ctx, primary);
            return s?.Slave_IO_Running === "Yes" && s.Slave_SQL_Running === "Yes";
          }, 15000);
          if (!running) throw new Error(`${primary.name} does not replicate from the new primary; see SHOW SLAVE STATUS on ${primary.name}`);
          const { replica } = await current(ctx);
          if (ctx.inventory.semiSync) {
            const acking = await semiSyncReplicaAcknowledges(ctx, replica);
            if (!acking) throw new Error(`${primary.name} replicates but does not acknowledge: ${replica.name} has no semi-sync replica`);
          }
          ctx.report.nextStep = stackUpdateAdvice(ctx, (await current(ctx)).replica.name);
        },
      },
    ];
  },
};
