import * as fs from "node:fs";
import * as path from "node:path";
import type { Bconsole, JobRecord } from "./bconsole";
import { sleep } from "../run";

// Restores and points in time as the tests use them. Jobs run in real time one after another; a point in time is
// the first whole second after a job ended, and the next job starts only after it, so `before=` (Bacula selects
// jobs whose StartTime is earlier) separates them without simulated clocks.

/** "YYYY-MM-DD HH:MM:SS" in UTC, as the director (TZ=UTC) prints and parses times. */
export function baculaTime(d: Date): string {
  return d.toISOString().replace("T", " ").slice(0, 19);
}

/** The next whole second from now; resolves once the clock has passed it. */
export async function pointInTime(): Promise<string> {
  const next = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
  await sleep(next.getTime() - Date.now() + 50);
  return baculaTime(next);
}

export interface RestoreRequest {
  /** The client whose backups are restored. */
  client: string;
  fileSet: string;
  /** The file daemon that receives the files (another client: restoreclient=). */
  restoreClient?: string;
  /** A point in time, or the newest backup when absent. */
  before?: string;
  /** A new directory under the lab's restore root. */
  where: string;
}

/** `restore ... select all done yes` for a point in time (or the newest), waited for. */
export async function restore(lab: { bconsole: Bconsole }, r: RestoreRequest): Promise<JobRecord> {
  fs.mkdirSync(r.where, { recursive: true });
  const parts = [
    "restore",
    `client=${r.client}`,
    ...(r.restoreClient ? [`restoreclient=${r.restoreClient}`] : []),
    `fileset=${r.fileSet}`,
    `where=${r.where}`,
    r.before ? `before="${r.before}"` : "current",
    "select", "all", "done", "yes",
  ];
  return lab.bconsole.runJob(parts.join(" "));
}

/** Where a restore put the files that were under `dir` (Bacula keeps the absolute path below `where`). */
export function restoredPath(where: string, dir: string): string {
  return path.join(where, dir);
}
