// The simulator and Bacula agree: the photos' rotation as Bacula 9.6 reads it from the rendered bacula-dir.conf
// (bdirjson: the Schedule's Run bitmaps, each pool's Volume Retention and Maximum Volume Jobs, the Job's Full
// Backup Pool) is replayed by the restore-point simulator (backup/rotation/simulate.ts) over two years from
// 2026-01-01 (two year boundaries' weeks, week 53), and gives the same jobs and the same restore points, hour by
// hour, as the plan the file was rendered from. Covers bookworm's Bacula 9.6.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationPlan, ScheduleRun } from "../rotation/types";
import { DEFAULT_SIMULATION } from "../rotation/compare";
import { restorePointsAt, simulateRotation } from "../rotation/simulate";
import { baculaJson, baculaStand, createCatalog, type BaculaStand } from "./bacula-test-stand";
import { renderDirectorConf } from "./render-files";

interface BdirRun { Pool: string; FullPool?: string; Level: string; Hour: number[]; Minute: number; Day: number[]; Month: number[]; DayOfWeek: number[]; WeekOfMonth: number[]; WeekOfYear: number[] }

/** The rotation as Bacula holds it: everything the simulator reads, from bdirjson. */
function rotationAsBaculaReadsIt(plan: RotationPlan, conf: string, jobName: string): RotationPlan {
  const schedule = baculaJson("bdirjson", ["-r", "Schedule", "-n", plan.scheduleName], conf) as { Run: BdirRun[] };
  const job = baculaJson("bdirjson", ["-r", "Job", "-n", jobName], conf) as { FullBackupPool?: string; Schedule?: string };
  const runs: ScheduleRun[] = schedule.Run.map((r) => ({
    level: r.Level as ScheduleRun["level"],
    // Bacula's pool for a job of this run: a Full run's FullPool= (else the Job's Full Backup Pool), otherwise Pool=.
    pool: r.Level === "Full" ? (r.FullPool ?? job.FullBackupPool ?? r.Pool) : r.Pool,
    hour: r.Hour, minute: r.Minute, day: r.Day, month: r.Month, dayOfWeek: r.DayOfWeek, weekOfMonth: r.WeekOfMonth, weekOfYear: r.WeekOfYear,
  }));
  const pools = plan.pools.map((p) => {
    const json = baculaJson("bdirjson", ["-r", "Pool", "-n", p.name], conf) as { VolumeRetention: number; MaximumVolumeJobs: number };
    return { ...p, retentionHours: json.VolumeRetention / 3600, jobsPerVolume: json.MaximumVolumeJobs };
  });
  if (job.Schedule !== plan.scheduleName) throw new Error(`${jobName}: expected Schedule ${plan.scheduleName}, found ${job.Schedule}`);
  return { ...plan, runs, pools, upgradePool: job.FullBackupPool ?? "(none)" };
}

describe.each(["prod", "staging", "lab"] as const)("the simulator on Bacula's reading of %s's rotation", (stack) => {
  let stand: BaculaStand;
  let fromBacula: RotationPlan;
  beforeAll(() => {
    stand = baculaStand(stack);
    createCatalog(stand.plan.director.catalogFile);
    const conf = stand.write("bacula-dir.conf", renderDirectorConf(stand.plan, stand.secrets, stand.paths));
    const photos = stand.plan.backupJobs.find((j) => j.schedule === stand.plan.rotation.scheduleName);
    if (!photos) throw new Error("no job runs the rotation");
    fromBacula = rotationAsBaculaReadsIt(stand.plan.rotation, conf, photos.name);
  });
  afterAll(() => stand?.remove());

  it("Bacula reads the same runs, retentions and upgrade pool as the plan", () => {
    const plan = stand.plan.rotation;
    expect(fromBacula.runs).toEqual(plan.runs);
    expect(fromBacula.upgradePool).toBe(plan.upgradePool);
    expect(fromBacula.pools.map((p) => [p.name, p.retentionHours, p.jobsPerVolume])).toEqual(plan.pools.map((p) => [p.name, p.retentionHours, p.jobsPerVolume ?? 1]));
  });

  it("gives the same jobs and restore points hour by hour over two years, and keeps the plan's promise", () => {
    const window = { from: new Date(`${DEFAULT_SIMULATION.from}T00:00:00Z`), days: DEFAULT_SIMULATION.days };
    const planned = simulateRotation(stand.plan.rotation, window);
    const read = simulateRotation(fromBacula, window);
    expect(read.jobs.length).toBeGreaterThan(0);
    expect(read.jobs.map((j) => [j.at.toISOString(), j.ranAs, j.writtenTo, j.restoreEnd])).toEqual(planned.jobs.map((j) => [j.at.toISOString(), j.ranAs, j.writtenTo, j.restoreEnd]));
    expect(Array.from(read.restorePoints)).toEqual(Array.from(planned.restorePoints));
    expect(Array.from(read.newestAgeHours)).toEqual(Array.from(planned.newestAgeHours));
    expect(Array.from(read.oldestAgeDays)).toEqual(Array.from(planned.oldestAgeDays));
    for (const at of ["2026-12-31T23:30:00Z", "2027-01-01T00:30:00Z", "2027-07-04T12:00:00Z"]) {
      expect(restorePointsAt(read, new Date(at)), at).toEqual(restorePointsAt(planned, new Date(at)));
    }
    // After the first half year, every hour has a restore point at most newestRestorePointHours old and one at least oldestRestorePointDays old.
    const settled = (stand.plan.rotation.oldestRestorePointDays + 31) * 24;
    const newest = Array.from(read.newestAgeHours).slice(settled);
    const oldest = Array.from(read.oldestAgeDays).slice(settled);
    expect(Math.max(...newest)).toBeLessThanOrEqual(stand.plan.rotation.newestRestorePointHours);
    expect(Math.min(...oldest)).toBeGreaterThanOrEqual(stand.plan.rotation.oldestRestorePointDays);
  });
});
