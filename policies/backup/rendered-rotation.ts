// The photos' rotation as the delivered director will run it: the photo job's Schedule read line by line the way
// Bacula reads it (bacula-run-line.ts), each run's pool chosen as the director chooses it, and the pools' Volume
// Retention and Maximum Volume Jobs as written. The result is a RotationPlan the rotation's own simulator
// replays, so the policy judges what Bacula would do, not what the plan meant.
import type { BaculaLevel, RotationPlan, RotationPool, ScheduleRun } from "../../backup/rotation/types";
import type { Finding } from "../kit/types";
import { baculaDurationSeconds, directiveValue, findResource } from "./bacula-config-reader";
import { baculaLevel } from "./bacula-run-line";
import { jobValue, locationOf, scheduleRuns, type BaculaConf } from "./bacula-files";
import type { PhotoJob } from "./photo-jobs";

/** Bacula's defaults: Volume Retention 365 days; Maximum Volume Jobs 0, no limit (one volume takes every job). */
const DEFAULT_RETENTION_HOURS = 365 * 24;
const UNLIMITED_JOBS = Number.MAX_SAFE_INTEGER;

const LEVEL_POOL_KEY: Record<BaculaLevel, { run: string; job: string }> = {
  Full: { run: "fullpool", job: "Full Backup Pool" },
  Differential: { run: "differentialpool", job: "Differential Backup Pool" },
  Incremental: { run: "incrementalpool", job: "Incremental Backup Pool" },
};

export interface RenderedRotation {
  plan?: RotationPlan;
  /** Where the simulator puts a job Bacula upgrades to Full (see SimulationOptions.upgradeInto). */
  upgradeInto?: "upgradePool" | "runPool";
  findings: Finding[];
}

/**
 * The rotation the photo job runs: its schedule's runs, each with the level (the line's, else the job's) and the
 * pool (the line's level pool, the job's level pool, the line's Pool, the job's Pool: the director's order), and
 * every pool those runs write to. Findings for what Bacula would refuse or what leaves the rotation.
 */
export function renderedRotation(director: BaculaConf, photo: PhotoJob, promise: { newestRestorePointHours: number; oldestRestorePointDays: number }): RenderedRotation {
  const findings: Finding[] = [];
  const at = locationOf(director, photo.schedule ?? photo.job);
  const add = (subject: string, observed: string, expected: string, location = at): void => {
    findings.push({ subject, observed, expected, urn: director.urn, location });
  };
  if (!photo.schedule) {
    add(`schedule of the photo job ${photo.name} on ${director.vm}`, photo.scheduleName === undefined ? "no Schedule" : `no Schedule resource named ${photo.scheduleName}`, "the rotation's Schedule", locationOf(director, photo.job));
    return { findings };
  }
  const jobLevel = baculaLevel(jobValue(director, photo.job, "Level"));
  const jobPool = jobValue(director, photo.job, "Pool");
  const lines = scheduleRuns(photo.schedule);
  // The pools the schedule itself names: a run that falls back to one of the job's pools writes outside them.
  const named = new Set(lines.flatMap((l) => (l.run ? [l.run.pool, ...Object.entries(l.run.overrides).filter(([k]) => k.endsWith("pool") && k !== "nextpool").map(([, v]) => v)] : [])).filter((p): p is string => p !== undefined));
  const runs: ScheduleRun[] = [];
  for (const l of lines) {
    if (!l.run) {
      add(`Run line of ${photo.scheduleName ?? ""} on ${director.vm}`, l.error ?? l.line, "a Run line Bacula 9.6 accepts");
      continue;
    }
    const level = l.run.level ?? jobLevel;
    if (!level) {
      add(`Run line of ${photo.scheduleName ?? ""} on ${director.vm}`, `Run = ${l.line}: no Level, and the job has none`, "a level on every run");
      continue;
    }
    const keys = LEVEL_POOL_KEY[level];
    const pool = l.run.overrides[keys.run] ?? jobValue(director, photo.job, keys.job) ?? l.run.pool ?? jobPool;
    if (pool === undefined) {
      add(`Run line of ${photo.scheduleName ?? ""} on ${director.vm}`, `Run = ${l.line}: no pool`, "a pool on every run");
      continue;
    }
    if (!named.has(pool)) {
      add(`pool of a photo run on ${director.vm}`, `Run = ${l.line}: the job ${photo.name}'s ${level} jobs go to ${pool}, which schedule ${photo.scheduleName ?? ""} never names`, "every run writes to a pool of the rotation its schedule names");
    }
    runs.push({ hour: l.run.hour, minute: l.run.minute, day: l.run.day, month: l.run.month, dayOfWeek: l.run.dayOfWeek, weekOfMonth: l.run.weekOfMonth, weekOfYear: l.run.weekOfYear, level, pool });
  }
  const pools: RotationPool[] = [];
  for (const name of [...new Set(runs.map((r) => r.pool))]) {
    const resource = findResource(director.resources, "Pool", name);
    if (!resource) {
      add(`pool ${name} of the photo rotation on ${director.vm}`, "no Pool resource", `a Pool ${name} with its Volume Retention`);
      continue;
    }
    const written = directiveValue(resource, "Volume Retention");
    const seconds = written === undefined ? DEFAULT_RETENTION_HOURS * 3600 : baculaDurationSeconds(written);
    if (seconds === undefined) {
      add(`retention of pool ${name} on ${director.vm}`, `Volume Retention = ${written ?? ""}`, "a Bacula time period", locationOf(director, resource));
      continue;
    }
    const maxJobs = Number(directiveValue(resource, "Maximum Volume Jobs") ?? "0");
    const level = runs.find((r) => r.pool === name)?.level ?? "Full";
    pools.push({ name, level, retentionHours: seconds / 3600, intervalHours: 0, jobsPerVolume: Number.isInteger(maxJobs) && maxJobs > 0 ? maxJobs : UNLIMITED_JOBS });
  }
  if (findings.length || !runs.length) {
    if (!runs.length) add(`schedule of the photo job ${photo.name} on ${director.vm}`, `Schedule ${photo.scheduleName ?? ""} has no Run line Bacula accepts`, "the rotation's Run lines");
    return { findings };
  }
  // A Differential with no Full in the catalog runs as a Full: in the job's Full Backup Pool, else in the run's
  // own pool (the simulator models both).
  const jobFullPool = jobValue(director, photo.job, "Full Backup Pool");
  if (jobFullPool !== undefined && !pools.some((p) => p.name === jobFullPool)) {
    add(`Full Backup Pool of the photo job ${photo.name} on ${director.vm}`, `Full Backup Pool = ${jobFullPool}, which schedule ${photo.scheduleName ?? ""} never names: a job upgraded to Full is written outside the rotation`, "a pool of the rotation", locationOf(director, photo.job));
    return { findings };
  }
  return {
    findings,
    upgradeInto: jobFullPool === undefined ? "runPool" : "upgradePool",
    plan: { kind: "hanoi", scheduleName: photo.scheduleName ?? "", pools, runs, timeZone: "UTC", ...promise, upgradePool: jobFullPool ?? pools[0].name },
  };
}
