// The director as both backup runbooks reach it: on the backup VM where Pacemaker runs it (the Promoted one),
// through bconsole there. Every answer is read by bconsole.ts's checked readers.
import { UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import type { CommandResult, StepContext } from "../engine/types";
import type { BackupHost, BackupInventory } from "./inventory";
import { bconsoleCommand, directorGreeting, parseLlistJobs, RUNNING_STATUSES, type CatalogJob } from "./bconsole";

export type BackupContext = StepContext<BackupInventory>;

const UNREACHABLE = 255;

export function directorServiceCommand(inventory: BackupInventory): string {
  return `systemctl is-active ${shellQuote(inventory.director.service)}`;
}

/**
 * The backup VM that runs the director: the one where its service is active (Pacemaker starts it with the
 * Promoted DRBD volume only). None, or both, stops the run before anything changes; so does a director that
 * does not greet bconsole.
 */
export async function findDirector(ctx: BackupContext): Promise<BackupHost> {
  const active: BackupHost[] = [];
  const seen: string[] = [];
  for (const host of ctx.inventory.backupHosts) {
    const r = await ctx.probe(host, directorServiceCommand(ctx.inventory), { allowFailure: true });
    const state = r.code === UNREACHABLE ? "unreachable" : /^[a-z-]{1,20}$/.test(r.stdout.trim()) ? r.stdout.trim() : "unknown";
    seen.push(`${host.name} ${state}`);
    if (r.code === 0 && state === "active") active.push(host);
  }
  if (active.length !== 1) {
    throw new UnsafeStateError(active.length === 0
      ? `the director is not reachable: ${ctx.inventory.director.service} runs on no backup VM (${seen.join(", ")}); see storage and Pacemaker status on the backup VMs`
      : `${ctx.inventory.director.service} is active on ${active.map((h) => h.name).join(" and ")}: two directors on one catalog; fix the backup tier's cluster first`);
  }
  const host = active[0];
  const hello = await bconsole(ctx, host, "version", "probe", true);
  const greeting = directorGreeting(hello.stdout);
  if (hello.code !== 0 || !greeting) {
    const said = (hello.stderr.trim() || hello.stdout.trim()).split("\n").slice(-2).join(" | ").slice(0, 200);
    throw new UnsafeStateError(`the director is not reachable: bconsole on ${host.name} got no greeting (exit ${hello.code}${said ? `: ${said}` : ""})`);
  }
  ctx.note(`director: ${greeting} on ${host.name}`);
  return host;
}

/** One bconsole session on the director's VM (one line, or a dialogue), as a probe (reads) or a change (restore, run). */
export function bconsole(ctx: BackupContext, host: BackupHost, lines: string | readonly string[], kind: "probe" | "change", allowFailure = false): Promise<CommandResult> {
  const command = bconsoleCommand(ctx.inventory.director.bconsoleConfig, lines);
  return kind === "probe" ? ctx.probe(host, command, { allowFailure }) : ctx.run(host, command, { allowFailure });
}

/** The catalog's jobs of one job name (`llist jobname=NAME`: `llist jobs job=NAME` lists every job in 9.6). */
export async function catalogJobs(ctx: BackupContext, host: BackupHost, jobName: string): Promise<CatalogJob[]> {
  const r = await bconsole(ctx, host, `llist jobname=${jobName}`, "probe");
  return parseLlistJobs(r.stdout, `${host.name}: llist jobname=${jobName}`).filter((j) => j.name === jobName);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `llist jobid=N` until the job has ended; fails after the timeout, naming the job left running. */
export async function waitForJob(ctx: BackupContext, host: BackupHost, jobId: number, timing: { pollMs: number; timeoutMs: number }): Promise<CatalogJob> {
  const deadline = Date.now() + timing.timeoutMs;
  for (;;) {
    const r = await bconsole(ctx, host, `llist jobid=${jobId}`, "probe");
    const job = parseLlistJobs(r.stdout, `${host.name}: llist jobid=${jobId}`).find((j) => j.jobId === jobId);
    if (job && !RUNNING_STATUSES.has(job.status)) return job;
    if (Date.now() >= deadline) {
      throw new Error(`job ${jobId} has not ended after ${Math.round(timing.timeoutMs / 1000)} s (status ${job?.status ?? "not in the catalog"}): see \`status director\` in bconsole; cancel it with \`cancel jobid=${jobId}\` if it hangs`);
    }
    await sleep(timing.pollMs);
  }
}
