import type { Runbook, StepContext } from "../engine/types";
import type { InventoryHost } from "../engine/inventory";
import { UnsafeStateError } from "../engine/errors";
import { hostGtidList } from "../engine/host-values";
import { execute, isReadOnly, queryValue, semiSyncReplicaAcknowledges, serverAnswers, slaveStatus, waitFor, writeRoleFile, pointAtPrimary } from "./mariadb";
import { chooseCandidate, hostByAddress, livePrimary, refuseSecondPrimary, refuseSplitBrain, requireReplicaCurrent } from "./roles";
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

/**
 * On a resume, the pair as the servers show it, whatever step the last run stopped at: until the
 * promotion the replica replicates from the old primary; after it, the replica is the one writable server
 * and replicates from nobody, and the old primary is the read-only server that replicates from nobody or
 * from it.
 */
async function resumedPair(ctx: StepContext): Promise<Pair & { promoted: boolean }> {
  const writable = await refuseSplitBrain(ctx);
  const masters = new Map<string, InventoryHost | undefined>();
  for (const h of ctx.inventory.hosts) {
    const status = (await serverAnswers(ctx, h)) ? await slaveStatus(ctx, h) : undefined;
    if (status) {
      const master = hostByAddress(ctx, status.Master_Host);
      if (!master) throw new UnsafeStateError(`${h.name} replicates from ${status.Master_Host}, which is not in the ${ctx.inventory.stack} inventory`);
      masters.set(h.name, master);
    }
  }
  const replicatingFrom = (h: InventoryHost): InventoryHost | undefined => masters.get(h.name);
  let replica: InventoryHost | undefined;
  if (typeof ctx.options.to === "string") replica = chooseCandidate(ctx);
  else if (writable.length === 1 && ctx.inventory.hosts.some((h) => replicatingFrom(h)?.name === writable[0].name)) replica = chooseCandidate(ctx, writable[0].name);
  else if (writable.length === 1) replica = writable[0];
  else replica = ctx.inventory.hosts.find((h) => h.role === "replica" && replicatingFrom(h)) ?? ctx.inventory.hosts.find((h) => replicatingFrom(h));
  if (!replica) throw new UnsafeStateError("no server accepts writes and none replicates: cannot tell which switchover to resume; check SHOW SLAVE STATUS and read_only on every server");
  const master = replicatingFrom(replica);
  if (master) return { primary: master, replica, promoted: false };
  const promoted = replica;
  if (!writable.some((h) => h.name === promoted.name)) {
    throw new UnsafeStateError(`${promoted.name} replicates from nobody and is read-only: it is neither a replica of the old primary nor promoted; check it before resuming`);
  }
  const old = ctx.inventory.hosts.filter((h) => h.name !== promoted.name && (replicatingFrom(h) === undefined || replicatingFrom(h)?.name === promoted.name));
  if (old.length !== 1) throw new UnsafeStateError(`${promoted.name} was promoted, but the old primary cannot be told from the other servers (${old.map((h) => h.name).join(", ") || "none"}); finish by hand`);
  return { primary: old[0], replica: promoted, promoted: true };
}

/** A planned role change with no transaction lost: writes stop, the replica catches up, roles swap. */
export const dbSwitchover: Runbook = {
  name: "db-switchover",
  summary: "planned role change: the primary stops writes, a replica catches up and becomes the primary, the old primary replicates from it",
  options: [{ flag: "--to <host>", description: "the replica to promote (default: the first replica)" }],
  steps: (inventory) => {
    let p: Pair | undefined;
    /** Set by the first step's resume check: whether the promotion (step 4) had happened. */
    let promoted = false;
    const current = async (ctx: StepContext): Promise<Pair> => (p ??= await pair(ctx));
    return [
      {
        name: "Check the primary and the replica's lag",
        hosts: () => inventory.hosts.map((h) => h.name),
        precondition: async (ctx) => {
          const { primary, replica } = await current(ctx);
          await requireReplicaCurrent(ctx, replica, primary);
        },
        resumeCheck: async (ctx) => {
          const resumed = await resumedPair(ctx);
          p = { primary: resumed.primary, replica: resumed.replica };
          promoted = resumed.promoted;
          if (promoted) return ctx.note(`${resumed.replica.name} was promoted already; old primary: ${resumed.primary.name}`);
          // While the primary still takes writes the lag matters as at the start; once it is read-only,
          // catching up is what step 3 waits for, but the replica must replicate from it.
          const primaryWritable = (await serverAnswers(ctx, resumed.primary)) && !(await isReadOnly(ctx, resumed.primary));
          await requireReplicaCurrent(ctx, resumed.replica, resumed.primary, { lag: primaryWritable });
          ctx.note(`primary: ${resumed.primary.name}, promoting: ${resumed.replica.name}`);
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
        resumeCheck: async (ctx) => {
          const { primary, replica } = await current(ctx);
          if ((await queryValue(ctx, primary, "SELECT @@read_only")) !== "1") {
            throw new UnsafeStateError(`${primary.name} still accepts writes (read_only = OFF): its writes were not stopped, and the later steps would promote ${replica.name} beside it, two writable primaries`);
          }
        },
      },
      {
        name: "Wait until the replica has applied everything",
        hosts: () => [p?.replica.name ?? "the replica"],
        action: async (ctx) => {
          const { primary, replica } = await current(ctx);
          const position = hostGtidList(await queryValue(ctx, primary, "SELECT @@gtid_binlog_pos"), `${primary.name}: @@gtid_binlog_pos`);
          ctx.note(`primary's last GTID: ${position || "(none)"}`);
          if (ctx.dryRun) return;
          const waited = await queryValue(ctx, replica, `SELECT MASTER_GTID_WAIT('${position}', ${Math.max(1, ctx.inventory.maxLagSeconds)})`);
          if (waited !== "0") {
            throw new Error(`${replica.name} did not reach ${position} within ${ctx.inventory.maxLagSeconds} s; the primary is read-only now: resume to wait again, or run \`SET GLOBAL read_only = OFF\` on ${primary.name} to give up`);
          }
        },
        resumeCheck: async (ctx) => {
          if (promoted) return;
          const { primary, replica } = await current(ctx);
          const position = hostGtidList(await queryValue(ctx, primary, "SELECT @@gtid_binlog_pos"), `${primary.name}: @@gtid_binlog_pos`);
          if ((await queryValue(ctx, replica, `SELECT MASTER_GTID_WAIT('${position}', 1)`)) !== "0") {
            throw new UnsafeStateError(`${replica.name} has not applied everything ${primary.name} logged (up to ${position || "nothing"}): promoting it now would lose those transactions`);
          }
        },
      },
      {
        name: "Promote the replica",
        hosts: () => [p?.replica.name ?? "the replica"],
        destructive: true,
        precondition: async (ctx) => {
          const { primary, replica } = await current(ctx);
          // A dry run did not make the primary read-only (step 2): of it, only the real run can tell.
          await refuseSecondPrimary(ctx, replica, ctx.inventory.hosts.filter((h) => !(ctx.dryRun && h.name === primary.name)));
        },
        resumeCheck: async (ctx) => {
          const { primary, replica } = await current(ctx);
          if (!promoted) throw new UnsafeStateError(`${replica.name} has not been promoted (it is read-only and replicates from ${primary.name}): pointing ${primary.name} at it now would make them replicate from each other`);
        },
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
