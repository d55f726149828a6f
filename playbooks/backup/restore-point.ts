// Which restore point covers a time (the plan's answer), and which catalog jobs make it up (the catalog's).
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import type { RestorePoint, ScheduledJob } from "../../backup/rotation/types";
import { LEVEL_LETTER, type CatalogJob } from "./bconsole";

/**
 * The restore points the plan keeps at `now` for a job, oldest first. For the photos this is the rotation
 * simulator's answer (backup/rotation/simulate.ts, h14-rotation: restorePointsAt(simulateRotation(plan, ...),
 * now)); the runbooks take it as a function so that they depend on the RestorePoint contract only.
 */
export type KeptRestorePoints = (jobName: string, now: Date) => readonly RestorePoint[];

/** The newest restore point at or before `at`; `at` before the oldest one kept is the operator's mistake. */
export function coveringRestorePoint(points: readonly RestorePoint[], at: Date, jobName: string): RestorePoint {
  const sorted = [...points].sort((a, b) => a.at.getTime() - b.at.getTime());
  if (sorted.length === 0) throw new RunbookInputError(`--at: the plan keeps no restore point of ${jobName} yet`);
  if (at.getTime() < sorted[0].at.getTime()) {
    throw new RunbookInputError(`--at: ${at.toISOString()} is before the oldest restore point of ${jobName} the plan keeps (${sorted[0].at.toISOString()}, ${sorted[0].level} in ${sorted[0].pool})`);
  }
  return sorted.filter((p) => p.at.getTime() <= at.getTime()).at(-1) as RestorePoint;
}

function describe(s: ScheduledJob): string {
  return `${s.level} in ${s.pool} scheduled at ${s.at.toISOString()}`;
}

/** Backup statuses a chain can be built on: terminated normally (T), or with warnings only (W). */
const GOOD = new Set(["T", "W"]);

/**
 * The catalog job for each job of the chain: the backup of that job name, level and pool, scheduled at that
 * minute (Bacula records a scheduled run's SchedTime as the schedule's time), terminated normally; the newest
 * one if it was rerun. Throws UnsafeStateError naming the first job the catalog lacks.
 */
export function catalogChain(point: RestorePoint, jobName: string, catalog: readonly CatalogJob[]): CatalogJob[] {
  return point.chain.map((s) => {
    const same = catalog.filter((j) => j.name === jobName && j.type === "B" && j.level === LEVEL_LETTER[s.level] && j.pool === s.pool && j.schedTime.getTime() === s.at.getTime());
    const good = same.filter((j) => GOOD.has(j.status)).sort((a, b) => a.jobId - b.jobId).at(-1);
    if (good) return good;
    const seen = same.length ? `; the catalog has it as ${same.map((j) => `job ${j.jobId} with status ${j.status}`).join(", ")}` : "";
    throw new UnsafeStateError(`the catalog lacks the chain of the restore point ${point.at.toISOString()} of ${jobName}: no ${describe(s)} terminated normally${seen}. Nothing was restored; see \`list jobname=${jobName}\` in bconsole`);
  });
}
