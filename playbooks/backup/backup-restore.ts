import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import type { Runbook, Step } from "../engine/types";
import type { RestorePoint } from "../../backup/rotation/types";
import type { BackupHost, BackupInventory, BackupJobEntry } from "./inventory";
import { checkRestoreDir, checkRestorePath, checkRestoreTime, defaultRestoreDir, jobForPath } from "./restore-input";
import { catalogChain, coveringRestorePoint, type KeptRestorePoints } from "./restore-point";
import { queuedJobId, selectedFileCount, sha256OfCatalogDigest, shownText, type CatalogJob } from "./bconsole";
import { fileVersionsCommand, parseFileVersions, type CatalogFile } from "./catalog-files";
import { bconsole, catalogJobs, findDirector, waitForJob, type BackupContext } from "./director";

export interface BackupRestoreDeps {
  /** The plan's restore points; default the inventory's (the CLI attaches the stack plan's). */
  keptRestorePoints?: KeptRestorePoints;
  now?: () => Date;
  pollMs?: number;
  timeoutMs?: number;
}

/** What backup-restore asks for, every option checked. */
interface Request {
  path: string;
  at: Date;
  job: BackupJobEntry;
  point: RestorePoint;
  dir: string;
}

/** What the first step found: the director, the chain in the catalog, the file versions the restore gives back. */
interface Found {
  director: BackupHost;
  client: BackupHost;
  chain: CatalogJob[];
  /** The newest version of each file under the path, in the chain (deleted ones left out). */
  files: CatalogFile[];
  isFile: boolean;
}

function request(options: Record<string, string | boolean | undefined>, inventory: BackupInventory, deps: BackupRestoreDeps): Request {
  if (typeof options.path !== "string") throw new RunbookInputError("backup-restore needs --path <absolute path>");
  if (typeof options.at !== "string") throw new RunbookInputError("backup-restore needs --at <ISO 8601 time with a zone>");
  const path = checkRestorePath(options.path);
  const job = jobForPath(inventory, path, typeof options.job === "string" ? options.job : undefined);
  const now = (deps.now ?? (() => new Date()))();
  const at = checkRestoreTime(options.at, now);
  const kept = deps.keptRestorePoints ?? inventory.keptRestorePoints;
  if (!kept) throw new RunbookInputError(`backup-restore needs the stack's Bacula plan to know which restore points it keeps (none given with the ${inventory.stack} inventory)`);
  const point = coveringRestorePoint(kept(job.name, now), at, job.name);
  const dir = checkRestoreDir(typeof options.to === "string" ? options.to : defaultRestoreDir(inventory, job, point.at), inventory, job);
  return { path, at, job, point, dir };
}

/** Where a file lands: Bacula puts the original path below `where`. */
function restoredPath(dir: string, original: string): string {
  return `${dir}${original}`;
}

/** Prints `absent`, `empty` or `used` for the restore target on the client; a symbolic link counts as used. */
export function targetStateCommand(dir: string): string {
  const d = shellQuote(dir);
  return `if [ -L ${d} ]; then echo used; elif [ ! -e ${d} ]; then echo absent; elif [ -d ${d} ] && [ -z "$(ls -A ${d})" ]; then echo empty; else echo used; fi`;
}

/** SHA256 of every regular file below the restored path (NUL-terminated, names unescaped: `sha256sum -z`). */
export function restoredDigestsCommand(dir: string, original: string): string {
  return `find ${shellQuote(restoredPath(dir, original))} -type f -exec sha256sum -z -- {} +`;
}

/**
 * The restore dialogue. A file: `file=` selects it alone. A directory: `directory=` selects only the files
 * directly in it (9.6, not below), so the tree is marked in Bacula's file selection mode instead: `cd` to its
 * parent, `mark` its name (recursive), `done`. replace=never: nothing restored may overwrite anything.
 */
export function restoreLines(inventory: BackupInventory, req: Pick<Request, "job" | "path" | "dir">, found: Pick<Found, "chain" | "isFile">): string[] {
  const head = `restore client=${req.job.client} restorejob=${inventory.director.restoreJob} jobid=${found.chain.map((j) => j.jobId).join(",")}`;
  if (found.isFile) return [`${head} file="${req.path}" where="${req.dir}" replace=never yes`];
  const slash = req.path.lastIndexOf("/");
  return [`${head} where="${req.dir}" replace=never`, `cd "${req.path.slice(0, slash + 1)}"`, `mark "${req.path.slice(slash + 1)}"`, "done", "yes"];
}

/** The newest version of every entry in the chain (chain order decides, not job ids), deleted ones dropped. */
function newestVersions(rows: readonly CatalogFile[], chain: readonly CatalogJob[]): CatalogFile[] {
  const order = new Map(chain.map((j, i) => [j.jobId, i]));
  const newest = new Map<string, CatalogFile>();
  for (const row of rows) {
    const key = `${row.path}\u0000${row.name}`;
    const seen = newest.get(key);
    if (!seen || (order.get(row.jobId) ?? -1) > (order.get(seen.jobId) ?? -1)) newest.set(key, row);
  }
  return [...newest.values()].filter((r) => r.fileIndex > 0);
}

/** The file-level check: restored digests against the catalog's; problems listed, at most 20 shown. */
function compareDigests(found: Found, dir: string, output: string, where: string): { checked: number; problems: string[] } {
  const restored = new Map<string, string>();
  for (const entry of output.split("\u0000").filter((e) => e !== "")) {
    const m = /^\\?([0-9a-f]{64}) [ *](.+)$/s.exec(entry.replace(/^\n/, ""));
    if (!m) throw new UnsafeStateError(`${where}: expected "SHA256  path" entries from sha256sum -z, found ${JSON.stringify(entry.slice(0, 80))}`);
    restored.set(m[2], m[1]);
  }
  const problems: string[] = [];
  let checked = 0;
  for (const f of found.files) {
    if (f.name === "") continue;
    const expected = sha256OfCatalogDigest(f.digest);
    if (!expected) continue;
    const file = restoredPath(dir, `${f.path}${f.name}`);
    const got = restored.get(file);
    if (got === undefined) problems.push(`missing: ${shownText(file)}`);
    else if (got !== expected) problems.push(`SHA256 differs: ${shownText(file)} (catalog ${expected}, restored ${got})`);
    else checked++;
  }
  return { checked, problems };
}

/**
 * backup-restore --path P --at TIME [--to DIR] [--job NAME]: the plan's restore point that covers TIME (the
 * newest it keeps at or before TIME), checked against the catalog job by job; then a restore of P from that
 * chain into DIR on the client (new and empty; by default below the inventory's restore root), and a check of
 * the restore job (status T, no errors, the files Bacula selected all restored) and of every restored file's
 * SHA256 against the digest the file daemon stored at backup time (the file sets keep SHA256 signatures).
 */
export function makeBackupRestore(deps: BackupRestoreDeps = {}): Runbook<BackupInventory> {
  const timing = { pollMs: deps.pollMs ?? 5000, timeoutMs: deps.timeoutMs ?? 6 * 3600_000 };
  return {
    name: "backup-restore",
    summary: "restore a path as it was at a time, from the restore point the plan says covers it, into a new directory; verified by SHA256",
    options: [
      { flag: "--path <P>", description: "the absolute path to restore (a file or a directory in a backed-up file set)", required: true },
      { flag: "--at <TIME>", description: "ISO 8601 with a zone: restore the state of the newest restore point at or before it", required: true },
      { flag: "--to <DIR>", description: "a new or empty absolute directory on the client (default: below the restore root); never a backed-up place" },
      { flag: "--job <NAME>", description: "the backup job, when the path is in more than one job's file set" },
    ],
    // The director's VM is found by probing; the run stops with its own message when it or the client is down.
    mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
    validate: (options, inventory) => {
      request(options, inventory, deps);
    },
    steps: (inventory, options): Step<BackupInventory>[] => {
      const req = request(options, inventory, deps);
      let found: Found | undefined;
      let restoreJobId: number | undefined;

      const targetState = async (ctx: BackupContext, client: BackupHost): Promise<"absent" | "empty" | "used"> => {
        const target = await ctx.probe(client, targetStateCommand(req.dir), { allowFailure: true });
        if (target.code === 255) throw new UnsafeStateError(`the client ${client.name} (${client.address}) does not answer over SSH: the restore could not be checked there`);
        const state = target.stdout.trim();
        if (target.code !== 0 || (state !== "absent" && state !== "empty" && state !== "used")) throw new UnsafeStateError(`${client.name}: could not read the state of ${req.dir} (exit ${target.code})`);
        return state;
      };
      const checkTargetEmpty = async (ctx: BackupContext, client: BackupHost): Promise<void> => {
        if ((await targetState(ctx, client)) === "used") throw new UnsafeStateError(`${client.name}: ${req.dir} exists and is not an empty directory: restore into a new place (--to)`);
      };

      const inspect = async (ctx: BackupContext, targetMustBeEmpty: boolean): Promise<Found> => {
        const director = await findDirector(ctx);
        const chain = catalogChain(req.point, req.job.name, await catalogJobs(ctx, director, req.job.name));
        const versions = await ctx.probe(director, fileVersionsCommand(ctx.inventory.director.catalogFile, req.path, chain.map((j) => j.jobId)));
        const files = newestVersions(parseFileVersions(versions.stdout, `${director.name}: the catalog's files`), chain);
        const slash = req.path.lastIndexOf("/");
        const isFile = files.some((f) => f.path === req.path.slice(0, slash + 1) && f.name === req.path.slice(slash + 1) && f.name !== "");
        // `mark` matches its argument as a pattern: a directory name with one would mark more than asked.
        if (!isFile && /[*?[\]]/.test(req.path.slice(slash + 1))) throw new RunbookInputError(`--path: ${req.path} is a directory whose name has a wild card (* ? [ ]): restore its parent, or its files one by one`);
        if (files.length === 0) throw new UnsafeStateError(`the catalog has no version of ${req.path} in the chain of ${req.point.at.toISOString()} (jobs ${chain.map((j) => j.jobId).join(", ")}): it was not backed up then, or was deleted`);
        const client = ctx.inventory.clients.find((c) => c.name === req.job.client)?.host;
        if (!client) throw new RunbookInputError(`no client ${req.job.client} in the ${ctx.inventory.stack} backup inventory`);
        if (targetMustBeEmpty) await checkTargetEmpty(ctx, client);
        return { director, client, chain, files, isFile };
      };

      return [
        {
          name: "Find the director, the restore point and its chain in the catalog",
          hosts: (ctx) => [...ctx.inventory.backupHosts.map((h) => h.name), req.job.client],
          precondition: async (ctx) => {
            found = await inspect(ctx, true);
          },
          // Resumed later: the target may hold the restored files now (step 2's own checks say which it must).
          resumeCheck: async (ctx) => {
            found = await inspect(ctx, false);
          },
          action: async (ctx) => {
            const f = found as Found;
            ctx.note(`--at ${req.at.toISOString()}: the plan's restore point is ${req.point.at.toISOString()} (${req.point.level} in ${req.point.pool})`);
            ctx.note(`chain in the catalog: ${f.chain.map((j) => `job ${j.jobId} (${j.level}, ${j.pool ?? "?"}, ${j.schedTime.toISOString()})`).join(", ")}`);
            ctx.note(`${f.isFile ? "file" : "directory"} ${req.path}: ${f.files.filter((x) => x.name !== "").length} file(s) in the catalog; into ${req.dir} on ${f.client.name}`);
            ctx.report.restorePoint = req.point.at.toISOString();
            ctx.report.jobs = f.chain.map((j) => j.jobId).join(",");
            ctx.report.restoredTo = `${f.client.name}:${req.dir}`;
          },
        },
        {
          name: "Restore into the new directory and wait for the job",
          hosts: () => [found?.director.name ?? "the director's VM"],
          // Resumed at this step: the target must still be new (a half-done restore is not topped up).
          precondition: async (ctx) => {
            await checkTargetEmpty(ctx, (found as Found).client);
          },
          // Resumed after this step: the restore must have put something there.
          resumeCheck: async (ctx) => {
            if ((await targetState(ctx, (found as Found).client)) !== "used") throw new UnsafeStateError(`${(found as Found).client.name}: ${req.dir} holds nothing: the restore did not happen; resume from step 2`);
          },
          action: async (ctx) => {
            const f = found as Found;
            const queued = await bconsole(ctx, f.director, restoreLines(ctx.inventory, req, f), "change");
            if (ctx.dryRun) return;
            const selected = selectedFileCount(queued.stdout, `${f.director.name}: restore`);
            restoreJobId = queuedJobId(queued.stdout, `${f.director.name}: restore`);
            ctx.note(`restore job ${restoreJobId}: ${selected} file(s) selected`);
            const done = await waitForJob(ctx, f.director, restoreJobId, timing);
            if (done.status !== "T" || done.jobErrors !== 0) throw new Error(`restore job ${restoreJobId} ended with status ${done.status} and ${done.jobErrors} error(s): see \`list joblog jobid=${restoreJobId}\``);
            if (done.jobFiles !== selected) throw new Error(`restore job ${restoreJobId} restored ${done.jobFiles} of the ${selected} file(s) selected: see \`list joblog jobid=${restoreJobId}\``);
            ctx.report.restoreJob = String(restoreJobId);
            ctx.report.filesRestored = String(done.jobFiles);
          },
        },
        {
          name: "Check every restored file's SHA256 against the catalog",
          hosts: () => [req.job.client],
          action: async (ctx) => {
            const f = found as Found;
            if (ctx.dryRun) {
              ctx.note(`would compare ${restoredDigestsCommand(req.dir, req.path)} on ${f.client.name} with the catalog's digests`);
              return;
            }
            const r = await ctx.probe(f.client, restoredDigestsCommand(req.dir, req.path));
            const { checked, problems } = compareDigests(f, req.dir, r.stdout, `${f.client.name}: sha256sum`);
            if (checked === 0 && problems.length === 0) throw new UnsafeStateError(`no restored file under ${req.dir}${req.path} has a SHA256 digest in the catalog: the file set keeps no signatures, so nothing could be verified`);
            if (problems.length) throw new Error(`${problems.length} restored file(s) do not match the catalog:\n${problems.slice(0, 20).join("\n")}`);
            ctx.report.sha256Checked = String(checked);
          },
        },
      ];
    },
  };
}
