// A Schedule's `Run =` line read the way Bacula 9.6's director reads it (src/dird/run_conf.c, store_run), into
// the bitmaps `bdirjson -r Schedule` prints: the job overrides first (`Level=Full Pool=Photos-H03`), then the
// date and time words. The tests compare this reading with bdirjson's on the same lines, quirks included
// (a range `5-5` is every day; `weekly` locks the day of month and the weeks; `hourly at 0:15` keeps every hour).
// Forms 9.6 rejects (`last`, modulo `w01/w02`) or that this reader does not model are refused with a reason.
import type { BaculaLevel, ScheduleRun } from "../../backup/rotation/types";

/** A Run line as read: the bitmaps, and the overrides it names (a line may leave level or pool to the job). */
export interface ParsedRun extends Omit<ScheduleRun, "level" | "pool"> {
  level?: BaculaLevel;
  pool?: string;
  /** Other overrides (`Storage`, `NextPool`, `FullPool`, ...), keys in lower case. */
  overrides: Record<string, string>;
}

/** A Run line this reader refuses, with Bacula's reason when Bacula refuses it too. */
export class RunLineError extends Error {
  constructor(readonly runLine: string, detail: string) {
    super(`Run = ${runLine}: ${detail}`);
    this.name = "RunLineError";
  }
}

const LEVELS: readonly BaculaLevel[] = ["Full", "Differential", "Incremental"];
/** The job overrides a Run line may start with (run_conf.c RunFields), lower case. */
const RUN_FIELDS = new Set(["pool", "level", "fullpool", "incrementalpool", "differentialpool", "nextpool", "storage", "messages", "priority", "spooldata", "writepartafterjob", "maxrunschedtime", "accurate"]);

type State = "none" | "at" | "mday" | "month" | "wday" | "wom" | "woy" | "time" | "range" | "hourly" | "daily" | "weekly" | "monthly";

const WDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const WDAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const WOM = ["first", "second", "third", "fourth", "fifth", "sixth"];
const WOM_SHORT = ["1st", "2nd", "3rd", "4th", "5th", "6th"];

/** The keywords of run_conf.c's keyw table: word -> state and zero-based code. */
const KEYWORDS = new Map<string, { state: State; code: number }>([
  ["on", { state: "none", code: 0 }],
  ["at", { state: "at", code: 0 }],
  ["hourly", { state: "hourly", code: 0 }],
  ["daily", { state: "daily", code: 0 }],
  ["weekly", { state: "weekly", code: 0 }],
  ["monthly", { state: "monthly", code: 0 }],
  ...[WDAYS, WDAY_NAMES].flatMap((names) => names.map((n, i): [string, { state: State; code: number }] => [n, { state: "wday", code: i }])),
  ...[MONTHS, MONTH_NAMES].flatMap((names) => names.map((n, i): [string, { state: State; code: number }] => [n, { state: "month", code: i }])),
  ...[WOM, WOM_SHORT].flatMap((names) => names.map((n, i): [string, { state: State; code: number }] => [n, { state: "wom", code: i }])),
]);

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The line's tokens: words, quoted strings (unquoted), `=`; commas and spaces only separate. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(=)|([^\s,="]+)/g)) tokens.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]));
  return tokens;
}

/** Sets `from..to` in a bitmap of `size`, wrapping past the end as Bacula does when from >= to. */
function setRange(bits: Set<number>, from: number, to: number, size: number): void {
  if (from < to) range(from, to).forEach((b) => bits.add(b));
  else {
    range(from, size - 1).forEach((b) => bits.add(b));
    range(0, to).forEach((b) => bits.add(b));
  }
}

/** Reads one Run line (the text after `Run =`). Throws RunLineError. */
export function parseRunLine(line: string): ParsedRun {
  const fail = (detail: string): never => {
    throw new RunLineError(line, detail);
  };
  const tokens = tokenize(line);
  let i = 0;
  let level: BaculaLevel | undefined;
  let pool: string | undefined;
  const overrides: Record<string, string> = {};
  while (i < tokens.length && RUN_FIELDS.has(tokens[i].toLowerCase())) {
    const field = tokens[i].toLowerCase();
    if (tokens[i + 1] !== "=") fail(`expected = after ${tokens[i]}`);
    const value = tokens[i + 2];
    if (value === undefined || value === "=") fail(`${tokens[i]} = has no value`);
    i += 3;
    if (field === "level") {
      level = LEVELS.find((l) => l.toLowerCase() === value.toLowerCase()) ?? fail(`level ${value} is not one of ${LEVELS.join(", ")}`);
    } else if (field === "pool") pool = value;
    else overrides[field] = value;
  }

  // Bacula's defaults: every hour, day, month, weekday, week of the month (0..5) and week of the year, minute 0.
  const bits = {
    hour: new Set(range(0, 23)),
    day: new Set(range(0, 30)),
    month: new Set(range(0, 11)),
    dayOfWeek: new Set(range(0, 6)),
    weekOfMonth: new Set(range(0, 5)),
    weekOfYear: new Set(range(0, 53)),
  };
  const have = { hour: false, day: false, month: false, dayOfWeek: false, weekOfMonth: false, weekOfYear: false, at: false, hourly: false };
  let minute = 0;
  /** The first value of a field clears Bacula's default for it. */
  const claim = (field: keyof typeof bits): Set<number> => {
    if (!have[field]) {
      bits[field].clear();
      have[field] = true;
    }
    return bits[field];
  };

  for (const token of tokens.slice(i)) {
    if (token === "=") fail("unexpected =");
    const lower = token.toLowerCase();
    if (/^\d+$/.test(token)) {
      const day = Number(token) - 1;
      if (day < 0 || day > 30) fail(`day ${token} out of range (1-31)`);
      claim("day").add(day);
    } else if (token.includes("-")) {
      const [from, to, ...rest] = lower.split("-");
      if (rest.length) fail(`range ${token} has more than two ends`);
      if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
        const [a, b] = [Number(from) - 1, Number(to) - 1];
        if (a < 0 || a > 30 || b < 0 || b > 30) fail(`day range ${token} out of range (1-31)`);
        setRange(claim("day"), a, b, 31);
        continue;
      }
      const week = (w: string): number | undefined => (/^w\d\d$/.test(w) ? Number(w.slice(1)) : undefined);
      const [wa, wb] = [week(from), week(to)];
      if (wa !== undefined && wb !== undefined) {
        if (wa > 53 || wb > 53) fail(`week range ${token} out of range (w00-w53)`);
        setRange(claim("weekOfYear"), wa, wb, 54);
        continue;
      }
      const start = KEYWORDS.get(from);
      const end = KEYWORDS.get(to);
      if (!start || !end || !["month", "wday", "wom"].includes(start.state)) return fail(`invalid month, week or position day range ${token}`);
      if (start.state !== end.state || start.code === end.code) fail(`invalid month, weekday or position range ${token}`);
      const [field, size] = start.state === "wday" ? (["dayOfWeek", 7] as const) : start.state === "month" ? (["month", 12] as const) : (["weekOfMonth", 5] as const);
      setRange(claim(field), start.code, end.code, size);
    } else if (token.includes(":")) {
      if (!have.at) fail("a time must be preceded by the keyword at");
      const m = /^(\d+):(\d{2})(am|pm)?$/i.exec(token) ?? fail(`bad time ${token}`);
      let hour = Number(m[1]);
      const min = Number(m[2]);
      const half = m[3]?.toLowerCase();
      if (half === "pm" && hour !== 12) hour += 12;
      else if (half === "am" && hour === 12) hour = 0;
      if (hour > 23 || min > 59) fail(`bad time ${token}`);
      if (!have.hour) bits.hour.clear();
      have.hour = true;
      // `hourly at :MM` keeps every hour: the time sets the minute only.
      if (have.hourly) range(0, 23).forEach((h) => bits.hour.add(h));
      else bits.hour.add(hour);
      minute = min;
    } else if (token.includes("/")) {
      fail(`modulo ${token} is not accepted by Bacula 9.6 (list the weeks or days)`);
    } else if (/^w\d\d$/i.test(token)) {
      const week = Number(token.slice(1));
      if (week > 53) fail(`week ${token} out of range (w00-w53)`);
      claim("weekOfYear").add(week);
    } else {
      const keyword = KEYWORDS.get(lower) ?? fail(lower === "last" ? "last is not accepted by Bacula 9.6" : `unknown word ${token}`);
      switch (keyword.state) {
        case "none":
          break;
        case "at":
          have.at = true;
          break;
        case "wday":
          claim("dayOfWeek").add(keyword.code);
          break;
        case "month":
          claim("month").add(keyword.code);
          break;
        case "wom":
          claim("weekOfMonth").add(keyword.code);
          break;
        case "hourly":
          have.hourly = true;
          range(0, 23).forEach((h) => bits.hour.add(h));
          break;
        case "daily":
          have.day = true;
          range(0, 6).forEach((d) => bits.dayOfWeek.add(d));
          break;
        case "weekly":
          have.day = have.weekOfMonth = have.weekOfYear = true;
          range(0, 30).forEach((d) => bits.day.add(d));
          range(0, 4).forEach((w) => bits.weekOfMonth.add(w));
          range(0, 53).forEach((w) => bits.weekOfYear.add(w));
          break;
        case "monthly":
          have.month = true;
          range(0, 11).forEach((m) => bits.month.add(m));
          break;
        default:
          fail(`unexpected word ${token}`);
      }
    }
  }
  const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);
  return {
    ...(level ? { level } : {}),
    ...(pool !== undefined ? { pool } : {}),
    overrides,
    hour: sorted(bits.hour),
    minute,
    day: sorted(bits.day),
    month: sorted(bits.month),
    dayOfWeek: sorted(bits.dayOfWeek),
    weekOfMonth: sorted(bits.weekOfMonth),
    weekOfYear: sorted(bits.weekOfYear),
  };
}

/**
 * A parsed Run line as a ScheduleRun for a job: the line's level and pool, or else the job's (Bacula's
 * defaults for a line that names none). Undefined when neither gives a level or a pool.
 */
export function runForJob(run: ParsedRun, job: { level?: BaculaLevel; pool?: string }): ScheduleRun | undefined {
  const level = run.level ?? job.level;
  const pool = run.pool ?? job.pool;
  if (!level || !pool) return undefined;
  return { hour: run.hour, minute: run.minute, day: run.day, month: run.month, dayOfWeek: run.dayOfWeek, weekOfMonth: run.weekOfMonth, weekOfYear: run.weekOfYear, level, pool };
}

/** A job's `Level` value as a BaculaLevel, case-insensitively, or undefined. */
export function baculaLevel(value: string | undefined): BaculaLevel | undefined {
  return LEVELS.find((l) => l.toLowerCase() === value?.toLowerCase());
}
