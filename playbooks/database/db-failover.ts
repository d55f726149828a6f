import type { Runbook, StepContext } from "../engine/types";
import type { InventoryHost } from "../engine/inventory";
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import { hostGtidList } from "../engine/host-values";
import { lastHeartbeatFrom, parseVertical, portAnswers, roleInFile, serverState, slaveStatus, sqlCommand, writeRoleFile } from "./mariadb";
import { startHeartbeatSql } from "../../components/database/render-setup-sql";
import { chooseCandidate, hostByAddress, refuseSecondPrimary } from "./roles";
import { roleChangeCommand, stackUpdateAdvice } from "./role-history";

interface Failover {
  lost: InventoryHost;
  candidate: InventoryHost;
  /** Whether the lost primary's host still answers SSH (then it is fenced in place). */
  lostHostReachable: boolean;
}

/** `Last_IO_Error_Timestamp` (`YYMMDD HH:MM:SS`, the server's local time, which the toolkit sets to UTC). */
export function parseReplicationTimestamp(value: string): Date | undefined {
  const m = /^(\d{2})(\d{2})(\d{2}) {1,2}(\d{1,2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  return new Date(Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/**
 * The replica to promote and its replication status: --to, else the first server that answers and
 * replicates from someone (the inventory's roles may predate a switchover).
 */
async function candidateAndStatus(ctx: StepContext): Promise<{ candidate: InventoryHost; status: Record<string, string> }> {
  const hosts = typeof ctx.options.to === "string" ? [chooseCandidate(ctx)] : ctx.inventory.hosts;
  const states = await Promise.all(hosts.map(async (host) => ({ host, state: await serverState(ctx, host) })));
  const found = states.find((s) => s.state.slave);
  if (found?.state.slave) return { candidate: found.host, status: found.state.slave };
  const named = states[0];
  if (typeof ctx.options.to === "string" && named) {
    if (!named.state.answers) throw new RunbookInputError(`${named.host.name}: its MariaDB does not answer; it cannot be promoted`);
    throw new UnsafeStateError(`${named.host.name} replicates from nobody: is it already the primary? (see SHOW SLAVE STATUS)`);
  }
  throw new RunbookInputError(`no server of the ${ctx.inventory.stack} inventory answers as a replica: there is nothing to promote`);
}

/**
 * The primary is lost: fence it, let the replica apply everything it received, promote it. Refuses while
 * the old primary still answers (two primaries would split the data), unless --force. Every step is as
 * few round trips as it can be: this runbook's speed is the application's downtime.
 */
export const dbFailover: Runbook = {
  name: "db-failover",
  summary: "the primary is lost: fence it, apply everything the replica received, promote the replica, persist its role",
  options: [
    { flag: "--to <host>", description: "the replica to promote (default: the first replica)" },
    { flag: "--force", description: "promote even though the old primary still answers (only when it is cut off from every client)" },
    { flag: "--assume-fenced", description: "the old primary's host cannot be reached and you have stopped its VM yourself (qm stop <vmid>)" },
  ],
  mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
  steps: (inventory) => {
    let f: Failover | undefined;
    let lostAt: Date | undefined;
    const current = async (ctx: StepContext): Promise<Failover> => {
      if (f) return f;
      const { candidate, status } = await candidateAndStatus(ctx);
      const lost = hostByAddress(ctx, status.Master_Host);
      if (!lost) throw new UnsafeStateError(`${candidate.name} replicates from ${status.Master_Host}, which is not in the ${inventory.stack} inventory`);
      lostAt = parseReplicationTimestamp(status.Last_IO_Error_Timestamp ?? "");
      const reachable = await ctx.probe(lost, "true", { allowFailure: true });
      f = { lost, candidate, lostHostReachable: reachable.code === 0 };
      return f;
    };
    return [
      {
        name: "Check that the primary is really down",
        hosts: () => [f?.lost.name ?? "the old primary", f?.candidate.name ?? "the replica"],
        precondition: async (ctx) => {
          const { lost, candidate, lostHostReachable } = await current(ctx);
          const [fromReplica, onHost] = await Promise.all([
            portAnswers(ctx, candidate, lost.address, inventory.mariadbPort),
            lostHostReachable ? serverState(ctx, lost).then((s) => s.answers) : Promise.resolve(false),
          ]);
          if ((fromReplica || onHost) && ctx.options.force !== true) {
            throw new UnsafeStateError(
              `${lost.name} still answers (${[fromReplica ? `port ${inventory.mariadbPort} from ${candidate.name}` : "", onHost ? "its server on its own host" : ""].filter(Boolean).join(", ")}): ` +
              "promoting now would leave two primaries. For a planned change use db-switchover; pass --force only if the old primary is cut off from every client",
            );
          }
          if (!lostHostReachable && ctx.options["assume-fenced"] !== true) {
            throw new UnsafeStateError(
              `${lost.name}'s host does not answer SSH, so it cannot be fenced in place: stop its VM through Proxmox (\`qm stop ${lost.serverId}\` on its node, or \`ha-manager set vm:${lost.serverId} --state stopped\`), then run again with --assume-fenced`,
            );
          }
        },
        action: async (ctx) => {
          const { lost, candidate } = await current(ctx);
          if (lostAt) ctx.report.primaryLostAt = lostAt.toISOString();
          ctx.note(`lost primary: ${lost.name}; promoting ${candidate.name}`);
        },
      },
      {
        name: "Fence the old primary",
        hosts: () => [f?.lost.name ?? "the old primary"],
        destructive: true,
        action: async (ctx) => {
          const { lost, lostHostReachable } = await current(ctx);
          if (!lostHostReachable) {
            ctx.note(`${lost.name} is unreachable and the operator declared it fenced (--assume-fenced)`);
            return;
          }
          // Read-only, no replication start and semi-sync recovery as a replica when it comes back: the
          // application account (no READ ONLY ADMIN) can never write to it again, and crash recovery drops
          // what no replica acknowledged. Stopping it is best effort: it is down already.
          await writeRoleFile(ctx, lost, "fenced", { semiSync: true, then: `${lost.service.stop} || true` });
        },
        resumeCheck: async (ctx) => {
          const { lost, lostHostReachable } = await current(ctx);
          // Unreachable: the first step's check has required --assume-fenced.
          if (!lostHostReachable) return;
          const role = await roleInFile(ctx, lost);
          if (role !== "fenced") throw new UnsafeStateError(`${lost.name} is not fenced: its role file ${lost.paths.roleCnf} says ${role ?? "nothing"}, so it would start as a writable primary beside the promoted one`);
          const state = await serverState(ctx, lost);
          if (state.answers) throw new UnsafeStateError(`${lost.name}'s server runs again after it was fenced: check it before promoting another server`);
        },
      },
      {
        name: "Apply everything the replica received",
        hosts: () => [f?.candidate.name ?? "the replica"],
        action: async (ctx) => {
          const { candidate } = await current(ctx);
          const stopped = await ctx.run(candidate, `mariadb --defaults-file=${shellQuote(candidate.paths.adminCnf)} -E -e 'STOP SLAVE IO_THREAD; SHOW SLAVE STATUS'`);
          if (ctx.dryRun) return;
          const received = hostGtidList(parseVertical(stopped.stdout).Gtid_IO_Pos ?? "", `${candidate.name}: SHOW SLAVE STATUS Gtid_IO_Pos`);
          ctx.note(`received up to ${received || "(nothing)"}`);
          const waited = await ctx.probe(candidate, sqlCommand(candidate, `SELECT MASTER_GTID_WAIT('${received}', ${Math.max(1, inventory.maxLagSeconds)})`));
          if (waited.stdout.trim() !== "0") {
            throw new Error(`${candidate.name} did not apply everything it received (${received}) within ${inventory.maxLagSeconds} s; resume to wait again`);
          }
        },
        resumeCheck: async (ctx) => {
          const { candidate } = await current(ctx);
          const status = await slaveStatus(ctx, candidate);
          const received = hostGtidList(status?.Gtid_IO_Pos ?? "", `${candidate.name}: SHOW SLAVE STATUS Gtid_IO_Pos`);
          const waited = await ctx.probe(candidate, sqlCommand(candidate, `SELECT MASTER_GTID_WAIT('${received}', 1)`));
          if (waited.stdout.trim() !== "0") {
            throw new UnsafeStateError(`${candidate.name} has not applied everything it received (up to ${received || "nothing"}; SQL thread: ${status?.Slave_SQL_Running ?? "?"}): promoting it now would lose those transactions`);
          }
        },
      },
      {
        name: "Promote the replica and persist its role",
        hosts: () => [f?.candidate.name ?? "the replica"],
        destructive: true,
        precondition: async (ctx) => {
          const { lost, candidate, lostHostReachable } = await current(ctx);
          // Not the lost primary when its host is unreachable: asking would only add its timeout to the downtime.
          await refuseSecondPrimary(ctx, candidate, inventory.hosts.filter((h) => lostHostReachable || h.name !== lost.name));
        },
        action: async (ctx) => {
          const { lost, candidate } = await current(ctx);
          // No replica is left to acknowledge: waiting for one would stall every commit for the timeout.
          const promoted = await ctx.run(candidate, sqlCommand(candidate, "STOP SLAVE; SELECT @@gtid_slave_pos; RESET SLAVE ALL; SET GLOBAL rpl_semi_sync_master_enabled = OFF; SET GLOBAL read_only = OFF"));
          const promotedAt = Date.now();
          const applied = hostGtidList(promoted.stdout, `${candidate.name}: @@gtid_slave_pos`);
          await writeRoleFile(ctx, candidate, "primary", {
            semiSync: inventory.semiSync,
            primaryWaitsForAck: false,
            then: roleChangeCommand(candidate, { runbook: "db-failover", primary: candidate.name, previous: lost.name, gtid: applied }),
          });
          ctx.report.newPrimary = candidate.name;
          ctx.report.lastAppliedGtid = applied || "(none)";
          ctx.report.runbookSeconds = ((promotedAt - ctx.startedAt) / 1000).toFixed(1);
          // Read before this server's own heartbeat overwrites the row.
          const lastHeard = await lastHeartbeatFrom(ctx, candidate, lost.serverId);
          await ctx.run(candidate, sqlCommand(candidate, startHeartbeatSql()));
          if (lastHeard) {
            ctx.report.primaryLastAliveAt = lastHeard.toISOString();
            ctx.report.downtimeSeconds = `${((promotedAt - lastHeard.getTime()) / 1000).toFixed(1)} (from ${lost.name}'s last heartbeat to the promotion; heartbeats are 1 s apart)`;
          } else if (ctx.report.primaryLostAt) {
            ctx.report.downtimeSeconds = `${((promotedAt - Date.parse(ctx.report.primaryLostAt)) / 1000).toFixed(1)} (from the replica losing its primary to the promotion, 1 s resolution)`;
          } else {
            ctx.report.downtimeSeconds = `unknown: no heartbeat from ${lost.name} on ${candidate.name}`;
          }
        },
        verify: async (ctx) => {
          const { candidate } = await current(ctx);
          const check = await ctx.probe(candidate, `${sqlCommand(candidate, "SELECT @@read_only")} && grep -c '^read_only = OFF' ${shellQuote(candidate.paths.roleCnf)}`, { allowFailure: true });
          if (check.stdout.split("\n")[0]?.trim() !== "0") throw new Error(`${candidate.name} is still read-only`);
          if (check.code !== 0) throw new Error(`${candidate.paths.roleCnf} on ${candidate.name} does not say read_only = OFF`);
          ctx.report.nextStep = `${stackUpdateAdvice(ctx, candidate.name)}; bring the old primary back with db-rejoin`;
        },
      },
    ];
  },
};
