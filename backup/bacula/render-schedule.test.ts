// Run lines from ScheduleRun bitmaps: the exact text for each kind of field (bacula-conf.test.ts has Bacula read
// every stack's schedules back with bdirjson), and the plans that cannot be a Run line.
import { describe, expect, it } from "vitest";
import type { ScheduleRun } from "../rotation/types";
import { renderRunLine, renderSchedule } from "./render-schedule";

const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const base: ScheduleRun = { level: "Incremental", pool: "Photos-H00", hour: all(24), minute: 5, day: all(31), month: all(12), dayOfWeek: all(7), weekOfMonth: all(6), weekOfYear: all(54) };

describe("renderRunLine", () => {
  it("every hour: hourly at the minute", () => {
    expect(renderRunLine(base)).toBe("  Run = Level=Incremental Pool=Photos-H00 hourly at 00:05");
  });

  it("some hours: one `at` per hour (Bacula accumulates them; the minute is the line's)", () => {
    expect(renderRunLine({ ...base, hour: [1, 3, 23], minute: 50 })).toBe("  Run = Level=Incremental Pool=Photos-H00 at 01:50 03:50 23:50");
  });

  it("months, days, weeks of the month and weekdays as ranges of three or more, else listed", () => {
    const run: ScheduleRun = { ...base, level: "Full", pool: "Photos-H03", hour: [0], month: [0, 1, 2, 6], day: [0, 14], weekOfMonth: [0, 2, 3, 4], dayOfWeek: [1, 3] };
    expect(renderRunLine(run)).toBe("  Run = Level=Full Pool=Photos-H03 FullPool=Photos-H03 jan-mar, jul 1, 15 1st, 3rd-5th mon, wed at 00:05");
  });

  it("weeks of the year one by one (Bacula 9.6 rejects w01/w02), week 53 and the 6th week included", () => {
    const run: ScheduleRun = { ...base, hour: [0], weekOfYear: [0, 1, 2, 53], weekOfMonth: [5] };
    expect(renderRunLine(run)).toBe("  Run = Level=Incremental Pool=Photos-H00 6th w00, w01, w02, w53 at 00:05");
  });

  it("refuses what no Run line can say", () => {
    expect(() => renderRunLine({ ...base, hour: [] }, "r")).toThrow("bacula: r.hour: expected at least one value, found none");
    expect(() => renderRunLine({ ...base, day: [3, 1] }, "r")).toThrow("bacula: r.day: expected sorted values without duplicates, found 3, 1");
    expect(() => renderRunLine({ ...base, weekOfYear: [54] }, "r")).toThrow("bacula: r.weekOfYear: expected integers 0..53, found 54");
    expect(() => renderRunLine({ ...base, minute: 60 }, "r")).toThrow("bacula: r.minute: expected an integer 0..59, found 60");
    expect(() => renderRunLine({ ...base, pool: "Photos H00" }, "r")).toThrow('bacula: r.pool: expected a name of 1 to 127 letters, digits, \'.\', \'_\' and \'-\' starting with a letter or digit, found "Photos H00"');
  });
});

describe("renderSchedule", () => {
  it("names the schedule and lists its runs", () => {
    expect(renderSchedule({ name: "Copy-X", runs: [base] })).toBe('Schedule {\n  Name = "Copy-X"\n  Run = Level=Incremental Pool=Photos-H00 hourly at 00:05\n}\n');
  });

  it("refuses a schedule without runs", () => {
    expect(() => renderSchedule({ name: "Empty", runs: [] })).toThrow("bacula: schedule Empty: expected at least one run, found none");
  });
});
