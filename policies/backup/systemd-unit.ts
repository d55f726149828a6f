/** A systemd unit file's settings: section name -> key -> values in order (keys may repeat). */
export type UnitFile = Map<string, Map<string, string[]>>;

/** Parses a unit file (sections, `Key=Value`, comments, backslash line continuations). */
export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section = "";
  const joined = text.replace(/\\\r?\n/g, " ");
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1];
      if (!unit.has(section)) unit.set(section, new Map());
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const keys = unit.get(section) ?? new Map<string, string[]>();
    unit.set(section, keys);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    // An empty assignment resets a list setting.
    keys.set(key, value === "" ? [] : [...(keys.get(key) ?? []), value]);
  }
  return unit;
}

/** The values of one key of a section (empty when absent). */
export function unitValues(unit: UnitFile, section: string, key: string): string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** The last value of one key, as systemd reads a single-valued setting. */
export function unitValue(unit: UnitFile, section: string, key: string): string | undefined {
  const values = unitValues(unit, section, key);
  return values.length ? values[values.length - 1] : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// OnCalendar: the subset of systemd.time(7) calendar events a backup timer uses, evaluated by enumeration.

const SHORTHANDS: Record<string, string> = {
  minutely: "*-*-* *:*:00",
  hourly: "*-*-* *:00:00",
  daily: "*-*-* 00:00:00",
  weekly: "Mon *-*-* 00:00:00",
  monthly: "*-*-01 00:00:00",
  quarterly: "*-01,04,07,10-01 00:00:00",
  semiannually: "*-01,07-01 00:00:00",
  yearly: "*-01-01 00:00:00",
  annually: "*-01-01 00:00:00",
};
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The values of one calendar component (`*`, `5`, `1..5`, `0/4`, `1..20/2`, comma lists) within [min, max]. */
function componentValues(spec: string, min: number, max: number): Set<number> | undefined {
  const values = new Set<number>();
  for (const item of spec.split(",")) {
    const m = /^(\*|\d+)(?:\.\.(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!m) return undefined;
    const start = m[1] === "*" ? min : Number(m[1]);
    const end = m[2] !== undefined ? Number(m[2]) : m[1] === "*" || m[3] !== undefined ? max : start;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (step < 1 || start < min || end > max) return undefined;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return values;
}

function weekdayValues(spec: string): Set<number> | undefined {
  const days = new Set<number>();
  for (const item of spec.toLowerCase().split(",")) {
    const [from, to] = item.split("..").map((d) => WEEKDAYS.indexOf(d.slice(0, 3)));
    if (from < 0 || (to !== undefined && to < 0)) return undefined;
    if (to === undefined) days.add(from);
    else for (let d = from; ; d = (d + 1) % 7) { days.add(d); if (d === to) break; }
  }
  return days;
}

interface CalendarEvent {
  weekdays?: Set<number>;
  years?: Set<number>;
  months: Set<number>;
  days: Set<number>;
  hours: Set<number>;
  minutes: Set<number>;
}

/** Parses a calendar event, or undefined for a form this reader does not evaluate (it never guesses). */
export function parseCalendar(expression: string): CalendarEvent | undefined {
  let text = expression.trim();
  text = SHORTHANDS[text.toLowerCase()] ?? text;
  const tokens = text.split(/\s+/);
  // A trailing time zone (UTC, or an IANA name): the enumeration runs in that zone's wall-clock time.
  if (tokens.length > 1 && /^(UTC|GMT|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(tokens[tokens.length - 1])) tokens.pop();
  let weekdays: Set<number> | undefined;
  if (tokens.length && /^[A-Za-z]/.test(tokens[0])) {
    weekdays = weekdayValues(tokens.shift() as string);
    if (!weekdays) return undefined;
  }
  let date = "*-*-*";
  let time = "00:00:00";
  for (const t of tokens) {
    if (t.includes("-")) date = t;
    else if (t.includes(":")) time = t;
    else return undefined;
  }
  const d = date.split("-");
  if (d.length === 2) d.unshift("*");
  if (d.length !== 3) return undefined;
  const [h, mi] = time.split(":");
  const years = d[0] === "*" ? undefined : componentValues(d[0], 1970, 2200);
  const months = componentValues(d[1], 1, 12);
  const days = componentValues(d[2], 1, 31);
  const hours = componentValues(h, 0, 23);
  const minutes = mi === undefined ? new Set([0]) : componentValues(mi, 0, 59);
  if ((d[0] !== "*" && !years) || !months || !days || !hours || !minutes) return undefined;
  return { ...(weekdays ? { weekdays } : {}), ...(years ? { years } : {}), months, days, hours, minutes };
}

/** systemd time span (`12h`, `1h 30min`, `3600`: seconds without a unit) in hours, or undefined. */
export function timeSpanHours(span: string): number | undefined {
  const units: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, sec: 1, second: 1, seconds: 1, m: 60, min: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400, w: 604800, week: 604800, weeks: 604800 };
  let seconds = 0;
  const parts = span.trim().match(/\d+(?:\.\d+)?\s*[a-z]*/gi);
  if (!parts || parts.join("").replace(/\s/g, "") !== span.replace(/\s/g, "")) return undefined;
  for (const part of parts) {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(part.trim());
    const unit = m ? (m[2] === "" ? 1 : units[m[2].toLowerCase()]) : undefined;
    if (!m || unit === undefined) return undefined;
    seconds += Number(m[1]) * unit;
  }
  return seconds > 0 ? seconds / 3600 : undefined;
}

/**
 * The longest time between two consecutive runs of a set of calendar events (a timer's OnCalendar lines),
 * in hours, over a window of 400 days (a leap year and every month-end), or undefined when an expression is
 * not understood or the events never elapse twice in that window.
 */
export function longestGapHours(expressions: readonly string[], from = Date.UTC(2024, 0, 1)): number | undefined {
  const events = expressions.map(parseCalendar);
  if (events.length === 0 || events.some((e) => e === undefined)) return undefined;
  const times = new Set<number>();
  for (const event of events as CalendarEvent[]) {
    const minutesOfDay = [...event.hours].flatMap((h) => [...event.minutes].map((m) => h * 60 + m));
    for (let day = 0; day < 400; day++) {
      const date = new Date(from + day * 86_400_000);
      if (event.years && !event.years.has(date.getUTCFullYear())) continue;
      if (!event.months.has(date.getUTCMonth() + 1) || !event.days.has(date.getUTCDate())) continue;
      if (event.weekdays && !event.weekdays.has(date.getUTCDay())) continue;
      for (const m of minutesOfDay) times.add(day * 1440 + m);
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < sorted.length; i++) longest = Math.max(longest, sorted[i] - sorted[i - 1]);
  return longest > 0 ? longest / 60 : undefined;
}
