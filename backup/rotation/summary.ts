// A simulation's figures, and whether the promises hold: what the CLI prints, the benchmark reports and
// the policies read.
import { AGE_BUCKETS, type Simulation } from "./simulate";

export interface PromiseResult {
  /** The promise: hours (newest) or days (oldest). */
  limit: number;
  holds: boolean;
  /** The worst value seen where the promise is checked. */
  worst: number;
  /** Samples that broke it, and the first such instant. */
  broken: number;
  firstBroken?: string;
  /** Samples the promise was checked at (none when the window ends before the warm-up). */
  checkedHours: number;
}

export interface SimulationSummary {
  kind: string;
  scheduleName: string;
  from: string;
  to: string;
  hours: number;
  jobs: number;
  jobsByLevel: Record<string, number>;
  /** Jobs Bacula upgraded to Full (no Full in the catalog): the first one, and any after a gap. */
  upgradedToFull: number;
  /** Restore points at the last sample. */
  restorePointsNow: number;
  restorePoints: { min: number; max: number; mean: number };
  newestAgeHours: { min: number; max: number };
  /** After warm-up (oldestRestorePointDays plus the upgrade pool's reuse interval from the start). */
  oldestAgeDays: { min: number; max: number };
  /** Mean and minimum restore points per age bucket, after warm-up. */
  density: { label: string; mean: number; min: number }[];
  /** Full-backup equivalents stored, after warm-up. */
  storage: { mean: number; max: number; now: number };
  /**
   * Full-backup equivalents the jobs write in a UTC day, over the whole days after warm-up: what the photos
   * job reads from the store and writes to the DRBD volume, and what the copy jobs then move to the NAS.
   */
  writtenPerDay: { mean: number; max: number };
  changePerDay: number;
  promises: {
    newest: PromiseResult;
    oldest: PromiseResult & { checkedFrom: string };
    /** Jobs whose restore point ends before their own retention: a chain member recycled first. */
    chain: { holds: boolean; broken: number; firstBroken?: string };
  };
}

const DAY_MS = 86_400_000;
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** The sizes of the jobs started in each whole UTC day of the window from `from` (epoch ms) on. */
function writtenPerDay(sim: Simulation, from: number): { sum: number; max: number; days: number } {
  const start = sim.from.getTime();
  const first = Math.max(0, Math.ceil((from - start) / DAY_MS));
  const days = Math.max(0, Math.floor((sim.to.getTime() - start) / DAY_MS) - first);
  const perDay = new Float64Array(days);
  for (const j of sim.jobs) {
    const d = Math.floor((j.at.getTime() - start) / DAY_MS) - first;
    if (d >= 0 && d < days) perDay[d] += j.size;
  }
  let sum = 0;
  let max = -Infinity;
  for (const x of perDay) { sum += x; max = Math.max(max, x); }
  return { sum, max, days };
}

export function summarize(sim: Simulation, promise: { newestRestorePointHours: number; oldestRestorePointDays: number }, changePerDay: number): SimulationSummary {
  const n = sim.sampleAt.length;
  // The oldest promise is due once the rotation has run oldestRestorePointDays plus the reuse interval of the
  // pool that keeps the oldest (the upgrade pool): its first Full may come that late (a start on a Sunday
  // runs a scheduled Full into a short pool; a start on any other hour upgrades the first job into it).
  const topInterval = sim.plan.pools.find((p) => p.name === sim.plan.upgradePool)?.intervalHours ?? 0;
  const warm = sim.from.getTime() + (promise.oldestRestorePointDays * 24 + topInterval) * 3_600_000;
  const firstJob = sim.jobs.length ? sim.jobs[0].at.getTime() : Number.POSITIVE_INFINITY;
  const after = (k: number): boolean => sim.sampleAt[k] >= warm;
  const iso = (t: number): string => new Date(t).toISOString();
  let newestMin = Infinity, newestMax = -Infinity, newestBroken = 0, newestFirst: number | undefined;
  let oldestMin = Infinity, oldestMax = -Infinity, oldestBroken = 0, oldestFirst: number | undefined;
  let newestSamples = 0;
  let rpMin = Infinity, rpMax = -Infinity, rpSum = 0, warmSamples = 0, stSum = 0, stMax = -Infinity;
  const dens = AGE_BUCKETS.map(() => ({ sum: 0, min: Infinity }));
  for (let k = 0; k < n; k++) {
    const t = sim.sampleAt[k];
    if (t <= firstJob) continue;
    newestSamples++;
    const newest = sim.newestAgeHours[k];
    const newestAge = Number.isNaN(newest) ? Infinity : newest;
    newestMin = Math.min(newestMin, newestAge);
    newestMax = Math.max(newestMax, newestAge);
    if (!(newestAge <= promise.newestRestorePointHours)) { newestBroken++; newestFirst ??= t; }
    if (!after(k)) continue;
    warmSamples++;
    const oldest = Number.isNaN(sim.oldestAgeDays[k]) ? 0 : sim.oldestAgeDays[k];
    oldestMin = Math.min(oldestMin, oldest);
    oldestMax = Math.max(oldestMax, oldest);
    if (!(oldest >= promise.oldestRestorePointDays)) { oldestBroken++; oldestFirst ??= t; }
    const rp = sim.restorePoints[k];
    rpMin = Math.min(rpMin, rp); rpMax = Math.max(rpMax, rp); rpSum += rp;
    stSum += sim.storage[k]; stMax = Math.max(stMax, sim.storage[k]);
    AGE_BUCKETS.forEach((_, b) => { dens[b].sum += sim.density[b][k]; dens[b].min = Math.min(dens[b].min, sim.density[b][k]); });
  }
  const written = writtenPerDay(sim, warm);
  const chainBroken = sim.jobs.filter((j) => j.restoreEnd < j.retentionEnd);
  const jobsByLevel: Record<string, number> = {};
  for (const j of sim.jobs) jobsByLevel[j.ranAs] = (jobsByLevel[j.ranAs] ?? 0) + 1;
  const fin = (x: number): number => (Number.isFinite(x) ? round(x) : Number.NaN);
  return {
    kind: sim.plan.kind,
    scheduleName: sim.plan.scheduleName,
    from: sim.from.toISOString(),
    to: sim.to.toISOString(),
    hours: n,
    jobs: sim.jobs.length,
    jobsByLevel,
    upgradedToFull: sim.jobs.filter((j) => j.ranAs !== j.level).length,
    restorePointsNow: n ? sim.restorePoints[n - 1] : 0,
    restorePoints: { min: fin(rpMin), max: fin(rpMax), mean: warmSamples ? round(rpSum / warmSamples) : Number.NaN },
    newestAgeHours: { min: fin(newestMin), max: fin(newestMax) },
    oldestAgeDays: { min: fin(oldestMin), max: fin(oldestMax) },
    density: AGE_BUCKETS.map((b, i) => ({ label: b.label, mean: warmSamples ? round(dens[i].sum / warmSamples) : Number.NaN, min: fin(dens[i].min) })),
    storage: { mean: warmSamples ? round(stSum / warmSamples) : Number.NaN, max: fin(stMax), now: n ? round(sim.storage[n - 1]) : 0 },
    writtenPerDay: { mean: written.days ? round(written.sum / written.days) : Number.NaN, max: fin(written.max) },
    changePerDay,
    promises: {
      newest: { limit: promise.newestRestorePointHours, holds: newestBroken === 0 && Number.isFinite(newestMax), worst: fin(newestMax), broken: newestBroken, checkedHours: newestSamples, ...(newestFirst !== undefined ? { firstBroken: iso(newestFirst) } : {}) },
      oldest: { limit: promise.oldestRestorePointDays, holds: oldestBroken === 0 && warmSamples > 0, worst: fin(oldestMin), broken: oldestBroken, checkedHours: warmSamples, checkedFrom: iso(warm), ...(oldestFirst !== undefined ? { firstBroken: iso(oldestFirst) } : {}) },
      chain: { holds: chainBroken.length === 0, broken: chainBroken.length, ...(chainBroken.length ? { firstBroken: chainBroken[0].at.toISOString() } : {}) },
    },
  };
}
