// The UTC instants Bacula starts a schedule's runs at, computed the way Bacula 9.6's director does, so the
// simulator replays what Bacula will do and not what a calendar library thinks a "week" is.
//
// Bacula's own definitions (src/dird/scheduler.c, find_runs(), and src/lib/btime.c, read in the Bacula
// sources through the search tool): for the day being tested
//   mday = tm_mday - 1; wday = tm_wday; month = tm_mon; wom = mday / 7; woy = tm_woy(now)
// and a run fires when the hour, mday, wday, month, wom and woy bits are all set. tm_woy():
//   fty = 1 - wday(4 January); if (fty <= 0) fty += 7;  woy = tm_yday - fty + 4;
//   return woy < 0 ? 0 : 1 + woy / 7
// i.e. the ISO 8601 week number (weeks start on Monday, week 1 holds 4 January), except that the days
// before week 1 are week 0 (not the previous year's 52 or 53) and the last days of December that ISO puts
// in next year's week 1 stay 53 (or 52+1) of this year. So `w53` may fire in a year with 52 ISO weeks
// (2024-12-30/31 are Bacula's w53) and `w00` fires on 1-3 January of some years (2027-01-01..03).
// The director runs with TZ=UTC (RotationPlan.timeZone), so localtime is UTC here.
import type { ScheduleRun, ScheduledJob } from "./types";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Bacula's week of the month: (day of month - 1) / 7, 0 = days 1-7 .. 4 = days 29-31. */
export function baculaWeekOfMonth(date: Date): number {
  return Math.floor((date.getUTCDate() - 1) / 7);
}

/** Bacula's tm_woy() for a UTC date: 0..53 (see the header). */
export function baculaWeekOfYear(date: Date): number {
  const year = date.getUTCFullYear();
  const yday = Math.floor((Date.UTC(year, date.getUTCMonth(), date.getUTCDate()) - Date.UTC(year, 0, 1)) / DAY_MS);
  let fty = 1 - new Date(Date.UTC(year, 0, 4)).getUTCDay();
  if (fty <= 0) fty += 7;
  const woy = yday - fty + 4;
  return woy < 0 ? 0 : 1 + Math.floor(woy / 7);
}

/** A run's bitmaps as membership tables, built once per expansion. */
interface RunMask {
  run: ScheduleRun;
  hour: boolean[];
  day: boolean[];
  month: boolean[];
  dayOfWeek: boolean[];
  weekOfMonth: boolean[];
  weekOfYear: boolean[];
}

const mask = (bits: readonly number[], size: number): boolean[] => {
  const m = new Array<boolean>(size).fill(false);
  for (const b of bits) if (b >= 0 && b < size) m[b] = true;
  return m;
};

function maskOf(run: ScheduleRun): RunMask {
  return {
    run,
    hour: mask(run.hour, 24),
    day: mask(run.day, 31),
    month: mask(run.month, 12),
    dayOfWeek: mask(run.dayOfWeek, 7),
    weekOfMonth: mask(run.weekOfMonth, 6),
    weekOfYear: mask(run.weekOfYear, 54),
  };
}

/** Does the run fire on this UTC day (all of Bacula's day bitmaps set)? */
export function runsOnDay(run: ScheduleRun, date: Date): boolean {
  return dayMatches(maskOf(run), date, baculaWeekOfYear(date));
}

function dayMatches(m: RunMask, date: Date, woy: number): boolean {
  return m.day[date.getUTCDate() - 1] && m.month[date.getUTCMonth()] && m.dayOfWeek[date.getUTCDay()]
    && m.weekOfMonth[baculaWeekOfMonth(date)] && m.weekOfYear[woy];
}

/**
 * Every job the runs start in [from, to), oldest first (runs at the same instant keep the order of `runs`,
 * as Bacula queues them). Pure: the same runs and window give the same jobs.
 */
export function expandSchedule(runs: readonly ScheduleRun[], from: Date, to: Date): ScheduledJob[] {
  const masks = runs.map(maskOf);
  const jobs: { at: number; order: number; job: ScheduledJob }[] = [];
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let dayMs = start; dayMs < to.getTime(); dayMs += DAY_MS) {
    const date = new Date(dayMs);
    const woy = baculaWeekOfYear(date);
    masks.forEach((m, order) => {
      if (!dayMatches(m, date, woy)) return;
      for (let h = 0; h < 24; h++) {
        if (!m.hour[h]) continue;
        const at = dayMs + h * HOUR_MS + m.run.minute * 60_000;
        if (at >= from.getTime() && at < to.getTime()) jobs.push({ at, order, job: { at: new Date(at), level: m.run.level, pool: m.run.pool } });
      }
    });
  }
  jobs.sort((a, b) => a.at - b.at || a.order - b.order);
  return jobs.map((j) => j.job);
}

/** The instants at which more than one job starts (the one job must never be queued twice at once). */
export function slotCollisions(jobs: readonly ScheduledJob[]): Date[] {
  const out: Date[] = [];
  for (let i = 1; i < jobs.length; i++) {
    if (jobs[i].at.getTime() === jobs[i - 1].at.getTime() && (out.length === 0 || out[out.length - 1].getTime() !== jobs[i].at.getTime())) out.push(jobs[i].at);
  }
  return out;
}

/** Every value of a bitmap: what Bacula sets when a Run line does not restrict that field. */
export const ALL = {
  day: Array.from({ length: 31 }, (_, i) => i),
  month: Array.from({ length: 12 }, (_, i) => i),
  dayOfWeek: Array.from({ length: 7 }, (_, i) => i),
  weekOfMonth: Array.from({ length: 6 }, (_, i) => i),
  weekOfYear: Array.from({ length: 54 }, (_, i) => i),
} as const;
