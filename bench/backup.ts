// Benchmark of the backup rotation: the restore-point simulator over 1, 2, 4 and 8 years (time per run, and
// time per simulated year against 2 years' (the issue's window): linear if it stays near 1.00; 1 year carries
// the fixed costs, the plan and the JIT, and reads high), with the restore points and the
// storage of prod's Hanoi rotation next to the Bacula manual's GFS rotation over the same years.
// Each time is the median of interleaved repeats, in this process.
//
//   npm run bench:backup            (IBAC_BENCH_REPEATS=N, default 7)
import { performance } from "node:perf_hooks";
import { compareRotations, DEFAULT_SIMULATION } from "../backup/rotation/compare";
import type { SimulationSummary } from "../backup/rotation/summary";
import { stackSpec } from "../test/fixtures/specs";
import * as fs from "node:fs";
import * as path from "node:path";
import { startRenderedLab } from "../test/lab/bacula/rendered-lab";
import { restore, restoredPath } from "../test/lab/bacula/restore";
import { diffStates, snapshotTree, treeBytes, writePhotoTree } from "../test/lab/bacula/tree";
import { runChecked } from "../test/lab/run";

const repeats = Number(process.env.IBAC_BENCH_REPEATS ?? 11);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const YEARS = [1, 2, 4, 8] as const;
const from = new Date(`${DEFAULT_SIMULATION.from}T00:00:00Z`);
const daysOf = (years: number): number => Math.round(years * 365.25);

function simulatorSection(): void {
  const photos = stackSpec("prod").backupPolicy.photos;
  const samples = new Map<number, number[]>(YEARS.map((y) => [y, []]));
  const results = new Map<number, { hanoi: SimulationSummary; gfs: SimulationSummary }>();
  for (const y of YEARS) compareRotations(photos, { from, days: daysOf(y) }); // warm the JIT
  for (let i = 0; i < repeats; i++) {
    for (const y of YEARS) {
      const t = performance.now();
      const c = compareRotations(photos, { from, days: daysOf(y) });
      samples.get(y)?.push(performance.now() - t);
      results.set(y, c);
    }
  }
  const t2 = median(samples.get(2) ?? [1]);
  console.log(`restore-point simulator (Hanoi + GFS plans, expand, replay hourly, summarize) from ${DEFAULT_SIMULATION.from}, median of ${repeats} interleaved runs`);
  console.log("years   hours    time ms   time/year vs 2 years   Hanoi: points mean, FE mean   GFS: points mean, FE mean   Hanoi promises");
  for (const y of YEARS) {
    const t = median(samples.get(y) ?? [0]);
    const r = results.get(y);
    if (!r) continue;
    const promises = [r.hanoi.promises.newest.holds, r.hanoi.promises.oldest.holds, r.hanoi.promises.chain.holds].every(Boolean) ? "all hold" : "BROKEN";
    console.log(`${String(y).padStart(5)}   ${String(r.hanoi.hours).padStart(5)}   ${t.toFixed(1).padStart(8)}   ${((t / y) / (t2 / 2)).toFixed(2).padStart(20)}   ${`${r.hanoi.restorePoints.mean}, ${r.hanoi.storage.mean}`.padStart(27)}   ${`${r.gfs.restorePoints.mean}, ${r.gfs.storage.mean}`.padStart(25)}   ${promises}`);
  }
  const t8 = median(samples.get(8) ?? [0]);
  console.log(`target: 2 years well under 1 s                 -> ${t2.toFixed(1)} ms ${t2 < 1000 ? "(met)" : "(NOT met)"}`);
  console.log(`target: linear in years (8 y / 2 y within 4x +/- 25 %) -> ${(t8 / t2).toFixed(2)}x ${t8 / t2 <= 5 && t8 / t2 >= 3 ? "(met)" : "(NOT met)"}`);
}

// ---------------------------------------------------------------------------------------------------------
// LOOPBACK BACKUP + RESTORE vs TAR (h14-lab's section): a Full backup, its copy to the NAS device and a restore
// of a generated photo tree through real Bacula 9.6 daemons on 127.0.0.1 running the lab stack's rendered files
// (test/lab/bacula/rendered-lab.ts: TLS, PKI signatures and AES-256 encryption for the client and the master key,
// SQLite catalog), against `tar -c | tar -x` of the same tree (the physical limit here: the same bytes read and
// written, no encryption, no catalog). One run; both copies are checked byte for byte after the timing.
// IBAC_BENCH_TREE_MIB=N sets the tree size (default 200).
// ---------------------------------------------------------------------------------------------------------

async function loopbackSection(): Promise<void> {
  const mib = Number(process.env.IBAC_BENCH_TREE_MIB ?? 200);
  if (!Number.isFinite(mib) || mib < 10 || mib > 10_000) throw new Error(`IBAC_BENCH_TREE_MIB: expected 10 to 10000, found ${JSON.stringify(process.env.IBAC_BENCH_TREE_MIB)}`);
  const lab = await startRenderedLab(["s3-fd"]);
  try {
    const photos = lab.photosDir;
    // 200 small files (1-16 KiB) and 5 MiB originals up to the size asked.
    writePhotoTree(photos, { small: 200, large: Math.max(1, Math.round((mib - 2) / 5)), largeMiB: [5, 5], seed: "bench" });
    const bytes = treeBytes(photos);
    const expected = snapshotTree(photos);
    const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
      const t = performance.now();
      const r = await f();
      return [r, (performance.now() - t) / 1000];
    };
    const tarDir = path.join(lab.root, "tar-copy");
    fs.mkdirSync(tarDir);
    const [, tarSeconds] = await timed(() => runChecked("sh", ["-c", 'tar -C "$1" -cf - . | tar -C "$2" -xf -', "sh", photos, tarDir]));
    const [job, backupSeconds] = await timed(() => lab.admin.runJob("run job=Backup-Photos level=Full yes"));
    if (job.jobStatus !== "T") throw new Error(`backup ended ${job.jobStatus}:\n${await lab.admin.jobLog(job.jobId)}`);
    const [copy, copySeconds] = await timed(async () => {
      const c = await lab.admin.runJob(`run job=Copy-${job.raw.poolname} yes`);
      await lab.admin.run("wait");
      return c;
    });
    if (copy.jobStatus !== "T") throw new Error(`copy ended ${copy.jobStatus}:\n${await lab.admin.jobLog(copy.jobId)}`);
    const where = path.join(lab.restoreRoot, "bench");
    const [back, restoreSeconds] = await timed(() => restore({ bconsole: lab.admin }, { client: "s3-fd", fileSet: "Photos", where }));
    if (back.jobStatus !== "T") throw new Error(`restore ended ${back.jobStatus}:\n${await lab.admin.jobLog(back.jobId)}`);
    const wrong = [...diffStates(expected, snapshotTree(restoredPath(where, photos))), ...diffStates(expected, snapshotTree(tarDir))];
    const mb = bytes / 1e6;
    const rate = (s: number): string => `${(mb / s).toFixed(1).padStart(7)} MB/s`;
    console.log("");
    console.log(`loopback Bacula 9.6 (the lab stack's rendered files) vs tar, one run: ${expected.size} files, ${mb.toFixed(1)} MB of random bytes`);
    console.log(`  tar -c | tar -x            ${tarSeconds.toFixed(2).padStart(7)} s  ${rate(tarSeconds)}`);
    console.log(`  Bacula Full backup         ${backupSeconds.toFixed(2).padStart(7)} s  ${rate(backupSeconds)}   (bconsole run to catalog record; ${job.raw.poolname})`);
    console.log(`  Bacula restore             ${restoreSeconds.toFixed(2).padStart(7)} s  ${rate(restoreSeconds)}`);
    console.log(`  Bacula copy to the NAS     ${copySeconds.toFixed(2).padStart(7)} s  ${rate(copySeconds)}   (not in the ratio: tar has no counterpart)`);
    console.log(`  ratio (backup + restore) / tar: ${((backupSeconds + restoreSeconds) / tarSeconds).toFixed(2)}x   byte for byte: ${wrong.length === 0 ? "both identical" : `DIFFERS (${wrong.slice(0, 3).join("; ")})`}`);
    if (wrong.length) process.exitCode = 1;
  } finally {
    await lab.stop();
  }
}

async function main(): Promise<void> {
  simulatorSection();
  if (process.env.IBAC_BENCH_SKIP_LOOPBACK !== "1") await loopbackSection();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
