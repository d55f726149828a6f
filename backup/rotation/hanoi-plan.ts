// The photos' Tower-of-Hanoi rotation as Bacula Schedule runs and pools (the design and its table:
// README.md next to this file). Three tiers, each a Hanoi (ruler) sequence over its own clock:
//   weeks : a Full every Sunday 00:05, pool by Bacula's week of the year (F0 odd weeks, F1 weeks 2 mod 4, ...)
//   days  : a Differential 00:05 Monday..Saturday, pool by day of the week (D0 Mon/Wed/Fri, D1 Tue/Sat, D2 Thu)
//   hours : an Incremental every newestRestorePointHours after 00:05, all in one pool (Photos-Hourly)
// Every Differential needs only its Full, so recycling a Differential pool never breaks another restore
// point. The hour tier is not a Hanoi: hourly Differentials would each rewrite every change since Sunday
// (about 1.7 store sizes a day to write and copy to the NAS); an Incremental writes one hour's changes, and
// its chain (the day's 00:05 job, then the day's Incrementals) stays within one day, whose Incrementals share
// one volume and so expire together. Each Hanoi pool keeps a job until its next job has run (retention = the
// pool's longest gap + a slack hour); the last week pool keeps its Fulls oldestRestorePointDays longer, which
// is what makes "a restore point at least that old" hold at every hour.
import type { PlatformSpec } from "../../components/spec/schema";
import { ALL, baculaWeekOfYear } from "./schedule-calendar";
import type { BaculaLevel, RotationPlan, RotationPool, ScheduleRun } from "./types";

type PhotoPolicy = PlatformSpec["backupPolicy"]["photos"];

/** Every run starts at this minute past the hour (as the Bacula manual's examples do: away from :00 cron jobs). */
export const ROTATION_MINUTE = 5;
/** Added to every pool's longest gap: the old job is still there while its successor runs. */
export const RETENTION_SLACK_HOURS = 1;

const HOUR_MS = 3_600_000;
const WEEK_HOURS = 168;

/** The number of trailing zero bits: the ruler sequence (1 2 1 3 1 2 1 4 ...) Hanoi rotations follow. */
const trailingZeros = (n: number): number => {
  let z = 0;
  for (let v = n; v > 0 && v % 2 === 0; v /= 2) z++;
  return z;
};

/** The largest gap, in hours, between consecutive slots of a set that repeats every `cycle` hours. */
function cyclicMaxGap(slots: readonly number[], cycle: number): number {
  const s = [...slots].sort((a, b) => a - b);
  return Math.max(...s.map((v, i) => (i + 1 < s.length ? s[i + 1] - v : s[0] + cycle - v)));
}

/** How many week pools: the last one's reuse interval (2^(n-1) weeks) stays within the oldest restore point. */
export function weekPoolCount(oldestRestorePointDays: number): number {
  return Math.max(1, Math.floor(Math.log2(Math.max(1, oldestRestorePointDays / 7))) + 1);
}

/** The weeks of the year (Bacula's w00..w53) that week pool `i` of `n` takes. */
export function weekPoolWeeks(i: number, n: number): number[] {
  if (n === 1) return [...ALL.weekOfYear];
  return ALL.weekOfYear.filter((w) => (i < n - 1 ? w % 2 ** (i + 1) === 2 ** i : w % 2 ** (n - 1) === 0));
}

/**
 * The longest gap, in hours, between two Sundays whose Bacula week of the year falls in `weeks`, over a
 * whole 400-year Gregorian cycle: the week numbers restart (and w53/w00 come and go) at every year end, so
 * the gap there is longer than the pattern inside a year suggests.
 */
export function longestSundayGapHours(weeks: readonly number[]): number {
  const wanted = new Set(weeks);
  let last: number | undefined;
  let max = 0;
  sundayWeeks().forEach((woy, k) => {
    if (!wanted.has(woy)) return;
    if (last !== undefined) max = Math.max(max, (k - last) * WEEK_HOURS);
    last = k;
  });
  return max;
}

let sundayWeeksCache: Uint8Array | undefined;
/** Bacula's week of the year of every Sunday from 2000-01-02 for 400 years (the calendar's whole cycle). */
function sundayWeeks(): Uint8Array {
  if (!sundayWeeksCache) {
    const start = Date.UTC(2000, 0, 2); // a Sunday
    const count = Math.floor((Date.UTC(2400, 0, 2) - start) / (WEEK_HOURS * HOUR_MS));
    sundayWeeksCache = Uint8Array.from({ length: count }, (_, k) => baculaWeekOfYear(new Date(start + k * WEEK_HOURS * HOUR_MS)));
  }
  return sundayWeeksCache;
}

interface TierPool {
  name: string;
  level: BaculaLevel;
  run: Omit<ScheduleRun, "level" | "pool" | "minute">;
  maxGapHours: number;
  /** When the tier's retention is not its longest gap plus the slack hour (the Incrementals'). */
  retentionHours?: number;
  jobsPerVolume?: number;
}

function weekTier(oldestDays: number): TierPool[] {
  const n = weekPoolCount(oldestDays);
  return Array.from({ length: n }, (_, i) => {
    const weeks = weekPoolWeeks(i, n);
    return {
      name: `Photos-F${i}`,
      level: "Full" as const,
      run: { hour: [0], day: ALL.day, month: ALL.month, dayOfWeek: [0], weekOfMonth: ALL.weekOfMonth, weekOfYear: weeks },
      maxGapHours: longestSundayGapHours(weeks),
    };
  });
}

function dayTier(): TierPool[] {
  const byPool = new Map<number, number[]>();
  for (let wday = 1; wday <= 6; wday++) byPool.set(trailingZeros(wday), [...(byPool.get(trailingZeros(wday)) ?? []), wday]);
  return [...byPool.entries()].sort((a, b) => a[0] - b[0]).map(([i, wdays]) => ({
    name: `Photos-D${i}`,
    level: "Differential" as const,
    run: { hour: [0], day: ALL.day, month: ALL.month, dayOfWeek: wdays, weekOfMonth: ALL.weekOfMonth, weekOfYear: ALL.weekOfYear },
    maxGapHours: cyclicMaxGap(wdays.map((d) => d * 24), WEEK_HOURS),
  }));
}

/** The hour tier's pool: every newestRestorePointHours after the day's 00:05 job, an Incremental. */
export const HOURLY_POOL = "Photos-Hourly";

function hourTier(everyHours: number): TierPool[] {
  const hours = Array.from({ length: 24 / everyHours - 1 }, (_, k) => (k + 1) * everyHours);
  if (hours.length === 0) return [];
  return [{
    name: HOURLY_POOL,
    level: "Incremental" as const,
    run: { hour: hours, day: ALL.day, month: ALL.month, dayOfWeek: ALL.dayOfWeek, weekOfMonth: ALL.weekOfMonth, weekOfYear: ALL.weekOfYear },
    maxGapHours: cyclicMaxGap(hours, 24),
    // One volume holds one day's Incrementals (a chain's links never straddle two volumes), kept a day plus
    // the interval plus the slack hour from its last write: yesterday's chains are whole until the day's last run.
    retentionHours: 24 + everyHours + RETENTION_SLACK_HOURS,
    jobsPerVolume: hours.length,
  }];
}

/**
 * The Hanoi rotation for the photos' policy. Assumes the policy passed rotationProblems() (hours divide 24,
 * oldest at least a week); the loader rejects any other.
 */
export function photoRotation(photos: PhotoPolicy): RotationPlan {
  const weeks = weekTier(photos.oldestRestorePointDays);
  const tiers = [...weeks, ...dayTier(), ...hourTier(photos.newestRestorePointHours)];
  const top = weeks[weeks.length - 1];
  const pools: RotationPool[] = tiers.map((t) => ({
    name: t.name,
    level: t.level,
    intervalHours: t.maxGapHours,
    retentionHours: t.retentionHours ?? t.maxGapHours + RETENTION_SLACK_HOURS + (t === top ? photos.oldestRestorePointDays * 24 : 0),
    ...(t.jobsPerVolume !== undefined ? { jobsPerVolume: t.jobsPerVolume } : {}),
  }));
  const runs: ScheduleRun[] = tiers.map((t) => ({ level: t.level, pool: t.name, minute: ROTATION_MINUTE, ...t.run }));
  return {
    kind: "hanoi",
    scheduleName: "Photos-Hanoi",
    pools,
    runs,
    timeZone: "UTC",
    newestRestorePointHours: photos.newestRestorePointHours,
    oldestRestorePointDays: photos.oldestRestorePointDays,
    upgradePool: top.name,
  };
}
