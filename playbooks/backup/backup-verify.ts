import { RunbookInputError } from "../engine/errors";
import type { Runbook } from "../engine/types";
import type { BackupInventory, BackupJobEntry } from "./inventory";
import { bconsoleAnswer, joblogEntries, queuedJobId, shownText, type CatalogJob } from "./bconsole";
import { bconsole, catalogJobs, findDirector, waitForJob } from "./director";

export interface BackupVerifyDeps {
  pollMs?: number;
  timeoutMs?: number;
}

/**
 * Level VolumeToCatalog: the storage daemon reads the job's volumes back and the file daemon compares what it
 * reads with the catalog's attributes and digests (SHA256), without touching the client's live files (Bacula
 * 9.6 manual, Verify levels). DiskToCatalog would compare the live files instead, which differ from any backup
 * of a photo store that changes, so it proves nothing about the backup.
 */
export const VERIFY_LEVEL = "VolumeToCatalog";

export function verifyLine(inventory: BackupInventory, job: BackupJobEntry, last: CatalogJob): string {
  return `run job=${inventory.director.verifyJob} jobid=${last.jobId} level=${VERIFY_LEVEL} client=${job.client} fileset=${job.fileSet} yes`;
}

/**
 * The messages of a verify's log that say what differs: Bacula 9.6 names the file (`File: /path`) and then
 * the attribute or digest (`SHA256 digest differs. File=... Cat=...`, `st_size differ`), or lists files that
 * are new or missing; the end-of-job summary and the pruning messages are left out. Each line made safe to print.
 */
export function differenceLines(entries: readonly string[]): string[] {
  return entries
    .filter((e) => /differ|New file|not found|not in the catalog|in the catalog but not|missing|JobId \d+: File: \//i.test(e) && !/JobId \d+: (Error: )?Bacula \S+ \d/.test(e))
    .flatMap((e) => e.split("\n"))
    .map((l) => shownText(l.trim()))
    .filter((l) => l !== "");
}

function jobsOf(inventory: BackupInventory, options: Record<string, string | boolean | undefined>): BackupJobEntry[] {
  const client = typeof options.client === "string" ? options.client : undefined;
  if (client !== undefined && !inventory.clients.some((c) => c.name === client)) {
    throw new RunbookInputError(`--client: expected one of ${inventory.clients.map((c) => c.name).join(", ")}, found "${client}"`);
  }
  return inventory.jobs.filter((j) => client === undefined || j.client === client);
}

/**
 * backup-verify [--client NAME]: Bacula's Verify job at level VolumeToCatalog on the last backup (terminated
 * normally) of each backup job (of one client). Each verify ends T (no difference) or otherwise; differences
 * (status D) end the run `down` (exit 6: a restore from that backup would not give the files back as the
 * catalog has them), a verify that could not run to its end (E, f, A) `degraded` (exit 5: not proven).
 */
export function makeBackupVerify(deps: BackupVerifyDeps = {}): Runbook<BackupInventory> {
  const timing = { pollMs: deps.pollMs ?? 5000, timeoutMs: deps.timeoutMs ?? 6 * 3600_000 };
  return {
    name: "backup-verify",
    summary: `Bacula's verify job (${VERIFY_LEVEL}) on the last backup of every job or of one client; exit 0 no differences, 5 a verify failed, 6 differences`,
    options: [{ flag: "--client <NAME>", description: "verify this client's jobs only" }],
    mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
    validate: (options, inventory) => {
      jobsOf(inventory, options);
    },
    steps: (inventory, options) => {
      const jobs = jobsOf(inventory, options);
      let director: Awaited<ReturnType<typeof findDirector>> | undefined;
      const last = new Map<string, CatalogJob>();
      return [
        {
          name: "Find the director and the last backup of each job",
          hosts: (ctx) => ctx.inventory.backupHosts.map((h) => h.name),
          precondition: async (ctx) => {
            director = await findDirector(ctx);
            for (const job of jobs) {
              const done = (await catalogJobs(ctx, director, job.name)).filter((j) => j.type === "B" && (j.status === "T" || j.status === "W"));
              const newest = done.sort((a, b) => a.jobId - b.jobId).at(-1);
              if (newest) last.set(job.name, newest);
            }
          },
          action: async (ctx) => {
            for (const job of jobs) {
              const j = last.get(job.name);
              if (j) ctx.note(`${job.name}: last backup job ${j.jobId} (${j.level}, ${j.schedTime.toISOString()})`);
              else ctx.finding("degraded", `${job.name}: no backup terminated normally in the catalog: nothing to verify`);
            }
          },
        },
        {
          name: `Run the ${VERIFY_LEVEL} verify of each and report`,
          hosts: () => [director?.name ?? "the director's VM"],
          action: async (ctx) => {
            const host = director as NonNullable<typeof director>;
            const results: string[] = [];
            for (const job of jobs) {
              const j = last.get(job.name);
              if (!j) continue;
              const queued = await bconsole(ctx, host, verifyLine(ctx.inventory, job, j), "change");
              if (ctx.dryRun) continue;
              const verifyId = queuedJobId(queued.stdout, `${host.name}: run ${ctx.inventory.director.verifyJob}`);
              const done = await waitForJob(ctx, host, verifyId, timing);
              results.push(`${job.name}:${j.jobId}=${done.status}`);
              if (done.status === "T") {
                ctx.note(`${job.name}: backup job ${j.jobId} verified by job ${verifyId}: T (no differences)`);
                continue;
              }
              const logLine = `list joblog jobid=${verifyId}`;
              const log = joblogEntries(bconsoleAnswer((await bconsole(ctx, host, logLine, "probe")).stdout, logLine));
              const differences = differenceLines(log);
              for (const line of differences.slice(0, 50)) ctx.note(`  ${line}`);
              if (differences.length > 50) ctx.note(`  ... ${differences.length - 50} more: see \`list joblog jobid=${verifyId}\``);
              if (done.status === "D") ctx.finding("down", `${job.name}: backup job ${j.jobId} differs from the catalog (verify job ${verifyId}: D, ${differences.length} line(s) of differences)`);
              else ctx.finding("degraded", `${job.name}: the verify of backup job ${j.jobId} ended ${done.status} (verify job ${verifyId}): not verified; see \`list joblog jobid=${verifyId}\``);
            }
            if (!ctx.dryRun) ctx.report.verified = results.join(" ") || "nothing";
          },
        },
      ];
    },
  };
}
