// A Schedule's `Run =` lines from the plan's ScheduleRun bitmaps. Bacula starts every field of a Run line full
// (every day, month, weekday, week) and narrows a field when the line names it, so a full field is left out and
// any other is listed: months `jan-mar`, days of the month `1, 15`, weekdays `mon, wed`, weeks of the month
// `1st`..`6th`, weeks of the year `w00, w02` one by one (9.6 rejects `w01/w02` and `last`), and every hour as its
// own `at HH:MM` (the minute is one per line, the hours accumulate). A Full run names its pool twice, as Pool=
// and FullPool=, because the Job's Full Backup Pool would otherwise win over Pool=. Checked against Bacula's own reading with
// `bdirjson -r Schedule` in render-director-conf.test.ts.
import type { ScheduleRun } from "../rotation/types";
import { name, resource } from "./quote";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const WEEKS_OF_MONTH = ["1st", "2nd", "3rd", "4th", "5th", "6th"];

/** What Bacula holds in a field nobody names (bdirjson prints these for an unrestricted field). */
const FULL = { day: 31, month: 12, dayOfWeek: 7, weekOfMonth: 6, weekOfYear: 54 } as const;
type Field = keyof typeof FULL;
const MAX: Record<Field | "hour", number> = { hour: 23, day: 30, month: 11, dayOfWeek: 6, weekOfMonth: 5, weekOfYear: 53 };

const pad = (n: number): string => String(n).padStart(2, "0");

function checkSet(values: readonly number[], field: Field | "hour", at: string): void {
  if (values.length === 0) throw new Error(`bacula: ${at}.${field}: expected at least one value, found none`);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > MAX[field]) throw new Error(`bacula: ${at}.${field}: expected integers 0..${MAX[field]}, found ${v}`);
    if (i > 0 && v <= values[i - 1]) throw new Error(`bacula: ${at}.${field}: expected sorted values without duplicates, found ${values.join(", ")}`);
  });
}

/** Runs of consecutive values, as `a-b` when three or more, else one by one. */
function compact(values: readonly number[], label: (v: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    if (j - i >= 2) parts.push(`${label(values[i])}-${label(values[j])}`);
    else for (let k = i; k <= j; k++) parts.push(label(values[k]));
    i = j + 1;
  }
  return parts.join(", ");
}

/** The date-and-time part of one Run line. */
export function renderRunSpec(run: ScheduleRun, at = "run"): string {
  checkSet(run.hour, "hour", at);
  for (const field of Object.keys(FULL) as Field[]) checkSet(run[field], field, at);
  if (!Number.isInteger(run.minute) || run.minute < 0 || run.minute > 59) throw new Error(`bacula: ${at}.minute: expected an integer 0..59, found ${run.minute}`);
  const words: string[] = [];
  const narrowed = (field: Field): boolean => run[field].length < FULL[field];
  if (narrowed("month")) words.push(compact(run.month, (m) => MONTHS[m]));
  if (narrowed("day")) words.push(compact(run.day, (d) => String(d + 1)));
  if (narrowed("weekOfMonth")) words.push(compact(run.weekOfMonth, (w) => WEEKS_OF_MONTH[w]));
  if (narrowed("dayOfWeek")) words.push(compact(run.dayOfWeek, (d) => WEEKDAYS[d]));
  if (narrowed("weekOfYear")) words.push(run.weekOfYear.map((w) => `w${pad(w)}`).join(", "));
  const time = run.hour.length === 24 ? `hourly at 00:${pad(run.minute)}` : `at ${run.hour.map((h) => `${pad(h)}:${pad(run.minute)}`).join(" ")}`;
  return [...words, time].join(" ");
}

/** One Run line: level, pool, when. */
export function renderRunLine(run: ScheduleRun, at = "run"): string {
  if (!["Full", "Differential", "Incremental"].includes(run.level)) throw new Error(`bacula: ${at}.level: expected Full, Differential or Incremental, found ${JSON.stringify(run.level)}`);
  const pool = name(run.pool, `${at}.pool`).slice(1, -1);
  // A Job's Full Backup Pool overrides a Run line's Pool= for Full jobs; FullPool= overrides that again.
  const pools = run.level === "Full" ? `Pool=${pool} FullPool=${pool}` : `Pool=${pool}`;
  return `  Run = Level=${run.level} ${pools} ${renderRunSpec(run, at)}`;
}

/** A Schedule resource. */
export function renderSchedule(schedule: { name: string; runs: readonly ScheduleRun[] }): string {
  if (schedule.runs.length === 0) throw new Error(`bacula: schedule ${schedule.name}: expected at least one run, found none`);
  return resource("Schedule", [`  Name = ${name(schedule.name, "schedule.name")}`, ...schedule.runs.map((r, i) => renderRunLine(r, `schedule ${schedule.name}.runs[${i}]`))]);
}
