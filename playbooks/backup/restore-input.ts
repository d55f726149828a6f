// backup-restore's own options, checked before anything connects (RunbookInputError, exit 2).
import * as path from "node:path";
import { RunbookInputError } from "../engine/errors";
import type { BackupInventory, BackupJobEntry } from "./inventory";

/**
 * `--path`: an absolute path, no control characters, no `.` or `..` segment, no empty segment, and none of
 * `"` or `\` (bconsole's argument parser has no escape for them; the catalog lookups send the path hex-encoded,
 * so SQL never sees it as text).
 */
export function checkRestorePath(value: unknown): string {
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 200)) : String(value);
  const expected = 'an absolute path without control characters, quotes ("), backslashes, or ".", ".." or empty segments';
  if (typeof value !== "string" || !value.startsWith("/") || value.length > 4096 || /[\u0000-\u001f\u007f"\\]/.test(value)) {
    throw new RunbookInputError(`--path: expected ${expected}, found ${shown}`);
  }
  const trimmed = value.length > 1 ? value.replace(/\/$/, "") : value;
  const segments = trimmed.split("/").slice(1);
  if (trimmed === "/" || segments.some((s) => s === "" || s === "." || s === "..")) throw new RunbookInputError(`--path: expected ${expected}, found ${shown}`);
  return trimmed;
}

function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(`${dir}/`);
}

/** The backup job whose file set holds the path; the most specific include wins; `--job` picks among equals. */
export function jobForPath(inventory: BackupInventory, restorePath: string, jobName?: string): BackupJobEntry {
  const candidates = inventory.jobs.filter((j) => (jobName === undefined || j.name === jobName) && j.include.some((i) => within(restorePath, i)));
  if (jobName !== undefined && !inventory.jobs.some((j) => j.name === jobName)) {
    throw new RunbookInputError(`--job: expected one of ${inventory.jobs.map((j) => j.name).join(", ")}, found "${jobName}"`);
  }
  if (candidates.length === 0) {
    const sets = inventory.jobs.filter((j) => jobName === undefined || j.name === jobName).map((j) => `${j.name}: ${j.include.join(", ")}`).join("; ");
    throw new RunbookInputError(`--path: ${restorePath} is in no backed-up file set (${sets})`);
  }
  const depth = (j: BackupJobEntry): number => Math.max(...j.include.filter((i) => within(restorePath, i)).map((i) => i.length));
  const best = Math.max(...candidates.map(depth));
  const top = candidates.filter((j) => depth(j) === best);
  if (top.length > 1) throw new RunbookInputError(`--path: ${restorePath} is in the file sets of ${top.map((j) => j.name).join(" and ")}: pass --job NAME`);
  return top[0];
}

/** `--at`: ISO 8601 with a zone (`2026-11-30T02:30:00Z`, `...+01:00`), a real instant, not in the future. */
export function checkRestoreTime(value: unknown, now: Date): Date {
  const text = typeof value === "string" ? value : String(value);
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? new Date(text) : undefined;
  if (!time || Number.isNaN(time.getTime())) throw new RunbookInputError(`--at: expected an ISO 8601 time with a zone such as 2026-11-30T02:30:00Z, found ${JSON.stringify(text.slice(0, 80))}`);
  if (time.getTime() > now.getTime()) throw new RunbookInputError(`--at: ${time.toISOString()} is in the future (now ${now.toISOString()})`);
  return time;
}

/** The default place of a restore: below the inventory's restore root, named by the job and the chosen time. */
export function defaultRestoreDir(inventory: BackupInventory, job: BackupJobEntry, at: Date): string {
  return `${inventory.restoreRoot}/${job.name}-${at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
}

/**
 * `--to`: an absolute directory (same characters as --path), never `/` and never inside a backed-up file set
 * of the client: a restore goes to a new place, never over the live data (the files already there, and the
 * next backup, would mix with the restored copy). Putting a file back is the operator's move from there;
 * there is deliberately no in-place flag. That it is absent or empty is checked on the client.
 */
export function checkRestoreDir(value: string, inventory: BackupInventory, job: BackupJobEntry): string {
  let dir: string;
  try {
    dir = checkRestorePath(value);
  } catch (e) {
    throw new RunbookInputError((e as Error).message.replace(/^--path:/, "--to:"));
  }
  const clientSets = inventory.jobs.filter((j) => j.client === job.client).flatMap((j) => j.include);
  const inside = clientSets.find((i) => within(dir, i) || within(i, dir));
  if (inside) throw new RunbookInputError(`--to: ${dir} ${within(dir, inside) ? "is inside" : "contains"} the backed-up ${inside} on ${job.client}: restore to a new place (such as ${inventory.restoreRoot}/...), then move what you need`);
  return path.posix.normalize(dir);
}
