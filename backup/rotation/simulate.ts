// The restore-point simulator: replays a rotation's calendar hour by hour from an empty catalog, with the
// pools' volume retention, and answers which restore points exist at each hour, how old the newest and the
// oldest are, how they spread over ages, and what is stored.
//
// Bacula's semantics modelled here:
// - A Differential saves the changes since the latest Full still in the catalog; an Incremental those since
//   the latest job of any level still in the catalog. A restore point needs its whole chain: the Full, the
//   latest Differential after it, every Incremental after that.
// - With no Full in the catalog Bacula upgrades the job to Full; it then goes to the Job's Full Backup Pool
//   (plan.upgradePool).
// - A job's volume is kept for its pool's retention from the volume's last write (taken as the start of
//   its last job: Bacula counts from the end, so this errs short); its restore point exists from its start until its own or any
//   chain member's retention ends.
// Change model for storage (stated, not measured): a photo store that only gains new files, `changePerDay`
// of its size a day (default 2 %, the manual's 15 GB store with 300 MB a day). Sizes are in full-backup
// equivalents: Full = 1; Differential = changePerDay x days since its Full; Incremental = changePerDay x
// days since the job before it.
// Sampling: at every hour at the runs' minute, just before that hour's run (the worst instant: the newest
// restore point is then as old as it gets).
import { expandSchedule } from "./schedule-calendar";
import type { BaculaLevel, RestorePoint, RotationPlan, ScheduledJob } from "./types";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The age buckets of the density figures, in days: [from, to). */
export const AGE_BUCKETS: readonly { label: string; fromDays: number; toDays: number }[] = [
  { label: "<1 d", fromDays: 0, toDays: 1 },
  { label: "1-7 d", fromDays: 1, toDays: 7 },
  { label: "7-31 d", fromDays: 7, toDays: 31 },
  { label: "31-92 d", fromDays: 31, toDays: 92 },
  { label: "92-183 d", fromDays: 92, toDays: 183 },
  { label: ">=183 d", fromDays: 183, toDays: Number.POSITIVE_INFINITY },
];

export interface SimulationOptions {
  from: Date;
  days: number;
  /** The store's growth a day as a fraction of its size (new files only). Default 0.02. */
  changePerDay?: number;
  /** The minute past each hour the samples are taken at (just before runs at that minute). Default 5. */
  sampleMinute?: number;
  /**
   * Where an upgraded job goes: `upgradePool` (the Job has `Full Backup Pool = plan.upgradePool`, the plan's
   * assumption) or `runPool` (no Full Backup Pool: Bacula keeps the Run line's `Pool=`). Default upgradePool.
   */
  upgradeInto?: "upgradePool" | "runPool";
  /** The promise to check; default the plan's own. */
  newestRestorePointHours?: number;
  oldestRestorePointDays?: number;
}

/** One job as the simulator ran it. */
export interface SimulatedJob extends ScheduledJob {
  /** The level Bacula ran it at (a scheduled Differential/Incremental with no Full in the catalog is a Full). */
  ranAs: BaculaLevel;
  /** Where it was written (the upgrade pool when upgraded). */
  writtenTo: string;
  /** Its chain, indexes into `jobs`, oldest first, itself last. */
  chain: readonly number[];
  /** Size in full-backup equivalents. */
  size: number;
  /** Epoch ms its own volume's retention ends. */
  retentionEnd: number;
  /** Epoch ms its restore point ends: the earliest retention end in its chain. */
  restoreEnd: number;
}

export interface Simulation {
  plan: RotationPlan;
  from: Date;
  to: Date;
  jobs: readonly SimulatedJob[];
  /** The sample instants (epoch ms), and per sample: */
  sampleAt: Float64Array;
  /** restore points that exist */
  restorePoints: Int32Array;
  /** age of the newest, hours (NaN: none) */
  newestAgeHours: Float64Array;
  /** age of the oldest, days (NaN: none) */
  oldestAgeDays: Float64Array;
  /** stored volumes, full-backup equivalents */
  storage: Float64Array;
  /** restore points per AGE_BUCKETS entry: density[bucket][sample] */
  density: Int32Array[];
}

function poolRetentionMs(plan: RotationPlan): Map<string, number> {
  return new Map(plan.pools.map((p) => [p.name, p.retentionHours * HOUR_MS]));
}

/**
 * When each scheduled job's volume was last written: the start of the last job sharing its volume (pools
 * with `jobsPerVolume` > 1 fill a volume with that many consecutive jobs of the pool). Retention counts from it.
 */
function volumeLastWrites(plan: RotationPlan, scheduled: readonly ScheduledJob[]): number[] {
  const perVolume = new Map(plan.pools.map((p) => [p.name, Math.max(1, p.jobsPerVolume ?? 1)]));
  const byPool = new Map<string, number[]>();
  scheduled.forEach((s, i) => {
    const list = byPool.get(s.pool);
    if (list) list.push(i);
    else byPool.set(s.pool, [i]);
  });
  const last = scheduled.map((s) => s.at.getTime());
  for (const [pool, indexes] of byPool) {
    const size = perVolume.get(pool) ?? 1;
    if (size === 1) continue;
    for (let v = 0; v < indexes.length; v += size) {
      const group = indexes.slice(v, v + size);
      const end = last[group[group.length - 1]];
      for (const i of group) last[i] = end;
    }
  }
  return last;
}

/** Run the schedule against a catalog: levels after upgrades, chains, sizes and retention ends. */
export function runJobs(plan: RotationPlan, scheduled: readonly ScheduledJob[], changePerDay: number, upgradeInto: "upgradePool" | "runPool" = "upgradePool"): SimulatedJob[] {
  const retention = poolRetentionMs(plan);
  const retentionOf = (pool: string): number => {
    const r = retention.get(pool);
    if (r === undefined) throw new Error(`schedule ${plan.scheduleName} writes to ${pool}, which is not one of its pools`);
    return r;
  };
  const lastWrite = volumeLastWrites(plan, scheduled);
  const jobs: SimulatedJob[] = [];
  const fulls: number[] = [];
  const latestAlive = (indexes: readonly number[], at: number): number | undefined => {
    for (let k = indexes.length - 1; k >= 0; k--) if (jobs[indexes[k]].retentionEnd > at) return indexes[k];
    return undefined;
  };
  scheduled.forEach((s, scheduledIndex) => {
    const at = s.at.getTime();
    const full = latestAlive(fulls, at);
    let ranAs: BaculaLevel = s.level;
    let writtenTo = s.pool;
    let base: readonly number[] = [];
    let size = 1;
    if (s.level !== "Full" && full === undefined) {
      ranAs = "Full";
      if (upgradeInto === "upgradePool") writtenTo = plan.upgradePool;
    } else if (s.level === "Differential" && full !== undefined) {
      base = [full];
      size = (changePerDay * (at - jobs[full].at.getTime())) / DAY_MS;
    } else if (s.level === "Incremental") {
      // Any level: the latest job still in the catalog (at worst the Full found above).
      let prev: number | undefined;
      for (let i = jobs.length - 1; i >= 0 && prev === undefined; i--) if (jobs[i].retentionEnd > at) prev = i;
      if (prev === undefined) throw new Error("unreachable: a Full is in the catalog");
      base = jobs[prev].chain;
      size = (changePerDay * (at - jobs[prev].at.getTime())) / DAY_MS;
    }
    const index = jobs.length;
    // An upgraded job goes to the upgrade pool, on a volume of its own.
    const retentionEnd = (writtenTo === s.pool ? lastWrite[scheduledIndex] : at) + retentionOf(writtenTo);
    const chain = [...base, index];
    let restoreEnd = retentionEnd;
    for (const i of base) restoreEnd = Math.min(restoreEnd, jobs[i].retentionEnd);
    // Fields spelt out: an object spread here costs more than the rest of the simulation (17 520 jobs a run).
    jobs.push({ at: s.at, level: s.level, pool: s.pool, ranAs, writtenTo, chain, size, retentionEnd, restoreEnd });
    if (ranAs === "Full") fulls.push(index);
  });
  return jobs;
}

/** Replay `plan` for `days` days from `from` (UTC midnight of that day) with an empty catalog. */
export function simulateRotation(plan: RotationPlan, options: SimulationOptions): Simulation {
  const from = new Date(Date.UTC(options.from.getUTCFullYear(), options.from.getUTCMonth(), options.from.getUTCDate()));
  const to = new Date(from.getTime() + options.days * DAY_MS);
  const jobs = runJobs(plan, expandSchedule(plan.runs, from, to), options.changePerDay ?? 0.02, options.upgradeInto);
  const sampleMinute = options.sampleMinute ?? 5;
  const n = options.days * 24;
  const sim: Simulation = {
    plan, from, to, jobs,
    sampleAt: new Float64Array(n),
    restorePoints: new Int32Array(n),
    newestAgeHours: new Float64Array(n),
    oldestAgeDays: new Float64Array(n),
    storage: new Float64Array(n),
    density: AGE_BUCKETS.map(() => new Int32Array(n)),
  };
  // Jobs enter `live` when they have started and leave when their volume's retention ends.
  let live: number[] = [];
  let next = 0;
  for (let k = 0; k < n; k++) {
    const t = from.getTime() + k * HOUR_MS + sampleMinute * 60_000;
    while (next < jobs.length && jobs[next].at.getTime() < t) live.push(next++);
    live = live.filter((i) => jobs[i].retentionEnd > t);
    let count = 0;
    let newest = Number.NEGATIVE_INFINITY;
    let oldest = Number.POSITIVE_INFINITY;
    let storage = 0;
    for (const i of live) {
      const j = jobs[i];
      storage += j.size;
      if (j.restoreEnd <= t) continue;
      const at = j.at.getTime();
      count++;
      newest = Math.max(newest, at);
      oldest = Math.min(oldest, at);
      const ageDays = (t - at) / DAY_MS;
      const b = AGE_BUCKETS.findIndex((x) => ageDays >= x.fromDays && ageDays < x.toDays);
      sim.density[b][k]++;
    }
    sim.sampleAt[k] = t;
    sim.restorePoints[k] = count;
    sim.newestAgeHours[k] = count ? (t - newest) / HOUR_MS : Number.NaN;
    sim.oldestAgeDays[k] = count ? (t - oldest) / DAY_MS : Number.NaN;
    sim.storage[k] = storage;
  }
  return sim;
}

/** The restore points that exist at `instant` (jobs started before it whose whole chain is still kept). */
export function restorePointsAt(sim: Simulation, instant: Date): RestorePoint[] {
  const t = instant.getTime();
  return sim.jobs
    .filter((j) => j.at.getTime() < t && j.restoreEnd > t)
    .map((j) => ({
      at: j.at,
      level: j.ranAs,
      pool: j.writtenTo,
      chain: j.chain.map((i) => ({ at: sim.jobs[i].at, level: sim.jobs[i].ranAs, pool: sim.jobs[i].writtenTo })),
    }));
}
