// The plan's answer to "which restore points exist now" for any backup job of the Bacula plan: the rotation
// simulator (backup/rotation/simulate.ts) replayed over the job's own schedule and pools, up to now.
import type { BaculaPlan } from "../../backup/bacula/bacula-plan";
import type { RotationPlan, RotationPool } from "../../backup/rotation/types";
import { restorePointsAt, simulateRotation } from "../../backup/rotation/simulate";
import { RunbookInputError } from "../engine/errors";
import type { KeptRestorePoints } from "./restore-point";

const DAY_MS = 86_400_000;

/**
 * A job's schedule as a RotationPlan the simulator replays: the photos' job has the plan's rotation; the other
 * jobs (database, FRS, config) their schedule's runs, with the retention of the pools those runs write to and
 * the job's own pool as the pool an upgraded Full goes to (Bacula's Full Backup Pool, or the job's Pool).
 */
export function jobRotation(plan: BaculaPlan, jobName: string): RotationPlan {
  const job = plan.backupJobs.find((j) => j.name === jobName);
  if (!job) throw new RunbookInputError(`no backup job ${jobName} in the stack's Bacula plan (${plan.backupJobs.map((j) => j.name).join(", ")})`);
  if (job.schedule === plan.rotation.scheduleName) return plan.rotation;
  const schedule = plan.schedules.find((s) => s.name === job.schedule);
  if (!schedule) throw new Error(`bacula plan: job ${job.name}: schedule ${job.schedule} is not in the plan`);
  const retention = (pool: string): number => {
    const p = plan.pools.find((x) => x.name === pool);
    if (!p) throw new Error(`bacula plan: schedule ${schedule.name} writes to ${pool}, which is not a pool of the plan`);
    return p.retentionHours;
  };
  const pools = new Map<string, RotationPool>();
  for (const run of schedule.runs) pools.set(run.pool, { name: run.pool, level: run.level, retentionHours: retention(run.pool), intervalHours: 0 });
  if (!pools.has(job.pool)) pools.set(job.pool, { name: job.pool, level: "Full", retentionHours: retention(job.pool), intervalHours: 0 });
  // The promises are the photos' (newest, oldest): for the simulator's figures only, which nothing reads here.
  return { ...plan.rotation, scheduleName: schedule.name, pools: [...pools.values()], runs: schedule.runs, upgradePool: job.pool };
}

/**
 * The restore points of a job at `now`: the schedule replayed from an empty catalog for twice its longest
 * retention (so that what the start-up left, such as the first job upgraded to Full, has expired) up to now.
 */
export function planRestorePoints(plan: BaculaPlan): KeptRestorePoints {
  return (jobName, now) => {
    const rotation = jobRotation(plan, jobName);
    const longestDays = Math.ceil(Math.max(...rotation.pools.map((p) => p.retentionHours)) / 24);
    const from = new Date(now.getTime() - 2 * longestDays * DAY_MS);
    const sim = simulateRotation(rotation, { from, days: 2 * longestDays + 2 });
    return restorePointsAt(sim, now).sort((a, b) => a.at.getTime() - b.at.getTime());
  };
}
