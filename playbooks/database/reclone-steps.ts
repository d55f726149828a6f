import type { Step, StepContext } from "../engine/types";
import type { InventoryHost } from "../engine/inventory";
import { shellQuote } from "../engine/shell-quote";
import { UnsafeStateError } from "../engine/errors";
import { hostGtidList } from "../engine/host-values";
import { execute, pointAtPrimary, queryValue, semiSyncClients, semiSyncReplicaAcknowledges, serverAnswers, slaveStatus, tableChecksums, userTables, waitFor, writeRoleFile } from "./mariadb";

/** The primary and the server being rebuilt or rejoined, resolved once by the runbook's first step. */
export interface ReplicaPair {
  primary: InventoryHost;
  replica: InventoryHost;
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/**
 * Rebuilds `replica` from a backup of `primary` streamed through this machine: mbstream into a fresh
 * directory, prepared, swapped in. The old datadir and binary logs are kept beside it, never deleted, so
 * nothing that was on the server is lost. `when` lets db-rejoin skip these steps when no re-clone is needed.
 */
export function recloneSteps(
  pair: (ctx: StepContext) => Promise<ReplicaPair>,
  when: (ctx: StepContext) => boolean = () => true,
  /** On a resume past the stop: whether the server still runs on the data the re-clone replaces. */
  runsOnOldData: (ctx: StepContext) => Promise<boolean> = () => Promise.resolve(false),
): Step[] {
  const fresh = (h: InventoryHost): string => `${h.paths.datadir}.reclone`;
  const skipped = (ctx: StepContext): boolean => {
    if (when(ctx)) return false;
    ctx.note("not needed: skipped");
    return true;
  };
  return [
    {
      name: "Stop waiting for this replica's acknowledgements at the primary",
      hosts: () => ["the primary"],
      action: async (ctx) => {
        if (skipped(ctx)) return;
        const { primary } = await pair(ctx);
        // With its last semi-sync replica gone, the primary would stall every commit for the whole timeout
        // before falling back; stop waiting now, and turn it back on once the rebuilt replica acknowledges.
        const clients = await semiSyncClients(ctx, primary);
        if (!ctx.inventory.semiSync || clients > 1) return ctx.note(`${clients} semi-sync replica(s) connected: nothing to change`);
        await execute(ctx, primary, "SET GLOBAL rpl_semi_sync_master_enabled = OFF");
        await writeRoleFile(ctx, primary, "primary", { semiSync: true, primaryWaitsForAck: false });
      },
    },
    {
      name: "Stop the server to rebuild",
      hosts: () => ["the replica"],
      destructive: true,
      action: async (ctx) => {
        if (skipped(ctx)) return;
        const { replica } = await pair(ctx);
        await ctx.run(replica, replica.service.stop);
      },
      verify: async (ctx) => {
        if (!when(ctx)) return;
        const { replica } = await pair(ctx);
        if (await serverAnswers(ctx, replica)) throw new Error(`${replica.name}'s server still answers after stop`);
      },
      resumeCheck: async (ctx) => {
        if (!when(ctx) || !(await runsOnOldData(ctx))) return;
        const { replica } = await pair(ctx);
        throw new UnsafeStateError(`${replica.name}'s server runs on its old data, which must be rebuilt: resuming after this step would skip stopping it and its re-clone`);
      },
    },
    {
      name: "Stream a fresh backup of the primary into a new directory",
      hosts: () => ["the primary", "the replica"],
      action: async (ctx) => {
        if (skipped(ctx)) return;
        const { primary, replica } = await pair(ctx);
        const dir = shellQuote(fresh(replica));
        // umask 077: the copied data is readable by its owner only, as in a datadir.
        await ctx.run(replica, `umask 077 && rm -rf ${dir} && mkdir -p ${dir} && chmod 0700 ${dir}`);
        // Its scratch directory and log in a fresh private directory (mktemp), never a fixed path in /tmp.
        await ctx.pipe(
          primary,
          `umask 077; t=$(mktemp -d) || exit 1; trap 'rm -rf "$t"' EXIT; mariabackup --defaults-file=${shellQuote(primary.paths.serverCnf)} --backup --stream=mbstream --user=root --socket=${shellQuote(primary.paths.socket)} --target-dir="$t" 2>"$t/backup.log" || { tail -20 "$t/backup.log" >&2; exit 1; }`,
          replica,
          `umask 077 && mbstream -x -C ${dir}`,
          { auditAs: `mariabackup --backup --stream=mbstream on ${primary.name} | mbstream -x -C ${fresh(replica)} on ${replica.name}` },
        );
      },
    },
    {
      name: "Prepare the backup",
      hosts: () => ["the replica"],
      action: async (ctx) => {
        if (skipped(ctx)) return;
        const { replica } = await pair(ctx);
        await ctx.run(replica, `mariabackup --prepare --target-dir=${shellQuote(fresh(replica))} 2>&1 | tail -5`);
      },
    },
    {
      name: "Swap the rebuilt datadir in, keeping the old one",
      hosts: () => ["the replica"],
      destructive: true,
      // Moving a datadir from under a running server corrupts what it writes next. A dry run did not stop it.
      precondition: async (ctx) => {
        if (!when(ctx) || ctx.dryRun) return;
        const { replica } = await pair(ctx);
        if (await serverAnswers(ctx, replica)) throw new UnsafeStateError(`${replica.name}'s server runs: swapping its datadir from under it would corrupt it; it must be stopped first`);
      },
      // After the swap the rebuilt server is started: that it answers then is right.
      resumeCheck: async (ctx) => {
        if (!when(ctx)) return;
        const { replica } = await pair(ctx);
        const swapped = await ctx.probe(replica, `test -e ${shellQuote(`${replica.paths.datadir}/xtrabackup_checkpoints`)}`, { allowFailure: true });
        if (swapped.code !== 0) throw new UnsafeStateError(`${replica.paths.datadir} on ${replica.name} is not a rebuilt datadir (no xtrabackup_checkpoints): its swap did not happen`);
      },
      action: async (ctx) => {
        if (skipped(ctx)) return;
        const { replica } = await pair(ctx);
        const p = replica.paths;
        const kept = stamp();
        ctx.report.keptOldData = `${p.datadir}.before-reclone-${kept} and ${p.binlogDir}.before-reclone-${kept} on ${replica.name}`;
        await ctx.run(replica, [
          `owner=$(stat -c %u:%g ${shellQuote(p.datadir)})`,
          `mv ${shellQuote(p.datadir)} ${shellQuote(`${p.datadir}.before-reclone-${kept}`)}`,
          `mv ${shellQuote(p.binlogDir)} ${shellQuote(`${p.binlogDir}.before-reclone-${kept}`)}`,
          `mv ${shellQuote(fresh(replica))} ${shellQuote(p.datadir)}`,
          `mkdir -p ${shellQuote(p.binlogDir)}`,
          `chown -R "$owner" ${shellQuote(p.datadir)} ${shellQuote(p.binlogDir)}`,
        ].join(" && "));
      },
    },
    {
      name: "Start the rebuilt server as a replica",
      hosts: () => ["the replica"],
      action: async (ctx) => {
        if (skipped(ctx)) return;
        const { primary, replica } = await pair(ctx);
        await writeRoleFile(ctx, replica, "replica", { semiSync: ctx.inventory.semiSync });
        await ctx.run(replica, replica.service.start);
        // mariabackup 10.11 still names it xtrabackup_binlog_info; later releases use mariadb_backup_*.
        const info = ctx.dryRun
          ? { stdout: "file position <the backup's GTID>" }
          : await ctx.probe(replica, `cat ${shellQuote(replica.paths.datadir)}/xtrabackup_binlog_info 2>/dev/null || cat ${shellQuote(replica.paths.datadir)}/mariadb_backup_binlog_info`);
        const gtid = ctx.dryRun ? "" : hostGtidList(info.stdout.trim().split(/\s+/)[2] ?? "", `${replica.name}: the backup's binlog_info`);
        ctx.note(`the backup ends at GTID ${gtid || "(none)"}`);
        await pointAtPrimary(ctx, replica, primary, [
          `SET GLOBAL gtid_slave_pos = '${gtid}';`,
          `SET GLOBAL rpl_semi_sync_slave_enabled = ${ctx.inventory.semiSync ? "ON" : "OFF"};`,
        ]);
      },
    },
  ];
}

/**
 * Semi-sync back on at the primary once the replica replicates (with its semi-sync side on): enabled while
 * no replica is connected, every commit would wait the whole timeout for an acknowledgement.
 */
function enableSemiSyncStep(pair: (ctx: StepContext) => Promise<ReplicaPair>): Step {
  return {
    name: "Turn semi-sync back on at the primary",
    hosts: () => ["the primary"],
    action: async (ctx) => {
      const { primary } = await pair(ctx);
      if (!ctx.inventory.semiSync) return ctx.note("semi-sync is off in this stack");
      await execute(ctx, primary, "SET GLOBAL rpl_semi_sync_master_enabled = ON");
      await writeRoleFile(ctx, primary, "primary", { semiSync: true });
    },
  };
}

/**
 * Semi-sync back on at the primary; the replica catches up, its acknowledgements reach the primary, and
 * CHECKSUM TABLE agrees on every table.
 */
export function replicateAndVerifySteps(pair: (ctx: StepContext) => Promise<ReplicaPair>): Step[] {
  return [
    enableSemiSyncStep(pair),
    {
      name: "Verify: replication runs and every table's checksum matches",
      hosts: () => ["the primary", "the replica"],
      action: async (ctx) => {
        const { primary, replica } = await pair(ctx);
        if (ctx.dryRun) {
          await userTables(ctx, primary);
          return;
        }
        const running = await waitFor(async () => {
          const s = await slaveStatus(ctx, replica);
          return s?.Slave_IO_Running === "Yes" && s.Slave_SQL_Running === "Yes";
        }, 20000);
        if (!running) {
          const s = await slaveStatus(ctx, replica);
          throw new Error(`${replica.name} does not replicate: ${s?.Last_IO_Error || s?.Last_SQL_Error || "see SHOW SLAVE STATUS"}`);
        }
        if (ctx.inventory.semiSync) {
          const acking = await semiSyncReplicaAcknowledges(ctx, primary);
          if (!acking) throw new Error(`${primary.name} has no semi-sync replica: ${replica.name} replicates but does not acknowledge (is rpl_semi_sync_slave_enabled on?)`);
        }
        const position = hostGtidList(await queryValue(ctx, primary, "SELECT @@gtid_binlog_pos"), `${primary.name}: @@gtid_binlog_pos`);
        const waited = await queryValue(ctx, replica, `SELECT MASTER_GTID_WAIT('${position}', 60)`);
        if (waited !== "0") throw new Error(`${replica.name} did not catch up to ${position} within 60 s`);
        const tables = await userTables(ctx, primary);
        const [ours, theirs] = [await tableChecksums(ctx, primary, tables), await tableChecksums(ctx, replica, tables)];
        const differing = tables.filter((t) => ours.get(t) === undefined || ours.get(t) !== theirs.get(t));
        ctx.report.tablesCompared = String(tables.length);
        if (differing.length) throw new Error(`checksums differ on ${differing.join(", ")}`);
        ctx.report.checksums = `all ${tables.length} tables match at ${position}`;
      },
    },
  ];
}
