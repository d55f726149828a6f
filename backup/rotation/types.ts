// The backup rotation as data: the pools a rotation writes to, and the Bacula Schedule `Run` rules that say
// which level goes to which pool when. A `ScheduleRun` has exactly the fields `bdirjson -r Schedule` prints
// (bitmaps, zero-based as Bacula holds them), so a rendered schedule read back by Bacula compares field by
// field with the plan it was rendered from, and the simulator can replay either.

/** Bacula's backup levels the rotations use. */
export type BaculaLevel = "Full" | "Differential" | "Incremental";

/**
 * One `Run =` line of a Bacula Schedule, as Bacula holds it after parsing: the run fires at `minute` past
 * every hour in `hour` of every day that is in all of `day`, `month`, `dayOfWeek`, `weekOfMonth` and
 * `weekOfYear`. Every array is sorted and duplicate-free.
 */
export interface ScheduleRun {
  level: BaculaLevel;
  pool: string;
  /** 0..23 */
  hour: readonly number[];
  /** 0..59 */
  minute: number;
  /** Day of the month minus one: 0..30. */
  day: readonly number[];
  /** Month minus one: 0 = January .. 11. */
  month: readonly number[];
  /** 0 = Sunday .. 6 = Saturday. */
  dayOfWeek: readonly number[];
  /** Bacula's week of the month, (day of month - 1) / 7: 0 = `1st` (days 1-7) .. 4 = `5th` (29-31); 5 = `6th` never matches. */
  weekOfMonth: readonly number[];
  /** Bacula's week of the year (`w00`..`w53`), as Bacula computes it (see schedule-calendar.ts). */
  weekOfYear: readonly number[];
}

/** A pool the rotation writes to: one volume per job, recycled when its retention has passed. */
export interface RotationPool {
  /** The Bacula pool name (`Photos-H03`): letters, digits and hyphens. */
  name: string;
  /** The level every job in this pool has. */
  level: BaculaLevel;
  /** How long a job's volume is kept before Bacula may recycle it (Volume Retention), in hours. */
  retentionHours: number;
  /** How often a new job lands in this pool, in hours (the pool's reuse interval in the Hanoi sense). */
  intervalHours: number;
  /**
   * `Maximum Volume Jobs`: jobs written to one volume before the next is used (default 1). Retention counts
   * from a volume's last write, so jobs sharing a volume are kept until the last of them has aged out.
   */
  jobsPerVolume?: number;
}

/** A rotation: the schedule's runs, the pools they write to, and what the plan promises. */
export interface RotationPlan {
  /** `hanoi` (the seed's) or `gfs` (the Bacula manual's "Automated Disk Backup", for comparison). */
  kind: "hanoi" | "gfs";
  /** The Bacula Schedule resource name. */
  scheduleName: string;
  pools: readonly RotationPool[];
  runs: readonly ScheduleRun[];
  /** Schedules are evaluated in UTC (the director runs with TZ=UTC), so no daylight-saving hour is lost or doubled. */
  timeZone: "UTC";
  /** The promise the simulator checks: a restore point at most this old at every hour ... */
  newestRestorePointHours: number;
  /** ... and one at least this old at every hour (once the rotation has run this long). */
  oldestRestorePointDays: number;
  /**
   * The Job's `Full Backup Pool`: where Bacula writes a Differential or Incremental it upgrades to Full
   * because the catalog holds no Full (the very first run, or after one was lost). The pool with the longest
   * retention, so that Full outlives every job based on it. (Because a Job's Full Backup Pool overrides a Run
   * line's `Pool=` for Full jobs, the scheduled Full runs are rendered with `FullPool=`.)
   */
  upgradePool: string;
}

/** One job the schedule starts, at a UTC instant. */
export interface ScheduledJob {
  at: Date;
  level: BaculaLevel;
  pool: string;
}

/** A moment a file can be restored as it was: the job that ended the chain, and every job it needs. */
export interface RestorePoint {
  /** When the backup ran (the state it restores). */
  at: Date;
  level: BaculaLevel;
  pool: string;
  /** The jobs a restore to this point reads: the Full, then the Differential, then the Incrementals, oldest first. */
  chain: readonly ScheduledJob[];
}
