// bconsole's lines and readers of what Bacula 9.6 prints back (samples/ holds the real director's output).
// What the director prints comes from the catalog and the daemons: every value a runbook uses (job ids, job
// names, statuses, levels, times, file names, digests) is checked here against what it can mean before it
// reaches a bconsole line, a shell command or the operator's terminal (UnsafeStateError otherwise).
import { UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import type { BaculaLevel } from "../../backup/rotation/types";

function refuse(where: string, expected: string, value: unknown): never {
  throw new UnsafeStateError(`${where}: expected ${expected}, found ${value === undefined ? "nothing" : JSON.stringify(typeof value === "string" ? value.slice(0, 80) : value)}`);
}

/** The shell command that sends lines to the director (bconsole reads its commands from standard input). */
export function bconsoleCommand(config: string, lines: string | readonly string[]): string {
  const words = (typeof lines === "string" ? [lines] : lines).map(shellQuote).join(" ");
  return `printf '%s\\n' ${words} | bconsole -c ${shellQuote(config)}`;
}

/** The lines a bconsoleCommand sends (the fake director of the tests reads them back). */
export function bconsoleLinesOf(command: string): string[] | undefined {
  const m = /^printf '%s\\n' ((?:(?:'(?:[^']|'\\'')*'|[^' ]+) )+)\| bconsole -c \S+$/.exec(command);
  if (!m) return undefined;
  return [...m[1].matchAll(/'((?:[^']|'\\'')*)'|([^' ]+)/g)].map((w) => (w[1] !== undefined ? w[1].replace(/'\\''/g, "'") : w[2]));
}

/** bconsole connected and the director greeted it (`1000 OK: 103 NAME Version: 9.6.7 ...`). */
export function directorGreeting(stdout: string): string | undefined {
  const m = /^1000 OK: \d+ (\S+) Version: (\d+\.\d+\.\d+)/m.exec(stdout);
  return m ? `${m[1]} ${m[2]}` : undefined;
}

export const LEVEL_LETTER: Record<BaculaLevel, string> = { Full: "F", Differential: "D", Incremental: "I" };

/** One job as `llist` prints it, every field the runbooks use checked. */
export interface CatalogJob {
  jobId: number;
  job: string;
  name: string;
  type: string;
  level: string;
  client: string;
  status: string;
  schedTime: Date;
  startTime?: Date;
  jobFiles: number;
  jobErrors: number;
  pool?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$/;
const UNIQUE_JOB = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,200}$/;

/** `YYYY-MM-DD HH:MM:SS` as the director prints it: its clock runs in UTC (the plan's time zone). */
function catalogTime(value: string | undefined, where: string): Date | undefined {
  if (value === undefined || value === "0000-00-00 00:00:00" || value === "NULL" || value === "0") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
  const date = m ? new Date(`${m[1]}T${m[2]}Z`) : undefined;
  if (!date || Number.isNaN(date.getTime())) refuse(where, "a time such as 2026-11-30 01:05:00", value);
  return date;
}

/** A count as bconsole prints it: digits, grouped by thousands with commas (`1,234`) in 9.6's llist. */
function count(value: string | undefined, where: string): number {
  if (value === undefined || !/^(\d{1,15}|\d{1,3}(,\d{3}){1,4})$/.test(value)) refuse(where, "a count", value);
  return Number(value.replace(/,/g, ""));
}

/** Positive job id, as bconsole prints them and as it reads them back. */
export function jobIdOf(value: string | undefined, where: string): number {
  if (value === undefined || !/^[1-9]\d{0,14}$/.test(value)) refuse(where, "a job id (a positive integer)", value);
  return Number(value);
}

/** Every job block of `llist jobs ...` / `llist jobid=N` (blocks of `Key: value` lines). */
export function parseLlistJobs(stdout: string, where: string): CatalogJob[] {
  const jobs = new Map<number, CatalogJob>();
  let block: Record<string, string> = {};
  const flush = (): void => {
    if (block.JobId === undefined) {
      block = {};
      return;
    }
    const b = block;
    block = {};
    const jobId = jobIdOf(b.JobId, `${where}: JobId`);
    const at = `${where}: job ${jobId}`;
    const field = (key: string, pattern: RegExp, expected: string): string => {
      const v = b[key];
      if (v === undefined || !pattern.test(v)) refuse(`${at}: ${key}`, expected, v);
      return v;
    };
    const schedTime = catalogTime(b.SchedTime, `${at}: SchedTime`);
    if (!schedTime) refuse(`${at}: SchedTime`, "a time such as 2026-11-30 01:05:00", b.SchedTime);
    const startTime = catalogTime(b.StartTime, `${at}: StartTime`);
    const pool = b.PoolName === undefined || b.PoolName === "NULL" ? undefined : field("PoolName", NAME, "a pool name");
    const job: CatalogJob = {
      jobId,
      job: field("Job", UNIQUE_JOB, "a unique job name such as Photos.2026-11-30_01.05.00_03"),
      name: field("Name", NAME, "a job name"),
      type: field("Type", /^[A-Za-z]$/, "a job type letter"),
      level: field("Level", /^[A-Za-z]?$/, "a level letter (or none)"),
      client: field("ClientName", NAME, "a client name"),
      status: field("JobStatus", /^[A-Za-z]$/, "a job status letter"),
      schedTime,
      ...(startTime ? { startTime } : {}),
      jobFiles: count(b.JobFiles, `${at}: JobFiles`),
      jobErrors: count(b.JobErrors, `${at}: JobErrors`),
      ...(pool ? { pool } : {}),
    };
    const seen = jobs.get(jobId);
    if (seen && seen.job !== job.job) refuse(`${at}`, "one job per job id", `${seen.job} and ${job.job}`);
    jobs.set(jobId, job);
  };
  for (const line of stdout.split("\n")) {
    const m = /^ *([A-Za-z]+): ?(.*)$/.exec(line);
    if (!m) {
      flush();
      continue;
    }
    if (m[1] === "JobId" && block.JobId !== undefined) flush();
    block[m[1]] = m[2].trim();
  }
  flush();
  return [...jobs.values()].sort((a, b) => a.jobId - b.jobId);
}

/** `Job queued. JobId=N` after `restore ... yes` or `run ... yes`. */
export function queuedJobId(stdout: string, where: string): number {
  const ids = [...stdout.matchAll(/^Job queued\. JobId=(\S*)$/gm)].map((m) => m[1]);
  if (ids.length !== 1) refuse(where, "one \"Job queued. JobId=N\" line", ids.length ? ids.join(", ") : stdout.trim().split("\n").slice(-3).join(" | "));
  return jobIdOf(ids[0], where);
}

/** `N files selected to be restored.` (or `1 file selected ...`). */
export function selectedFileCount(stdout: string, where: string): number {
  const m = /^(\d{1,15}|\d{1,3}(?:,\d{3}){1,4}) files? selected to be restored\.$/m.exec(stdout);
  if (!m) refuse(where, "\"N files selected to be restored.\"", stdout.trim().split("\n").slice(-3).join(" | "));
  return Number(m[1].replace(/,/g, ""));
}

/** Statuses of a job that has not ended (Bacula's job status table). */
export const RUNNING_STATUSES = new Set("CRBFSMmsjcdtpqialL".split(""));

/**
 * The SHA256 digest a file daemon stored, as hex. The file daemon writes digests with Bacula's base64 in its
 * compatible form (the standard alphabet, no padding): 43 characters for 32 bytes. Anything else (`0`: no
 * digest) is undefined.
 */
export function sha256OfCatalogDigest(digest: string): string | undefined {
  if (!/^[A-Za-z0-9+/]{43}$/.test(digest)) return undefined;
  return Buffer.from(`${digest}=`, "base64").toString("hex");
}

/**
 * What the director answered to `line`: bconsole's greeting and the echo of the line cut off, and its own
 * chatter (`Using Catalog`, `You have messages.`) left out.
 */
export function bconsoleAnswer(stdout: string, line: string): string {
  const lines = stdout.split("\n");
  const echo = lines.indexOf(line);
  return lines.slice(echo + 1)
    .filter((l) => !/^(Using Catalog ".*"|Automatically selected Catalog: .*|You have messages\.)$/.test(l.trim()))
    .join("\n");
}

/**
 * The messages of `list joblog jobid=N`: a one-column table whose cells start with `| ` and end with a line
 * `\   |` (a message may span lines, such as the end-of-job summary). The table of the job bconsole prints after
 * it is not a message.
 */
export function joblogEntries(answer: string): string[] {
  const entries: string[] = [];
  let current: string[] | undefined;
  for (const line of answer.split("\n")) {
    if (current === undefined) {
      if (line.startsWith("| ") && !/^\|\s*LogText\s*\|$/.test(line)) current = [line.slice(2)];
      else if (entries.length && /^\+-+\+$/.test(line)) break;
      continue;
    }
    if (/^\\\s*\|$/.test(line)) {
      entries.push(current.join("\n").trimEnd());
      current = undefined;
    } else current.push(line);
  }
  if (current) entries.push(current.join("\n").trimEnd());
  return entries;
}

/** What the operator is shown of a line the director printed: control characters replaced, length bounded. */
export function shownText(line: string): string {
  const clean = line.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return clean.length > 300 ? `${clean.slice(0, 300)}...` : clean;
}
