import type { Runbook, StepContext } from "../engine/types";
import type { InventoryHost } from "../engine/inventory";
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import { hostBinlogName, hostGtidList } from "../engine/host-values";
import { binlogDatetime, chooseBackups, parseManifestLine, replayStart, parsePitrTarget, seqInDomain, type BackupManifest, type PitrTarget } from "./pitr-target";

interface Restore {
  host: InventoryHost;
  /** Whose backups: backups live under the name of the server they were taken on. */
  server: string;
  target: PitrTarget;
  full: BackupManifest;
  incrementals: BackupManifest[];
  /** The restored datadir. */
  dir: string;
  binlogFiles: string[];
}

function backupRoot(host: InventoryHost, server: string): string {
  return `${host.paths.backupDir}/${server}`;
}

/** The mariadb-binlog options that stop exactly at the target: inclusive for a GTID and for a second. */
export function stopOptions(target: PitrTarget): string {
  // --stop-datetime stops before the first event at or after it; one second later keeps the target second.
  return target.kind === "gtid" ? `--stop-position=${target.gtid}` : `--stop-datetime=${shellQuote(binlogDatetime(new Date(target.time.getTime() + 1000)))}`;
}

function describeTarget(target: PitrTarget): string {
  return target.kind === "gtid" ? `GTID ${target.gtid}` : `${target.time.toISOString()} (inclusive, to the second)`;
}

/**
 * Full backup + incrementals + captured binary logs into a new datadir beside the live one, exact to the
 * second or to the GTID. Touches no running server: the result is started as a separate, socket-only
 * server for the operator to inspect, copy from, or promote by hand.
 */
export const dbRestorePitr: Runbook = {
  name: "db-restore-pitr",
  summary: "point-in-time restore into a new datadir (full + incrementals + binary logs), exact to the second or the GTID",
  options: [
    { flag: "--to <time|gtid>", description: "restore every transaction up to and including this GTID or second (UTC unless a zone is given)", required: true },
    { flag: "--host <host>", description: "the host holding the backups (default: the first replica)" },
    { flag: "--from-server <name>", description: "whose backups to use (default: the host's own)" },
  ],
  mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
  validate: (options) => {
    if (typeof options.to !== "string") throw new RunbookInputError("db-restore-pitr needs --to <time|gtid>");
    parsePitrTarget(options.to);
  },
  steps: (inventory, options) => {
    const target = parsePitrTarget(String(options.to));
    let r: Restore | undefined;
    const restore = async (ctx: StepContext): Promise<Restore> => {
      if (r) return r;
      const name = typeof options.host === "string" ? options.host : (inventory.hosts.find((h) => h.role === "replica") ?? inventory.hosts[0]).name;
      const host = inventory.hosts.find((h) => h.name === name);
      if (!host) throw new RunbookInputError(`--host: expected one of ${inventory.hosts.map((h) => h.name).join(", ")}, found "${name}"`);
      const server = typeof options["from-server"] === "string" ? options["from-server"] : host.name;
      const root = backupRoot(host, server);
      const listing = await ctx.probe(host, `cd ${shellQuote(root)} 2>/dev/null && for m in full/*/ibac-backup.json inc/*/ibac-backup.json; do [ -f "$m" ] && { printf '%s\\t' "$(dirname "$m")"; tr -d '\\n' < "$m"; echo; }; done; true`);
      const manifests: BackupManifest[] = listing.stdout.split("\n").filter(Boolean).map((line) => parseManifestLine(line, `${host.name}: ${root}`));
      if (manifests.length === 0) throw new RunbookInputError(`no finished backups under ${root} on ${host.name}`);
      const fulls = manifests.filter((m) => m.kind === "full").sort((a, b) => a.finished.localeCompare(b.finished));
      const binlogs = await ctx.probe(host, `ls -1 ${shellQuote(root)}/binlog 2>/dev/null | grep -E '\\.[0-9]+$' || true`);
      const binlogFiles = binlogs.stdout.split("\n").filter(Boolean).map((f) => hostBinlogName(f, `${host.name}: ${root}/binlog`)).sort().map((f) => `${root}/binlog/${f}`);
      const chosen = chooseBackups(manifests, target);
      const oldest = fulls[0];
      if (!chosen) {
        throw new RunbookInputError(`--to ${describeTarget(target)} is before the oldest restore point: the oldest full backup on ${host.name} finished at ${oldest?.finished ?? "?"} (GTID ${oldest?.gtid ?? "?"})`);
      }
      // The newest restore point: the last event and the last GTID of the newest captured file, in one
      // pass, from the newest backup's offset when the file is the backup's own (nothing older is decoded).
      const newestBackup = chosen.incrementals.at(-1) ?? chosen.full;
      const lastFile = binlogFiles.at(-1);
      const offset = lastFile && lastFile.endsWith(`/${newestBackup.binlogFile ?? "-"}`) && newestBackup.binlogPosition ? `--start-position=${newestBackup.binlogPosition} ` : "";
      const scan = lastFile
        ? await ctx.probe(host, `TZ=UTC mariadb-binlog ${offset}${shellQuote(lastFile)} 2>/dev/null | awk '/^#[0-9]{6} / { t = substr($0, 2, 15) } match($0, /GTID [0-9]+-[0-9]+-[0-9]+/) { g = substr($0, RSTART + 5, RLENGTH - 5) } END { print t; print g }'`)
        : { stdout: "\n" };
      const [newestLine = "", lastGtidLine = ""] = scan.stdout.split("\n");
      const newest = { stdout: newestLine };
      const lastGtid = { stdout: hostGtidList(lastGtidLine, `${host.name}: the last GTID in ${lastFile ?? "the binary logs"}`) };
      const lastEvent = /^(\d{2})(\d{2})(\d{2}) +(\d{1,2}):(\d{2}):(\d{2})/.exec(newest.stdout.trim());
      const newestTime = lastEvent ? Date.UTC(2000 + Number(lastEvent[1]), Number(lastEvent[2]) - 1, Number(lastEvent[3]), Number(lastEvent[4]), Number(lastEvent[5]), Number(lastEvent[6])) : undefined;
      const lastSeq = seqInDomain(lastGtid.stdout.trim(), target.kind === "gtid" ? target.domain : 0);
      const beyond = target.kind === "time"
        ? newestTime === undefined ? Date.parse(newestBackup.finished) < target.time.getTime() : target.time.getTime() > newestTime + 999
        : target.seq > Math.max(lastSeq, seqInDomain(newestBackup.gtid, target.domain));
      if (beyond) {
        const newestText = newestTime !== undefined ? `${new Date(newestTime).toISOString()} (GTID ${lastGtid.stdout.trim()})` : "the newest backup (no binary logs captured)";
        throw new RunbookInputError(`--to ${describeTarget(target)} is after the newest restore point on ${host.name}: ${newestText}`);
      }
      const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
      r = { host, server, target, full: chosen.full, incrementals: chosen.incrementals, dir: `${host.paths.datadir}.pitr-${stamp}`, binlogFiles };
      return r;
    };
    const root = (x: Restore): string => backupRoot(x.host, x.server);
    const runDir = (x: Restore): string => `${x.dir}-run`;
    const sock = (x: Restore): string => `${runDir(x)}/mysqld.sock`;
    const pidFile = (x: Restore): string => `${runDir(x)}/mysqld.pid`;
    /** The socket-only server on the restored datadir ("$owner": the live datadir's owner, read on the host). */
    const temporaryServer = (x: Restore): string =>
      `mariadbd --no-defaults --user="$owner" --datadir=${shellQuote(x.dir)} --socket=${shellQuote(sock(x))} --pid-file=${shellQuote(pidFile(x))} --skip-networking --skip-slave-start --log-error=${shellQuote(`${runDir(x)}/mysqld.err`)} --innodb-buffer-pool-size=256M`;
    /** Stops it by the PID in its pid file, only if that process runs on this datadir, and waits until it is gone. */
    const stopTemporaryServer = (x: Restore): string => {
      const pid = shellQuote(pidFile(x));
      return `p=$(cat ${pid} 2>/dev/null) || exit 0; grep -qF -- ${shellQuote(`--datadir=${x.dir}`)} /proc/"$p"/cmdline 2>/dev/null || exit 0; kill "$p"; for i in $(seq 1 300); do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.1; done; echo "the temporary server (pid $p) did not stop within 30 s" >&2; exit 1`;
    };
    return [
      {
        name: "Choose the backups that cover the target",
        hosts: () => [r?.host.name ?? "the backup host"],
        precondition: async (ctx) => {
          await restore(ctx);
        },
        // Each run restores into a new directory, and a replay that stopped part-way cannot be applied
        // again (its first transactions would be applied twice): a restore starts over, never resumes.
        resumeCheck: () => Promise.reject(new UnsafeStateError(
          "a point-in-time restore is never resumed: a replay that stopped part-way would apply its first transactions twice, and each run restores into a new directory; run it again without --from-step (it touches no live server)",
        )),
        action: async (ctx) => {
          const x = await restore(ctx);
          ctx.note(`target: ${describeTarget(x.target)}`);
          ctx.note(`full backup ${x.full.dir} (GTID ${x.full.gtid}), ${x.incrementals.length} incremental(s)${x.incrementals.length ? `: ${x.incrementals.map((i) => i.dir).join(", ")}` : ""}, ${x.binlogFiles.length} binary log file(s)`);
        },
      },
      {
        name: "Copy the full backup into a new datadir",
        hosts: () => [r?.host.name ?? "the backup host"],
        action: async (ctx) => {
          const x = await restore(ctx);
          // Restored data is readable by its owner only: cp -a keeps the backup's modes, so the directory
          // itself is closed (0700) and everything written later is created under umask 077.
          await ctx.run(x.host, `umask 077 && cp -a ${shellQuote(`${root(x)}/${x.full.dir}`)} ${shellQuote(x.dir)} && chmod 0700 ${shellQuote(x.dir)} && rm -f ${shellQuote(`${x.dir}/ibac-backup.json`)}`);
        },
      },
      {
        name: "Prepare it and apply the incrementals",
        hosts: () => [r?.host.name ?? "the backup host"],
        action: async (ctx) => {
          const x = await restore(ctx);
          const log = shellQuote(`${x.dir}.prepare.log`);
          await ctx.run(x.host, `umask 077 && { mariabackup --prepare --use-memory=512M --target-dir=${shellQuote(x.dir)} >${log} 2>&1 || { tail -20 ${log} >&2; exit 1; }; }`);
          for (const inc of x.incrementals) {
            // Applying an incremental moves files out of its directory: apply a copy, so the stored
            // backups stay intact for the next restore.
            const scratch = shellQuote(`${x.dir}.incremental`);
            await ctx.run(x.host, `umask 077 && rm -rf ${scratch} && cp -a ${shellQuote(`${root(x)}/${inc.dir}`)} ${scratch} && { mariabackup --prepare --use-memory=512M --target-dir=${shellQuote(x.dir)} --incremental-dir=${scratch} >>${log} 2>&1 || { tail -20 ${log} >&2; exit 1; }; } && rm -rf ${scratch}`);
          }
        },
      },
      {
        name: "Start a temporary server on the restored datadir (socket only)",
        hosts: () => [r?.host.name ?? "the backup host"],
        action: async (ctx) => {
          const x = await restore(ctx);
          const d = shellQuote(x.dir);
          const run = shellQuote(runDir(x));
          // The server runs as the datadir's owner (mysql): its socket, pid and log go in a directory it owns,
          // closed to everyone else (0700; the log under umask 077). It is stopped when the run ends, however
          // it ends: the report says how to start it again for inspection.
          ctx.atEnd(x.host, stopTemporaryServer(x), { auditAs: `stop the temporary server on ${sock(x)}` });
          await ctx.run(x.host, [
            "umask 077",
            `owner=$(stat -c %U ${shellQuote(x.host.paths.datadir)})`,
            `mkdir -p ${run} && chmod 0700 ${run} && chown -R "$owner" ${d} ${run}`,
            `setsid nohup ${temporaryServer(x)} >/dev/null 2>&1 < /dev/null &`,
            `for i in $(seq 1 100); do mariadb-admin --no-defaults --socket=${shellQuote(sock(x))} -uroot ping >/dev/null 2>&1 && exit 0; sleep 0.2; done`,
            `tail -20 ${run}/mysqld.err >&2; exit 1`,
          ].join("\n"));
        },
      },
      {
        name: "Replay the binary logs up to the target",
        hosts: () => [r?.host.name ?? "the backup host"],
        action: async (ctx) => {
          const x = await restore(ctx);
          const last = x.incrementals.at(-1) ?? x.full;
          const start = last.gtid;
          if (x.binlogFiles.length === 0) return ctx.note("no binary logs captured: the restore ends at the backup");
          const from = replayStart(x.binlogFiles, last);
          ctx.note(`replaying ${from.files.length} of ${x.binlogFiles.length} captured file(s), from ${start} (${from.option})`);
          const read = `TZ=UTC mariadb-binlog ${shellQuote(from.option)} ${stopOptions(x.target)} ${from.files.map(shellQuote).join(" ")}`;
          // The replayed statements are kept beside the restore (what exactly was applied, for audit) and
          // decoded once: the last GTID is read from the same file that is applied.
          const sql = shellQuote(`${runDir(x)}/replayed.sql`);
          const replayed = await ctx.run(x.host, `umask 077 && ${read} > ${sql} && mariadb --no-defaults --socket=${shellQuote(sock(x))} -uroot < ${sql} && { grep -oE 'GTID [0-9]+-[0-9]+-[0-9]+' ${sql} | tail -1 | cut -d' ' -f2; }`);
          ctx.report.lastReplayedGtid = replayed.stdout.trim() || `(none after ${start})`;
          ctx.report.replayedStatements = `${runDir(x)}/replayed.sql`;
        },
        verify: async (ctx) => {
          const x = await restore(ctx);
          if (x.target.kind === "gtid" && x.binlogFiles.length && ctx.report.lastReplayedGtid !== x.target.gtid && seqInDomain(x.full.gtid, x.target.domain) < x.target.seq) {
            throw new Error(`the replay ended at ${ctx.report.lastReplayedGtid}, not at ${x.target.gtid}`);
          }
          ctx.report.restoredTo = describeTarget(x.target);
          ctx.report.restoredDatadir = `${x.dir} on ${x.host.name}`;
          ctx.report.restoredSocket = sock(x);
          ctx.report.startWith = `${temporaryServer(x).replace(/^mariadbd --no-defaults --user="\$owner"/, "mariadbd --no-defaults --user=mysql")} (on ${x.host.name}; stopped at the end of the run)`;
        },
      },
    ];
  },
};
