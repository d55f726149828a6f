// `ibac backup simulate`'s library half: the Hanoi rotation and the manual's GFS rotation replayed over the
// same window and checked against the photos' promise, and the side-by-side table.
import type { PlatformSpec } from "../../components/spec/schema";
import { gfsRotation } from "./gfs-plan";
import { photoRotation } from "./hanoi-plan";
import { simulateRotation } from "./simulate";
import { summarize, type SimulationSummary } from "./summary";

export interface ComparisonOptions {
  from: Date;
  days: number;
  changePerDay?: number;
}

export interface RotationComparison {
  promise: { newestRestorePointHours: number; oldestRestorePointDays: number };
  hanoi: SimulationSummary;
  gfs: SimulationSummary;
}

/** The default window: two years from 2026-01-01, across the 2026/27 year end (ISO week 53) and 2027/28. */
export const DEFAULT_SIMULATION = { from: "2026-01-01", days: 731 } as const;

export function compareRotations(photos: PlatformSpec["backupPolicy"]["photos"], options: ComparisonOptions): RotationComparison {
  const promise = { newestRestorePointHours: photos.newestRestorePointHours, oldestRestorePointDays: photos.oldestRestorePointDays };
  const changePerDay = options.changePerDay ?? 0.02;
  const run = (plan: ReturnType<typeof gfsRotation>): SimulationSummary =>
    summarize(simulateRotation(plan, { from: options.from, days: options.days, changePerDay, ...promise }), promise, changePerDay);
  return { promise, hanoi: run(photoRotation(photos)), gfs: run(gfsRotation()) };
}

const verdict = (holds: boolean): string => (holds ? "holds" : "BROKEN");

/** The table: one row per figure, Hanoi and GFS side by side. */
export function formatComparison(c: RotationComparison): string {
  const { hanoi: h, gfs: g } = c;
  const rows: [string, string, string][] = [
    ["schedule", `${h.scheduleName} (Hanoi)`, `${g.scheduleName} (manual's GFS)`],
    ["jobs run", jobs(h), jobs(g)],
    ["restore points now", String(h.restorePointsNow), String(g.restorePointsNow)],
    ["restore points min / mean / max", spread(h.restorePoints), spread(g.restorePoints)],
    ["newest age, hours min / max", `${h.newestAgeHours.min} / ${h.newestAgeHours.max}`, `${g.newestAgeHours.min} / ${g.newestAgeHours.max}`],
    ["oldest age, days min / max", `${h.oldestAgeDays.min} / ${h.oldestAgeDays.max}`, `${g.oldestAgeDays.min} / ${g.oldestAgeDays.max}`],
    ...h.density.map((d, i): [string, string, string] => [`restore points aged ${d.label} (mean, min)`, `${d.mean}, ${d.min}`, `${g.density[i].mean}, ${g.density[i].min}`]),
    ["storage, full equivalents mean / max", `${h.storage.mean} / ${h.storage.max}`, `${g.storage.mean} / ${g.storage.max}`],
    ["written a day (and copied to the NAS), full equivalents mean / max", `${h.writtenPerDay.mean} / ${h.writtenPerDay.max}`, `${g.writtenPerDay.mean} / ${g.writtenPerDay.max}`],
    [`newest <= ${c.promise.newestRestorePointHours} h at every hour`, promiseCell(h.promises.newest), promiseCell(g.promises.newest)],
    [`oldest >= ${c.promise.oldestRestorePointDays} d at every hour`, promiseCell(h.promises.oldest), promiseCell(g.promises.oldest)],
    ["every chain's parents kept", chainCell(h), chainCell(g)],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: [string, string, string]): string => `  ${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}`;
  return [
    `Restore points, simulated hour by hour from ${h.from.slice(0, 10)} to ${h.to.slice(0, 10)} (UTC, ${h.hours} hours), sampled just before each hour's run.`,
    `Oldest, density, storage and data written counted after the warm-up (${c.promise.oldestRestorePointDays} days plus the longest-kept pool's reuse interval: from ${h.promises.oldest.checkedFrom.slice(0, 10)} for Hanoi, ${g.promises.oldest.checkedFrom.slice(0, 10)} for GFS).`,
    `Storage model: a photo store gaining ${(h.changePerDay * 100).toFixed(1)} % of its size a day in new files; Full = 1, Differential = changes since its Full, Incremental = changes since the job before.`,
    "",
    line(["", "Hanoi", "GFS"]),
    ...rows.map(line),
  ].join("\n");
}

function jobs(s: SimulationSummary): string {
  return `${s.jobs} (${Object.entries(s.jobsByLevel).map(([l, n]) => `${n} ${l}`).join(", ")})`;
}

function spread(x: { min: number; mean: number; max: number }): string {
  return `${x.min} / ${x.mean} / ${x.max}`;
}

function promiseCell(p: { holds: boolean; worst: number; broken: number; firstBroken?: string; checkedHours: number }): string {
  if (p.checkedHours === 0) return "not checked: the window ends before the warm-up";
  return p.holds ? `holds (worst ${p.worst})` : `${verdict(false)}: worst ${p.worst}, ${p.broken} hours, first ${p.firstBroken?.slice(0, 16) ?? "?"}`;
}

function chainCell(s: SimulationSummary): string {
  const c = s.promises.chain;
  return c.holds ? "holds" : `${verdict(false)}: ${c.broken} jobs outlive a parent, first ${c.firstBroken?.slice(0, 16) ?? "?"}`;
}
