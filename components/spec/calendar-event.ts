// Proxmox VE calendar events (`proxmox.replicationSchedule`, and any schedule Proxmox runs), parsed with the
// grammar of Proxmox's own parser (proxmox-time's calendar_event.rs, which PVE 7 and later use through
// PVE::RS::CalendarEvent; documented in the Proxmox Backup manual, "Calendar Events"):
//
//   event   = keyword | [weekdays] [date] [time] [" UTC"]         (at least one of the three parts)
//   keyword = minutely | hourly | daily | weekly | monthly | yearly | annually | quarterly
//           | semiannually | semi-annually
//   weekdays= weekday [".." weekday] ("," weekday [".." weekday])*   (mon or monday ..., any case)
//   date    = [years "-"] months "-" days
//   time    = [hours ":"] minutes [":" seconds]                       (a single part is minutes: "*/15")
//   list    = "*" | "*/" step | item ("," item)*
//   item    = n | n ".." m | n "/" step | n ".." m "/" step
//
// Where Proxmox's parser accepts a value that means nothing, this one refuses it, as systemd does: month 0,
// day 0, a step of 0, a year before 1970, and parts run together without a space ("mon12:00"). A date that
// never comes (*-02-30, 2023-02-29), which both parsers take, is refused too: the job would never run.
// Differences from systemd (systemd.time(7)): a lone number is minutes here (systemd reads it as a time of
// day only with a colon), and Proxmox has no "~" (last days of the month), no time zones but UTC, no
// fractional seconds, and no "@epoch".
// Pure TypeScript: the toolkit runs where systemd-analyze does not exist; the tests use it as an oracle.

/** The reason an expression is not a calendar event, or undefined when it is one. */
export function calendarEventProblem(text: string): string | undefined {
  try {
    parseCalendarEvent(text);
    return undefined;
  } catch (err) {
    if (err instanceof CalendarSyntaxError) return err.message;
    throw err;
  }
}

const KEYWORDS = ["minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly", "semiannually", "semi-annually"];
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

class CalendarSyntaxError extends Error {}

interface Field {
  name: string;
  min: number;
  max: number;
}
const YEAR: Field = { name: "year", min: 1970, max: 2199 };
const MONTH: Field = { name: "month", min: 1, max: 12 };
const DAY: Field = { name: "day", min: 1, max: 31 };
const HOUR: Field = { name: "hour", min: 0, max: 23 };
const MINUTE: Field = { name: "minute", min: 0, max: 59 };
const SECOND: Field = { name: "second", min: 0, max: 59 };

function fail(message: string): never {
  throw new CalendarSyntaxError(message);
}

/** Throws CalendarSyntaxError with the first problem; returns nothing for a valid event. */
function parseCalendarEvent(input: string): void {
  if (input.trim() === "") fail("an empty schedule");
  if (/[^\x21-\x7e ]/.test(input)) fail("a character other than printable ASCII and spaces");
  if (input !== input.trim() || /  /.test(input)) fail("extra spaces");
  let text = input;
  if (text.endsWith(" UTC")) text = text.slice(0, -" UTC".length);
  else if (text === "UTC") fail("no date or time before UTC");
  if (KEYWORDS.includes(text)) return;

  const parts = text.split(" ");
  if (parts.length > 3) fail(`more than three parts (weekdays, date, time) in "${text}"`);
  let i = 0;
  if (/^[A-Za-z]/.test(parts[i])) parseWeekdays(parts[i++]);
  if (i < parts.length && parts[i].includes("-")) checkDateOccurs(parseDate(parts[i++]));
  if (i < parts.length) parseTime(parts[i++]);
  if (i < parts.length) fail(`"${parts[i]}" after the time`);
}

function parseWeekdays(text: string): void {
  for (const item of text.split(",")) {
    const range = item.split("..");
    if (range.length > 2) fail(`"${item}" is not a weekday or a range of two`);
    for (const day of range) {
      const lower = day.toLowerCase();
      if (!WEEKDAYS.includes(lower) && !WEEKDAY_NAMES.includes(lower)) {
        fail(KEYWORDS.includes(lower) ? `"${day}": keywords are lower case` : `"${day}" is not a weekday (mon, tue, wed, thu, fri, sat, sun) or a keyword (${KEYWORDS.join(", ")})`);
      }
    }
  }
}

interface DateSpec {
  text: string;
  years: number[];
  months: number[];
  days: number[];
}

function parseDate(text: string): DateSpec {
  const parts = text.split("-");
  if (parts.length === 3) return { text, years: parseList(parts[0], YEAR), months: parseList(parts[1], MONTH), days: parseList(parts[2], DAY) };
  if (parts.length === 2) return { text, years: values(YEAR), months: parseList(parts[0], MONTH), days: parseList(parts[1], DAY) };
  fail(`"${text}" is not a date [year-]month-day`);
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Both parsers accept *-02-30, and the event never comes: the job would never run. */
function checkDateOccurs(date: DateSpec): void {
  const leapYear = date.years.some(isLeap);
  const occurs = date.months.some((m) => date.days.some((d) => d <= (m === 2 ? (leapYear ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31)));
  if (!occurs) fail(`the date ${date.text} never occurs`);
}

function parseTime(text: string): void {
  const parts = text.split(":");
  if (parts.length === 1) parseList(parts[0], MINUTE);
  else if (parts.length === 2 || parts.length === 3) {
    parseList(parts[0], HOUR);
    parseList(parts[1], MINUTE);
    if (parts.length === 3) parseList(parts[2], SECOND);
  } else fail(`"${text}" is not a time [hour:]minute[:second]`);
}

/** Every value of a field from `from` to its maximum, `step` apart. */
function values(field: Field, from = field.min, to = field.max, step = 1): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The values a list matches (what the event fires on), or a CalendarSyntaxError. */
function parseList(text: string, field: Field): number[] {
  if (text === "") fail(`an empty ${field.name}`);
  if (text === "*") return values(field);
  if (text.startsWith("*/")) return values(field, field.min, field.max, parseStep(text.slice(2), field));
  const matched = new Set<number>();
  for (const item of text.split(",")) {
    const [span, step, ...more] = item.split("/");
    if (more.length) fail(`"${item}" has more than one step`);
    const range = span.split("..");
    if (range.length > 2) fail(`"${span}" is not a ${field.name} or a range of two`);
    const [low, high = low] = range.map((v) => parseNumber(v, field));
    if (low > high) fail(`the ${field.name} range ${span} runs backwards`);
    // n/step repeats up to the field's maximum; n..m/step within the range.
    const last = step !== undefined && range.length === 1 ? field.max : high;
    for (const v of values(field, low, last, step === undefined ? 1 : parseStep(step, field))) matched.add(v);
  }
  return [...matched];
}

function parseNumber(text: string, field: Field): number {
  if (!/^[0-9]+$/.test(text)) fail(`"${text}" is not a ${field.name} (a number from ${field.min} to ${field.max})`);
  const value = Number(text);
  if (value < field.min || value > field.max) fail(`${field.name} ${text} is outside ${field.min} to ${field.max}`);
  return value;
}

function parseStep(text: string, field: Field): number {
  if (!/^[0-9]+$/.test(text) || Number(text) === 0) fail(`"${text}" is not a ${field.name} step (a number from 1)`);
  if (Number(text) > field.max) fail(`the ${field.name} step ${text} is larger than ${field.max}`);
  return Number(text);
}
