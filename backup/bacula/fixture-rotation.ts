// A stand-in rotation for the Bacula tests until backup/rotation derives the Hanoi plan (helper h14-rotation):
// its runs narrow every field a Run line can name (hours, weekdays, days, months, weeks of the month and of
// the year, week 53), so the renderer and Bacula's reading of it are exercised on every field.
import type { RotationPlan, ScheduleRun } from "../rotation/types";

const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function run(level: ScheduleRun["level"], pool: string, fields: Partial<Omit<ScheduleRun, "level" | "pool">>): ScheduleRun {
  return { level, pool, hour: all(24), minute: 5, day: all(31), month: all(12), dayOfWeek: all(7), weekOfMonth: all(6), weekOfYear: all(54), ...fields };
}

export function fixtureRotation(): RotationPlan {
  return {
    kind: "hanoi",
    scheduleName: "Photos-Hanoi",
    pools: [
      { name: "Photos-H00", level: "Incremental", retentionHours: 48, intervalHours: 1 },
      { name: "Photos-H01", level: "Differential", retentionHours: 8 * 24, intervalHours: 24 },
      { name: "Photos-H02", level: "Full", retentionHours: 200 * 24, intervalHours: 14 * 24 },
      { name: "Photos-H03", level: "Full", retentionHours: 400 * 24, intervalHours: 28 * 24 },
    ],
    runs: [
      run("Incremental", "Photos-H00", { hour: all(24).filter((h) => h !== 0) }),
      run("Differential", "Photos-H01", { hour: [0], dayOfWeek: [1, 2, 3, 4, 5, 6] }),
      run("Full", "Photos-H02", { hour: [0], dayOfWeek: [0], weekOfYear: all(54).filter((w) => w % 2 === 0) }),
      run("Full", "Photos-H03", { hour: [0], dayOfWeek: [0], weekOfYear: all(54).filter((w) => w % 2 === 1) }),
      run("Full", "Photos-H03", { hour: [12, 18], minute: 35, day: [0, 14], month: [0, 6], weekOfMonth: [0, 2, 3, 4] }),
    ],
    timeZone: "UTC",
    newestRestorePointHours: 1,
    oldestRestorePointDays: 183,
    upgradePool: "Photos-H03",
  };
}
