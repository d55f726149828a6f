// The Bacula manual's "Automated Disk Backup" rotation (grandfather-father-son), for comparison with the
// Hanoi one in the same simulator. As the manual (Bacula's and Bareos's copy of the chapter) gives it:
//   Schedule WeeklyCycle: Level=Full 1st sun at 2:05; Level=Differential 2nd-5th sun at 2:05;
//                         Level=Incremental mon-sat at 2:05
//   Full-Pool  Volume Retention = 6 months (Bacula 9.6 reads it as 180 days: bdirjson prints 15552000 s), one job per volume
//   Diff-Pool  Volume Retention = 40 days, one job per volume
//   Inc-Pool   Volume Retention = 20 days six Incrementals a volume (Maximum Volume Jobs = 6)
import { ALL } from "./schedule-calendar";
import type { RotationPlan, ScheduleRun } from "./types";

const HOURS_PER_DAY = 24;
const at205 = { hour: [2], minute: 5, day: ALL.day, month: ALL.month, weekOfYear: ALL.weekOfYear } as const;

/** The manual's rotation: daily for a week (and more), weekly for a month, monthly for six months. */
export function gfsRotation(): RotationPlan {
  const runs: ScheduleRun[] = [
    { level: "Full", pool: "Full-Pool", ...at205, dayOfWeek: [0], weekOfMonth: [0] },
    { level: "Differential", pool: "Diff-Pool", ...at205, dayOfWeek: [0], weekOfMonth: [1, 2, 3, 4] },
    { level: "Incremental", pool: "Inc-Pool", ...at205, dayOfWeek: [1, 2, 3, 4, 5, 6], weekOfMonth: ALL.weekOfMonth },
  ];
  return {
    kind: "gfs",
    scheduleName: "WeeklyCycle",
    pools: [
      // Intervals are the longest gaps: five weeks between 1st Sundays, two weeks across one, Saturday to Monday.
      { name: "Full-Pool", level: "Full", retentionHours: 180 * HOURS_PER_DAY, intervalHours: 35 * HOURS_PER_DAY },
      { name: "Diff-Pool", level: "Differential", retentionHours: 40 * HOURS_PER_DAY, intervalHours: 14 * HOURS_PER_DAY },
      { name: "Inc-Pool", level: "Incremental", retentionHours: 20 * HOURS_PER_DAY, intervalHours: 2 * HOURS_PER_DAY, jobsPerVolume: 6 },
    ],
    runs,
    timeZone: "UTC",
    // What the manual's design offers: daily restore points, the oldest about six months back.
    newestRestorePointHours: 24,
    oldestRestorePointDays: 180,
    upgradePool: "Full-Pool",
  };
}
