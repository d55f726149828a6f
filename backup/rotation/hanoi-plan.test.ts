import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/fixtures/specs";
import { HOURLY_POOL, photoRotation, weekPoolCount, weekPoolWeeks } from "./hanoi-plan";
import { gfsRotation } from "./gfs-plan";
import { rotationProblems } from "./rotation-problems";
import { ALL, expandSchedule, slotCollisions } from "./schedule-calendar";
import type { RotationPlan } from "./types";

const prodPhotos = stackSpec("prod").backupPolicy.photos;
const HOUR = 3_600_000;

/** The longest gap between two jobs of each pool over a window. */
function measuredGaps(plan: RotationPlan, from: Date, to: Date): Map<string, number> {
  const last = new Map<string, number>();
  const gaps = new Map<string, number>();
  for (const j of expandSchedule(plan.runs, from, to)) {
    const prev = last.get(j.pool);
    if (prev !== undefined) gaps.set(j.pool, Math.max(gaps.get(j.pool) ?? 0, (j.at.getTime() - prev) / HOUR));
    last.set(j.pool, j.at.getTime());
  }
  return gaps;
}

describe("photoRotation (prod's policy: newest 1 h, oldest 183 d)", () => {
  const plan = photoRotation(prodPhotos);

  it("is prod's policy", () => {
    expect(prodPhotos).toEqual({ rotation: "hanoi", newestRestorePointHours: 1, oldestRestorePointDays: 183 });
  });

  it("has five week pools of Fulls, three day pools of Differentials and one hour pool of Incrementals, one run each, named Photos-*", () => {
    expect(plan.pools.map((p) => `${p.name}:${p.level[0]}`)).toEqual([
      "Photos-F0:F", "Photos-F1:F", "Photos-F2:F", "Photos-F3:F", "Photos-F4:F",
      "Photos-D0:D", "Photos-D1:D", "Photos-D2:D",
      "Photos-Hourly:I",
    ]);
    expect(plan.runs.map((r) => r.pool)).toEqual(plan.pools.map((p) => p.name));
    for (const p of plan.pools) expect(p.name).toMatch(/^Photos-[A-Za-z0-9-]+$/);
    expect(plan.upgradePool).toBe("Photos-F4");
    expect(plan.timeZone).toBe("UTC");
  });

  it("every run is one Run line: one minute, sorted duplicate-free bitmaps inside Bacula's ranges", () => {
    const limits = { hour: 24, day: 31, month: 12, dayOfWeek: 7, weekOfMonth: 6, weekOfYear: 54 } as const;
    for (const r of plan.runs) {
      expect(Number.isInteger(r.minute) && r.minute >= 0 && r.minute < 60).toBe(true);
      for (const [field, size] of Object.entries(limits) as [keyof typeof limits, number][]) {
        const bits = r[field];
        expect(bits.length, `${r.pool}.${field}`).toBeGreaterThan(0);
        expect([...bits].sort((a, b) => a - b), `${r.pool}.${field}`).toEqual([...new Set(bits)]);
        expect(bits.every((b) => Number.isInteger(b) && b >= 0 && b < size), `${r.pool}.${field}`).toBe(true);
      }
    }
  });

  it("the week pools split w00..w53 between them (Hanoi: odd weeks, 2 mod 4, 4 mod 8, 8 mod 16, 0 mod 16)", () => {
    const weeks = plan.runs.filter((r) => r.level === "Full").map((r) => r.weekOfYear);
    expect(weeks.flat().sort((a, b) => a - b)).toEqual(ALL.weekOfYear);
    expect(weeks[3]).toEqual([8, 24, 40]);
    expect(weeks[4]).toEqual([0, 16, 32, 48]);
    expect(weekPoolCount(183)).toBe(5);
    expect(weekPoolCount(7)).toBe(1);
    expect(weekPoolWeeks(0, 1)).toEqual(ALL.weekOfYear);
  });

  it("exactly one job every hour for eight years from 2026 (year ends, 2026-W53, leap days 2028 and 2032)", () => {
    const from = new Date("2026-01-01T00:00:00Z");
    const to = new Date("2034-01-01T00:00:00Z");
    const jobs = expandSchedule(plan.runs, from, to);
    expect(slotCollisions(jobs)).toEqual([]);
    expect(jobs).toHaveLength((to.getTime() - from.getTime()) / HOUR);
    jobs.forEach((j, i) => {
      if (j.at.getTime() !== from.getTime() + i * HOUR + 5 * 60_000) throw new Error(`hour ${i}: ${j.at.toISOString()}`);
    });
  });

  it("each pool's interval is at least its longest gap over 2000-2040, and it keeps its job that long plus an hour", () => {
    const gaps = measuredGaps(plan, new Date("2000-01-01T00:00:00Z"), new Date("2040-01-01T00:00:00Z"));
    for (const p of plan.pools) {
      expect(p.intervalHours, p.name).toBeGreaterThanOrEqual(gaps.get(p.name) ?? Infinity);
      expect(p.retentionHours, p.name).toBeGreaterThanOrEqual(p.intervalHours + 1);
    }
    // Year ends stretch the week pools' gaps: F0's odd weeks meet again after up to 3 weeks, F3's after 21.
    expect(plan.pools.map((p) => p.intervalHours / 168).slice(0, 5)).toEqual([3, 5, 12, 21, 20]);
  });

  it("the last week pool keeps its Fulls oldestRestorePointDays plus its reuse interval", () => {
    const top = plan.pools.find((p) => p.name === plan.upgradePool);
    expect(top?.retentionHours).toBe(183 * 24 + 20 * 168 + 1);
  });

  it("the hour pool: an Incremental at 01:05 .. 23:05, one volume a day, kept a day plus an hour plus the slack hour from its last write", () => {
    const hourly = plan.pools.find((p) => p.name === HOURLY_POOL);
    expect(hourly).toEqual({ name: "Photos-Hourly", level: "Incremental", intervalHours: 2, retentionHours: 26, jobsPerVolume: 23 });
    expect(plan.runs.find((r) => r.pool === HOURLY_POOL)?.hour).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    // Every other pool keeps one job a volume.
    expect(plan.pools.filter((p) => p.jobsPerVolume !== undefined).map((p) => p.name)).toEqual([HOURLY_POOL]);
  });

  it.each([[2, 11, 27], [6, 3, 31], [12, 1, 37]])("newest %i h: the hour pool takes %i Incrementals a day, one volume, kept %i h", (hours, perDay, retention) => {
    const hourly = photoRotation({ ...prodPhotos, newestRestorePointHours: hours }).pools.find((p) => p.name === HOURLY_POOL);
    expect(hourly).toMatchObject({ level: "Incremental", jobsPerVolume: perDay, retentionHours: retention });
  });

  it("newest 24 h: no hour pool (the day's 00:05 job is the only one)", () => {
    expect(photoRotation({ ...prodPhotos, newestRestorePointHours: 24 }).pools.map((p) => p.name)).not.toContain(HOURLY_POOL);
  });

  it("every Full is kept longer than a week plus the longest a Differential is kept (the chain's parent outlives it)", () => {
    const longestDiff = Math.max(...plan.pools.filter((p) => p.level === "Differential").map((p) => p.retentionHours));
    for (const p of plan.pools.filter((q) => q.level === "Full")) expect(p.retentionHours, p.name).toBeGreaterThanOrEqual(168 + longestDiff);
  });

  it.each([[2, 12], [3, 8], [6, 4], [12, 2], [24, 1]])("newest %i h: one job every %i-th of a day, no two at once", (hours, perDay) => {
    const p = photoRotation({ ...prodPhotos, newestRestorePointHours: hours });
    const jobs = expandSchedule(p.runs, new Date("2026-12-01T00:00:00Z"), new Date("2027-02-01T00:00:00Z"));
    expect(slotCollisions(jobs)).toEqual([]);
    expect(jobs).toHaveLength(62 * perDay);
    expect(new Set(jobs.map((j) => j.at.getUTCHours() % hours))).toEqual(new Set([0]));
  });
});

describe("gfsRotation (the manual's Automated Disk Backup)", () => {
  const plan = gfsRotation();
  it("Full on the 1st Sunday, Differential on the other Sundays, Incremental Monday to Saturday, all at 2:05", () => {
    const jobs = expandSchedule(plan.runs, new Date("2026-03-01T00:00:00Z"), new Date("2026-04-01T00:00:00Z"));
    expect(slotCollisions(jobs)).toEqual([]);
    expect(jobs.filter((j) => j.level === "Full").map((j) => j.at.toISOString())).toEqual(["2026-03-01T02:05:00.000Z"]);
    expect(jobs.filter((j) => j.level === "Differential").map((j) => j.at.getUTCDate())).toEqual([8, 15, 22, 29]);
    expect(jobs.filter((j) => j.level === "Incremental")).toHaveLength(26);
    expect(plan.pools.map((p) => [p.name, p.retentionHours / 24])).toEqual([["Full-Pool", 180], ["Diff-Pool", 40], ["Inc-Pool", 20]]);
  });
});

describe("rotationProblems", () => {
  it("accepts prod's policy", () => {
    expect(rotationProblems(prodPhotos)).toEqual([]);
  });

  it("names the field and says why for hours that do not divide a day and an oldest under a week", () => {
    expect(rotationProblems({ rotation: "hanoi", newestRestorePointHours: 5, oldestRestorePointDays: 6 })).toEqual([
      {
        path: ["backupPolicy", "photos", "newestRestorePointHours"],
        detail: "expected a number of hours that divides a day (1, 2, 3, 4, 6, 8, 12 or 24), found 5: the rotation runs at the same hours every day",
      },
      {
        path: ["backupPolicy", "photos", "oldestRestorePointDays"],
        detail: "expected at least 7 days, found 6: the rotation's Fulls are weekly, so its oldest restore point is a kept weekly Full",
      },
    ]);
    expect(rotationProblems({ rotation: "hanoi", newestRestorePointHours: 48, oldestRestorePointDays: 7 }).map((p) => p.path.at(-1))).toEqual(["newestRestorePointHours"]);
  });
});
