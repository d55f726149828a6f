// Benchmark of the backup rotation: the restore-point simulator over 1, 2, 4 and 8 years (time per run, and
// time per simulated year against 1 year's: linear if it stays near 1.00), with the restore points and the
// storage of prod's Hanoi rotation next to the Bacula manual's GFS rotation over the same years.
// Each time is the median of interleaved repeats, in this process.
//
//   npm run bench:backup            (IBAC_BENCH_REPEATS=N, default 7)
import { performance } from "node:perf_hooks";
import { compareRotations, DEFAULT_SIMULATION } from "../backup/rotation/compare";
import type { SimulationSummary } from "../backup/rotation/summary";
import { stackSpec } from "../test/fixtures/specs";

const repeats = Number(process.env.IBAC_BENCH_REPEATS ?? 7);
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
  const t1 = median(samples.get(1) ?? [1]);
  console.log(`restore-point simulator (Hanoi + GFS plans, expand, replay hourly, summarize) from ${DEFAULT_SIMULATION.from}, median of ${repeats} interleaved runs`);
  console.log("years   hours    time ms   time/year vs 1 year   Hanoi: points mean, FE mean   GFS: points mean, FE mean   Hanoi promises");
  for (const y of YEARS) {
    const t = median(samples.get(y) ?? [0]);
    const r = results.get(y);
    if (!r) continue;
    const promises = [r.hanoi.promises.newest.holds, r.hanoi.promises.oldest.holds, r.hanoi.promises.chain.holds].every(Boolean) ? "all hold" : "BROKEN";
    console.log(`${String(y).padStart(5)}   ${String(r.hanoi.hours).padStart(5)}   ${t.toFixed(1).padStart(8)}   ${(t / y / t1).toFixed(2).padStart(19)}   ${`${r.hanoi.restorePoints.mean}, ${r.hanoi.storage.mean}`.padStart(27)}   ${`${r.gfs.restorePoints.mean}, ${r.gfs.storage.mean}`.padStart(25)}   ${promises}`);
  }
  const t2 = median(samples.get(2) ?? [0]);
  const t8 = median(samples.get(8) ?? [0]);
  console.log(`target: 2 years well under 1 s                 -> ${t2.toFixed(1)} ms ${t2 < 1000 ? "(met)" : "(NOT met)"}`);
  console.log(`target: linear in years (8 y / 1 y within 8x +/- 25 %) -> ${(t8 / t1).toFixed(2)}x ${t8 / t1 <= 10 && t8 / t1 >= 6 ? "(met)" : "(NOT met)"}`);
}

// ---------------------------------------------------------------------------------------------------------
// LOOPBACK BACKUP + RESTORE vs TAR (h14-lab adds this section): a backup and a restore of a generated photo
// tree through the real Bacula daemons on loopback, as a ratio to `tar` of the same tree (the physical limit
// here). Put it in a function `loopbackSection()` and call it from main() below, after simulatorSection().
// ---------------------------------------------------------------------------------------------------------

function main(): void {
  simulatorSection();
}

main();
