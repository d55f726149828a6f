import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/fixtures/specs";
import { HOURLY_POOL, photoRotation } from "./hanoi-plan";
import { gfsRotation } from "./gfs-plan";
import { ALL } from "./schedule-calendar";
import { restorePointsAt, simulateRotation } from "./simulate";
import { summarize } from "./summary";
import type { RotationPlan } from "./types";

const photos = stackSpec("prod").backupPolicy.photos;
const promise = { newestRestorePointHours: photos.newestRestorePointHours, oldestRestorePointDays: photos.oldestRestorePointDays };
const TWO_YEARS = { from: new Date("2026-01-01T00:00:00Z"), days: 731 };
const run = (plan: RotationPlan, window: { from: Date; days: number } = TWO_YEARS) => summarize(simulateRotation(plan, { ...window, changePerDay: 0.02 }), promise, 0.02);

describe("the Hanoi rotation of prod's policy, simulated hour by hour", () => {
  const hanoi = photoRotation(photos);
  const s = run(hanoi);

  it("covers two years from 2026-01-01: the 2026/27 year end with ISO week 53, and 2027/28", () => {
    expect(s.from).toBe("2026-01-01T00:00:00.000Z");
    expect(s.to).toBe("2028-01-02T00:00:00.000Z");
    expect(s.hours).toBe(731 * 24);
  });

  it("has a restore point at most 1 hour old at every hour", () => {
    expect(s.promises.newest).toMatchObject({ holds: true, worst: 1, broken: 0 });
    expect(s.promises.newest.checkedHours).toBe(731 * 24 - 1);
  });

  it("has one at least 183 days old at every hour after the warm-up (183 days plus F4's 20 weeks)", () => {
    expect(s.promises.oldest).toMatchObject({ holds: true, broken: 0, checkedFrom: "2026-11-20T00:00:00.000Z" });
    expect(s.oldestAgeDays.min).toBeGreaterThanOrEqual(183);
  });

  it("keeps every chain's parent Full at least as long as the Differential on it", () => {
    expect(s.promises.chain).toEqual({ holds: true, broken: 0 });
    expect(s.upgradedToFull).toBe(1); // only the very first job: no Full in the catalog yet
  });

  it("holds from other starts too: Sundays (a scheduled Full first), across 2020-W53, Bacula's 2024-w53 (ISO 2025-W01), leap years", () => {
    for (const from of ["2020-03-15", "2023-06-30", "2024-01-07", "2027-12-29", "2031-08-03"]) {
      const r = run(hanoi, { from: new Date(`${from}T00:00:00Z`), days: 731 });
      expect([from, r.promises.newest.holds, r.promises.oldest.holds, r.promises.chain.holds]).toEqual([from, true, true, true]);
    }
  });

  it("answers per hour which restore points exist, each with its chain (Full, the day's Differential, the day's Incrementals)", () => {
    const sim = simulateRotation(hanoi, TWO_YEARS);
    const points = restorePointsAt(sim, new Date("2027-01-01T12:30:00Z"));
    // Every hour since yesterday's 00:05 (36 + 1), then the day and week pools' jobs.
    expect(points.filter((p) => p.at.getTime() >= Date.parse("2026-12-31T00:05:00Z"))).toHaveLength(37);
    const newest = points[points.length - 1];
    expect(newest.at.toISOString()).toBe("2027-01-01T12:05:00.000Z");
    // The Sunday before is w52 (52 = 4 mod 8: pool F2); 1 January 2027 is a Friday (D0); then 01:05 .. 12:05.
    expect(newest.chain.map((j) => [j.level, j.pool])).toEqual([["Full", "Photos-F2"], ["Differential", "Photos-D0"], ...Array.from({ length: 12 }, () => ["Incremental", HOURLY_POOL])]);
    expect(newest.chain[0].at.toISOString()).toBe("2026-12-27T00:05:00.000Z");
    expect(newest.chain.slice(2).map((j) => j.at.getUTCHours())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(points.filter((p) => p.level === "Full").every((p) => p.chain.length === 1)).toBe(true);
  });

  it("is deterministic and takes well under two seconds for two years", () => {
    const t = performance.now();
    const again = run(hanoi);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(again).toEqual(s);
  });
});

describe("the same simulator catches a broken plan", () => {
  const hanoi = photoRotation(photos);
  const withRuns = (f: (r: RotationPlan["runs"][number]) => RotationPlan["runs"][number]): RotationPlan => ({ ...hanoi, runs: hanoi.runs.map(f) });
  const withPools = (f: (p: RotationPlan["pools"][number]) => RotationPlan["pools"][number]): RotationPlan => ({ ...hanoi, pools: hanoi.pools.map(f) });

  it("a gap (no 13:05 run): the newest restore point is 2 hours old at 14:05 every day", () => {
    const s = run(withRuns((r) => (r.pool === HOURLY_POOL ? { ...r, hour: r.hour.filter((h) => h !== 13) } : r)));
    expect(s.promises.newest).toMatchObject({ holds: false, worst: 2, broken: 731, firstBroken: "2026-01-01T14:05:00.000Z" });
  });

  it("the last pool kept 183 days plus two weeks instead of plus its reuse interval: the oldest promise breaks", () => {
    const s = run(withPools((p) => (p.name === "Photos-F4" ? { ...p, retentionHours: (183 + 14) * 24 } : p)));
    expect(s.promises.oldest.holds).toBe(false);
    expect(s.promises.oldest.worst).toBeLessThan(183);
  });

  it("Fulls kept two days: the Differentials on them outlive their parent", () => {
    const s = run(withPools((p) => (p.level === "Full" && p.name !== "Photos-F4" ? { ...p, retentionHours: 48 } : p)));
    expect(s.promises.chain.holds).toBe(false);
    expect(s.promises.chain.broken).toBeGreaterThan(0);
  });

  it("a Full run dropped from week 1: the Differentials fall back on the previous Full; that Sunday's Incrementals chain onto Saturday's", () => {
    const plan = withRuns((r) => (r.pool === "Photos-F0" ? { ...r, weekOfYear: r.weekOfYear.filter((w) => w !== 1) } : r));
    const sim = simulateRotation(plan, { ...TWO_YEARS, changePerDay: 0.02 });
    const s = summarize(sim, promise, 0.02);
    expect(s.jobsByLevel.Full).toBe(run(hanoi).jobsByLevel.Full - 2); // 2026-W01 and 2027-W01
    expect(sim.jobs.filter((j) => j.ranAs === "Differential").every((j) => j.chain.length === 2)).toBe(true);
    // With no 00:05 job, Sunday's Incrementals need Saturday's, whose volume goes a day earlier than theirs:
    // that Sunday's restore points last until Monday 01:05 (26 h after Saturday's last), not a day longer.
    expect(s.promises.chain).toEqual({ holds: false, broken: 2 * 23, firstBroken: "2026-01-04T01:05:00.000Z" });
    const sunday = sim.jobs.find((j) => j.at.toISOString() === "2026-01-04T23:05:00.000Z");
    expect(sunday && new Date(sunday.restoreEnd).toISOString()).toBe("2026-01-05T01:05:00.000Z");
  });
});

describe("where Bacula writes a job it upgrades to Full", () => {
  it("without the Job's Full Backup Pool the first Full lands in a short pool and the first Differentials outlive it", () => {
    const hanoi = photoRotation(photos);
    const monday = { from: new Date("2026-01-05T00:00:00Z"), days: 731 };
    const sim = simulateRotation(hanoi, { ...monday, upgradeInto: "runPool" });
    const s = summarize(sim, promise, 0.02);
    expect(sim.jobs[0]).toMatchObject({ level: "Differential", ranAs: "Full", writtenTo: "Photos-D0" }); // Monday 00:05, kept 73 h
    expect(s.promises.chain.holds).toBe(false);
    expect(s.promises.chain.firstBroken).toBe("2026-01-06T00:05:00.000Z"); // Tuesday's D1 Differential, kept 97 h, on it
    // With it (the plan's assumption), the same start keeps every chain.
    const withFullPool = simulateRotation(hanoi, monday);
    expect(withFullPool.jobs[0].writtenTo).toBe("Photos-F4");
    expect(summarize(withFullPool, promise, 0.02).promises.chain.holds).toBe(true);
  });
});

describe("the manual's GFS rotation in the same simulator", () => {
  const gfs = run(gfsRotation());
  const hanoi = run(photoRotation(photos));

  it("keeps no restore point under a day old at some hours and none 183 days old: both promises break", () => {
    expect(gfs.promises.newest).toMatchObject({ holds: false, worst: 24 });
    expect(gfs.promises.oldest.holds).toBe(false);
    expect(gfs.oldestAgeDays.max).toBeLessThan(180.01);
    expect(gfs.density.find((d) => d.label === ">=183 d")?.mean).toBe(0);
  });

  it("keeps more restore points aged 7-31 days (its dailies and weeklies) and stores and writes less than the Hanoi rotation with its weekly Fulls", () => {
    const aged = (s: typeof gfs, label: string): number | undefined => s.density.find((d) => d.label === label)?.mean;
    expect(aged(gfs, "7-31 d")).toBeGreaterThan(aged(hanoi, "7-31 d") ?? Infinity);
    expect(gfs.storage.mean).toBeLessThan(hanoi.storage.mean);
    expect(gfs.writtenPerDay.mean).toBeLessThan(hanoi.writtenPerDay.mean);
    // Hanoi: a restore point for each of the last 23 hours at every hour; GFS at most one under a day old.
    expect(hanoi.density.find((d) => d.label === "<1 d")?.min).toBe(23);
    expect(gfs.density.find((d) => d.label === "<1 d")?.min).toBe(0);
  });

  it("six Incrementals a volume keep a week's chain whole only when a volume holds Monday to Saturday", () => {
    expect(gfs.promises.chain.holds).toBe(false); // started on a Thursday: volumes straddle the weekly Differential
    const monday = run(gfsRotation(), { from: new Date("2026-01-05T00:00:00Z"), days: 731 });
    expect(monday.promises.chain).toEqual({ holds: true, broken: 0 });
  });
});

describe("data written a day (what the copy jobs then move to the NAS)", () => {
  const change = 0.02;
  it("Hanoi: a week's Full and six Differentials (1 + 0.02 x (1 + .. + 6)) over seven days, plus 23 Incrementals of an hour's changes a day", () => {
    const s = run(photoRotation(photos));
    expect(s.writtenPerDay.mean).toBeCloseTo((1 + change * 21) / 7 + (23 * change) / 24, 2);
    expect(s.writtenPerDay.max).toBeCloseTo(1 + (23 * change) / 24, 2); // a Sunday
  });

  it("hourly Differentials instead (the hour tier before): every hour rewrites the changes since Sunday, eight times as much", () => {
    const hanoi = photoRotation(photos);
    const asDifferentials: RotationPlan = {
      ...hanoi,
      pools: hanoi.pools.map((p) => (p.name === HOURLY_POOL ? { name: p.name, level: "Differential", intervalHours: 1, retentionHours: 26 } : p)),
      runs: hanoi.runs.map((r) => (r.pool === HOURLY_POOL ? { ...r, level: "Differential" } : r)),
    };
    const s = run(asDifferentials);
    expect(s.writtenPerDay.mean).toBeGreaterThan(8 * run(hanoi).writtenPerDay.mean);
    expect(s.writtenPerDay.mean).toBeGreaterThan(1.5);
  });

  it("counts whole days after the warm-up only: none in a window that ends before it", () => {
    expect(run(photoRotation(photos), { from: TWO_YEARS.from, days: 30 }).writtenPerDay.mean).toBeNaN();
  });
});

describe("storage in full-backup equivalents (the stated change model)", () => {
  it("a Full, then daily Differentials: 1 + 0.02 + 0.04 after two days; an Incremental adds a day's changes", () => {
    const every = { day: ALL.day, month: ALL.month, weekOfMonth: ALL.weekOfMonth, weekOfYear: ALL.weekOfYear, minute: 0 };
    const plan: RotationPlan = {
      kind: "gfs", scheduleName: "T", timeZone: "UTC", newestRestorePointHours: 24, oldestRestorePointDays: 7, upgradePool: "F",
      pools: [{ name: "F", level: "Full", retentionHours: 1000, intervalHours: 168 }, { name: "D", level: "Differential", retentionHours: 1000, intervalHours: 24 }, { name: "I", level: "Incremental", retentionHours: 1000, intervalHours: 24 }],
      runs: [
        { ...every, level: "Full", pool: "F", hour: [0], dayOfWeek: [4] },
        { ...every, level: "Differential", pool: "D", hour: [0], dayOfWeek: [5, 6] },
        { ...every, level: "Incremental", pool: "I", hour: [12], dayOfWeek: [6] },
      ],
    };
    const sim = simulateRotation(plan, { from: new Date("2026-01-01T00:00:00Z"), days: 3, changePerDay: 0.02, sampleMinute: 30 });
    expect(sim.jobs.map((j) => [j.ranAs, Number(j.size.toFixed(4))])).toEqual([["Full", 1], ["Differential", 0.02], ["Differential", 0.04], ["Incremental", 0.01]]);
    expect(Number(sim.storage[sim.storage.length - 1].toFixed(4))).toBe(1.07);
    expect(restorePointsAt(sim, new Date("2026-01-03T13:00:00Z")).at(-1)?.chain.map((j) => j.level)).toEqual(["Full", "Differential", "Incremental"]);
  });
});
