import { describe, expect, it } from "vitest";
import { ALL, baculaWeekOfMonth, baculaWeekOfYear, expandSchedule, runsOnDay, slotCollisions } from "./schedule-calendar";
import type { ScheduleRun } from "./types";

const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

/** ISO 8601 week and week-year, computed independently (the Thursday of the date's week decides the year). */
function isoWeek(date: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 3 - ((t.getUTCDay() + 6) % 7));
  const jan1 = Date.UTC(t.getUTCFullYear(), 0, 1);
  return { year: t.getUTCFullYear(), week: 1 + Math.floor((t.getTime() - jan1) / 86_400_000 / 7) };
}

const run = (over: Partial<ScheduleRun>): ScheduleRun => ({
  level: "Full", pool: "P", hour: [1], minute: 5,
  day: ALL.day, month: ALL.month, dayOfWeek: ALL.dayOfWeek, weekOfMonth: ALL.weekOfMonth, weekOfYear: ALL.weekOfYear, ...over,
});

describe("Bacula's week of the year (tm_woy)", () => {
  it.each([
    ["2026-01-01", 1], // Thursday: ISO 2026-W01
    ["2026-12-27", 52], // Sunday
    ["2026-12-28", 53], // Monday of ISO 2026-W53 (2026 has 53 ISO weeks)
    ["2026-12-31", 53],
    ["2027-01-01", 0], // ISO 2026-W53, but Bacula counts it as week 0 of 2027
    ["2027-01-03", 0], // the Sunday that ends ISO 2026-W53
    ["2027-01-04", 1], // Monday: ISO 2027-W01
    ["2020-12-31", 53], // ISO 2020-W53
    ["2021-01-01", 0], // ISO 2020-W53
    ["2021-01-04", 1],
    ["2024-12-30", 53], // ISO 2025-W01: Bacula keeps it in 2024 as week 53
    ["2025-01-01", 1], // ISO 2025-W01
    ["2024-02-29", 9], // leap day, ISO W09
    ["2028-02-29", 9],
    ["2028-03-01", 9],
  ])("%s is w%i", (iso, woy) => {
    expect(baculaWeekOfYear(day(iso))).toBe(woy);
  });

  it("is the ISO week inside the ISO year, 0 before week 1 and 53 after the last week, every day 2000-2100", () => {
    for (let t = Date.UTC(2000, 0, 1); t < Date.UTC(2101, 0, 1); t += 86_400_000) {
      const date = new Date(t);
      const iso = isoWeek(date);
      const expected = iso.year === date.getUTCFullYear() ? iso.week : iso.year < date.getUTCFullYear() ? 0 : 53;
      if (baculaWeekOfYear(date) !== expected) throw new Error(`${date.toISOString()}: Bacula w${baculaWeekOfYear(date)}, expected w${expected}`);
    }
  });
});

describe("Bacula's week of the month ((mday - 1) / 7)", () => {
  it.each([["2026-02-01", 0], ["2026-02-07", 0], ["2026-02-08", 1], ["2026-02-28", 3], ["2028-02-29", 4], ["2026-03-29", 4], ["2026-03-31", 4]])("%s is week %i", (iso, wom) => {
    expect(baculaWeekOfMonth(day(iso))).toBe(wom);
  });
});

describe("expandSchedule", () => {
  it("w53 on Mondays fires once across 2026-12-20..2027-01-10, on 2026-12-28, and w00 on Sundays on 2027-01-03", () => {
    const jobs = expandSchedule([run({ weekOfYear: [53], dayOfWeek: [1] }), run({ weekOfYear: [0], dayOfWeek: [0], pool: "Q", hour: [0] })], day("2026-12-20"), day("2027-01-10"));
    expect(jobs.map((j) => `${j.at.toISOString()} ${j.pool}`)).toEqual(["2026-12-28T01:05:00.000Z P", "2027-01-03T00:05:00.000Z Q"]);
  });

  it("a leap-day run (day 29 of February) fires in 2024 and 2028 only", () => {
    const jobs = expandSchedule([run({ day: [28], month: [1] })], day("2023-01-01"), day("2030-01-01"));
    expect(jobs.map((j) => j.at.toISOString())).toEqual(["2024-02-29T01:05:00.000Z", "2028-02-29T01:05:00.000Z"]);
  });

  it("`1st sun` and `5th sun` (week of month 0 and 4) in 2026", () => {
    const first = expandSchedule([run({ dayOfWeek: [0], weekOfMonth: [0] })], day("2026-01-01"), day("2027-01-01"));
    expect(first).toHaveLength(12);
    expect(first.every((j) => j.at.getUTCDate() <= 7 && j.at.getUTCDay() === 0)).toBe(true);
    const fifth = expandSchedule([run({ dayOfWeek: [0], weekOfMonth: [4] })], day("2026-01-01"), day("2027-01-01"));
    expect(fifth.map((j) => j.at.toISOString().slice(0, 10))).toEqual(["2026-03-29", "2026-05-31", "2026-08-30", "2026-11-29"]);
  });

  it("several hours at one minute, only inside [from, to), oldest first", () => {
    const jobs = expandSchedule([run({ hour: [23, 1] })], new Date("2026-01-01T01:06:00Z"), new Date("2026-01-02T01:06:00Z"));
    expect(jobs.map((j) => j.at.toISOString())).toEqual(["2026-01-01T23:05:00.000Z", "2026-01-02T01:05:00.000Z"]);
    expect(runsOnDay(run({ dayOfWeek: [4] }), day("2026-01-01"))).toBe(true);
    expect(runsOnDay(run({ dayOfWeek: [5] }), day("2026-01-01"))).toBe(false);
  });

  it("slotCollisions names every instant two runs share", () => {
    const jobs = expandSchedule([run({}), run({ pool: "Q", dayOfWeek: [0] })], day("2026-01-01"), day("2026-01-15"));
    expect(slotCollisions(jobs).map((d) => d.toISOString())).toEqual(["2026-01-04T01:05:00.000Z", "2026-01-11T01:05:00.000Z"]);
  });
});
