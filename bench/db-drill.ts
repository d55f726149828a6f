// Database drill: db-failover under load and point-in-time-restore throughput, on the real MariaDB lab
// (test/lab: network namespaces, sshd, mariadbd from the rendered files), every figure from this one run.
//
//   npm run bench:db            (root; IBAC_DRILL_ROUNDS=N failovers, default 3; IBAC_DRILL_ROWS=N: the small restore's rows of 1 KiB, the large one has 6 times as many)
//
// Failover downtime: from kill -9 of the primary to the first write accepted by the promoted server, with
// 8 writers inserting over TLS all along (the CLI starts right after the kill; detection is not counted).
// Lost: acknowledged inserts missing on the promoted server. Restore: db-restore-pitr end to end against
// `cp -a` of the same datadir, interleaved, median of 3; the ratio is cp's time over the restore's.
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { startDatabaseLab, type DatabaseLab, type LabHost } from "../test/lab/database-lab";
import { CREATE_DRILL_TABLE, lostAcks, startWriters } from "../test/lab/concurrent-writers";
import { installBackupScripts, startBinlogCapture, type BackupScripts } from "../test/lab/backup-scripts";
import { withRestoredServer } from "../test/lab/restored-server";

const BIN = path.resolve(__dirname, "../bin/ibac.js");
const rounds = Number(process.env.IBAC_DRILL_ROUNDS ?? 3);
const rows = Number(process.env.IBAC_DRILL_ROWS ?? 200_000);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function ibac(lab: DatabaseLab, args: string[]): Promise<string> {
  const r = await lab.runInControl([process.execPath, BIN, "runbook", ...args, "--stack", "lab", "--inventory", lab.inventoryFile,
    "--identity", lab.sshKeyFile, "--known-hosts", lab.knownHostsFile, "--audit-log", path.join(lab.root, "audit.jsonl"), "--yes"], { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`ibac runbook ${args.join(" ")}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function value(lab: DatabaseLab, host: string, sql: string): Promise<string> {
  return (await lab.sql(host, sql)).trim();
}

async function primaryOf(lab: DatabaseLab): Promise<string> {
  for (const h of lab.hosts) if ((await value(lab, h.name, "SELECT @@read_only").catch(() => "")) === "0") return h.name;
  throw new Error("no primary");
}

async function caughtUp(lab: DatabaseLab): Promise<void> {
  const primary = await primaryOf(lab);
  const pos = await value(lab, primary, "SELECT @@gtid_binlog_pos");
  for (const h of lab.hosts.filter((x) => x.name !== primary)) {
    if ((await value(lab, h.name, `SELECT MASTER_GTID_WAIT('${pos}', 600)`)) !== "0") throw new Error(`${h.name} did not catch up`);
  }
}

interface Drill {
  downtimeMs: number;
  acked: number;
  lost: number;
  runbookSeconds: string;
}

async function failoverDrill(lab: DatabaseLab, round: number): Promise<Drill> {
  const primary = await primaryOf(lab);
  const replica = lab.hosts.find((h) => h.name !== primary);
  if (!replica) throw new Error("no replica");
  const writers = startWriters(lab, 8, round * 100);
  await new Promise((r) => setTimeout(r, 3000));
  const killedAt = Date.now();
  await lab.killServer(primary);
  const out = await ibac(lab, ["db-failover"]);
  for (let i = 0; i < 100 && !writers.acks().some((a) => a.address === replica.address && a.atMs > killedAt); i++) await new Promise((r) => setTimeout(r, 50));
  const { acks } = await writers.stop();
  const first = acks.filter((a) => a.address === replica.address && a.atMs > killedAt).sort((a, b) => a.atMs - b.atMs)[0];
  if (!first) throw new Error("no write was accepted on the promoted server");
  const lost = await lostAcks(lab, replica.name, acks);
  await ibac(lab, ["db-rejoin", "--host", primary]);
  return { downtimeMs: first.atMs - killedAt, acked: acks.length, lost: lost.length, runbookSeconds: /runbookSeconds: (\S+)/.exec(out)?.[1] ?? "?" };
}

interface RestoreFigures {
  datadirMiB: number;
  restoreMs: number;
  copyMs: number;
}

/**
 * Grows ibac.bulk to `rows` rows, takes a full backup of the replica, adds one row after it, then times
 * db-restore-pitr to that row's GTID against `cp -a` of the replica's datadir, interleaved, median of 3.
 */
async function measureRestore(lab: DatabaseLab, replica: LabHost, scripts: BackupScripts, fromRow: number, rows: number): Promise<RestoreFigures> {
  const primary = await primaryOf(lab);
  for (let done = fromRow; done < rows; done += 50_000) {
    await lab.sql(primary, `USE ibac; INSERT INTO ibac.bulk SELECT seq, RANDOM_BYTES(1000) FROM seq_${done + 1}_to_${Math.min(rows, done + 50_000)}`);
  }
  await caughtUp(lab);
  await scripts.run("full");
  await lab.sql(primary, `INSERT INTO ibac.bulk VALUES (${-rows}, 'after the backup')`);
  const target = (await value(lab, primary, "SELECT @@gtid_binlog_pos")).split(",").find((g) => g.startsWith("0-")) ?? "";
  await caughtUp(lab);
  await new Promise((r) => setTimeout(r, 1500));
  const du = await lab.runInHost(replica, ["du", "-sm", replica.paths.datadir]);
  const restoreMs: number[] = [];
  const copyMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const copy = path.join(lab.root, `copy-${i}`);
    // Each timed operation starts with nothing left to write back from the one before.
    await lab.runInHost(replica, ["sync"]);
    let t = performance.now();
    // Both sides end with the data on disk (sync of the filesystem): the page cache would otherwise make
    // a copy look free and leave its write-back to whatever runs next.
    const cp = await lab.runInHost(replica, ["sh", "-c", `cp -a ${replica.paths.datadir} ${copy} && sync -f ${copy}`], { timeoutMs: 600_000 });
    copyMs.push(performance.now() - t);
    if (cp.code !== 0) throw new Error(cp.stderr);
    fs.rmSync(copy, { recursive: true, force: true });
    await lab.runInHost(replica, ["sync"]);
    t = performance.now();
    const out = await ibac(lab, ["db-restore-pitr", "--host", replica.name, "--to", target]);
    await lab.runInHost(replica, ["sync", "-f", lab.root]);
    restoreMs.push(performance.now() - t);
    // The runbook stops its temporary server at the end: start one on the restored datadir to count.
    const datadir = /restoredDatadir: (\S+)/.exec(out)?.[1] ?? "";
    const count = await withRestoredServer(lab, replica, datadir, (socket) => lab.runInHost(replica, ["mariadb", "--no-defaults", `--socket=${socket}`, "-uroot", "-N", "-B", "-e", "SELECT COUNT(*) FROM ibac.bulk"]));
    const expected = await value(lab, primary, "SELECT COUNT(*) FROM ibac.bulk");
    if (count.stdout.trim() !== expected) throw new Error(`the restore has ${count.stdout.trim()} rows, expected ${expected}`);
    await lab.runInHost(replica, ["rm", "-rf", `${datadir}-run`, datadir]);
  }
  return { datadirMiB: Number(du.stdout.split(/\s/)[0]), restoreMs: median(restoreMs), copyMs: median(copyMs) };
}

async function main(): Promise<void> {
  const lab = await startDatabaseLab({ semiSync: true });
  try {
    await lab.sql(lab.hosts[0], CREATE_DRILL_TABLE);
    await caughtUp(lab);
    const drills: Drill[] = [];
    for (let i = 0; i < rounds; i++) drills.push(await failoverDrill(lab, i));
    const primary = await primaryOf(lab);
    const replica = lab.hosts.find((h) => h.name !== primary);
    if (!replica) throw new Error("no replica");
    const scripts = installBackupScripts(lab, replica);
    const stopCapture = await startBinlogCapture(replica, scripts);
    let small: RestoreFigures;
    let large: RestoreFigures;
    try {
      await lab.sql(primary, "CREATE TABLE ibac.bulk (id INT PRIMARY KEY, payload VARBINARY(1024)) ENGINE=InnoDB");
      small = await measureRestore(lab, replica, scripts, 0, rows);
      large = await measureRestore(lab, replica, scripts, rows, rows * 6);
    } finally {
      await stopCapture();
    }
    const downtimes = drills.map((d) => d.downtimeMs);
    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    console.log(`Database drill on the lab (2 servers in network namespaces, semi-sync AFTER_SYNC, 8 concurrent writers over TLS)`);
    console.log(`failover rounds                               ${drills.length}`);
    console.log(`downtime, kill -9 to first accepted write     median ${s(median(downtimes))}, max ${s(Math.max(...downtimes))} (target <= 5 s)`);
    console.log(`runbook time to promotion (its own report)    ${drills.map((d) => `${d.runbookSeconds} s`).join(", ")}`);
    console.log(`acknowledged inserts per round                ${drills.map((d) => d.acked).join(", ")}`);
    console.log(`acknowledged inserts lost                     ${drills.reduce((n, d) => n + d.lost, 0)} (target 0)`);
    console.log(`restore vs cp -a of the same datadir (median of 3, interleaved; ratio = cp time / restore time):`);
    for (const f of [small, large]) {
      console.log(`  datadir ${String(f.datadirMiB).padStart(5)} MiB: db-restore-pitr ${s(f.restoreMs)}, cp -a ${s(f.copyMs)}, ratio ${(f.copyMs / f.restoreMs).toFixed(2)}x`);
    }
    const extraCopy = large.copyMs - small.copyMs;
    const extraRestore = large.restoreMs - small.restoreMs;
    if (extraCopy > 0 && extraRestore > 0) {
      console.log(`  per extra MiB (large - small): restore throughput / cp -a throughput ${(extraCopy / extraRestore).toFixed(2)}x`);
    } else {
      console.log(`  per extra MiB: not measurable in this run (the larger datadir did not take longer: noise)`);
    }
  } finally {
    await lab.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
