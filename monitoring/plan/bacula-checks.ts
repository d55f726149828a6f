import type { BaculaPlan } from "../../backup/bacula/bacula-plan";
import { expandSchedule } from "../../backup/rotation/schedule-calendar";
import { baculaJobCommand } from "./agent-commands";
import { description } from "./description";
import { hostNamed, nrpeCheck, type PlanContext, type PlannedCheck } from "./planned-check";

const HOUR_MS = 3_600_000;
/** A year of the schedules: every Bacula run pattern (weeks of the year included) repeats within it. */
const WINDOW = { from: new Date(Date.UTC(2026, 0, 1)), to: new Date(Date.UTC(2027, 0, 1)) };
/** The hour a job may take to run and end, beyond the gap between its starts. */
const RUN_MARGIN_HOURS = 1;

/** The longest time between two starts of a schedule, in whole hours (rounded up). */
function longestGapHours(runs: BaculaPlan["schedules"][number]["runs"]): number {
  const starts = expandSchedule(runs, WINDOW.from, WINDOW.to).map((j) => j.at.getTime());
  if (starts.length < 2) throw new Error("monitoring plan: a Bacula schedule starts fewer than two jobs a year");
  let longest = 0;
  for (let i = 1; i < starts.length; i++) longest = Math.max(longest, starts[i] - starts[i - 1]);
  return Math.ceil(longest / HOUR_MS);
}

/**
 * How old a client's newest good job may be: the longest gap between the starts of its jobs' schedules, plus
 * an hour for the job to run. So an hourly client is late after two hours, a daily one after a day and an hour.
 */
export function baculaJobHours(plan: BaculaPlan): Map<string, number> {
  const gaps = new Map(plan.schedules.map((s) => [s.name, longestGapHours(s.runs)]));
  const hours = new Map<string, number>();
  for (const job of plan.backupJobs) {
    const gap = gaps.get(job.schedule);
    if (gap === undefined) throw new Error(`monitoring plan: the Bacula job ${job.name} names the schedule ${job.schedule}, which the plan does not have`);
    // A client with several jobs is late when the most frequent of them is.
    hours.set(job.client, Math.min(hours.get(job.client) ?? Infinity, gap + RUN_MARGIN_HOURS));
  }
  return hours;
}

/**
 * Bacula's newest job of every client, from the catalog, on each backup VM. The catalog is on the DRBD volume,
 * which only the Promoted VM mounts: on the other VM the script must answer OK ("not the Promoted side") when
 * the catalog file is absent and the volume is not mounted, and the DRBD and Pacemaker checks of the same VMs
 * say whether a Promoted side exists at all. Checking both VMs keeps the check where the catalog moves.
 */
export function baculaChecks(ctx: PlanContext, plan: BaculaPlan): PlannedCheck[] {
  const hours = baculaJobHours(plan);
  return plan.director.vms.flatMap((vmName) => {
    const host = hostNamed(ctx, vmName);
    return plan.clients.filter((c) => hours.has(c.name)).map((c) =>
      nrpeCheck(ctx, host, "service", description(`Bacula job ${c.name}`), baculaJobCommand(ctx.paths, plan.director.catalogFile, c.name, hours.get(c.name) ?? 0)));
  });
}
