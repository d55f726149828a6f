import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { EXIT_INPUT, InputError } from "../components/input/input-error";
import { listStacks, loadStackFile, stackFilePath } from "../components/spec/load";
import { specKnownHosts } from "../components/cluster/host-keys";
import { describeRunbooks, RUNBOOK_EXIT, runbookCommand } from "./runbook/command";
import { RunbookInputError } from "../playbooks/engine/errors";
import { flowsCommand } from "./flows/command";
import { backupSimulateCommand } from "./backup/command";

/** The checkout this CLI belongs to (the folder with Pulumi.yaml), whether run from source or from dist/. */
function findCheckout(start: string): string {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
  }
  return path.resolve(start, "..");
}

/** The project directory: where stacks/ is. IBAC_PROJECT_DIR points at another checkout's stacks. */
const projectDir = path.resolve(process.env.IBAC_PROJECT_DIR ?? findCheckout(__dirname));

/** Exit codes: 0 fine, 1 a check failed or the toolkit broke, 2 the user's input is wrong. */
export const EXIT_USAGE = EXIT_INPUT;

function fail(err: unknown): never {
  // Every input file and option, one layout: file, field path, expected, found, line and column.
  if (err instanceof InputError) {
    console.error(err.describe());
    process.exit(EXIT_USAGE);
  }
  if (err instanceof RunbookInputError) {
    console.error(`ibac runbook: ${err.message}`);
    console.error("Nothing was changed.");
    process.exit(EXIT_USAGE);
  }
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}

function unknownStack(stack: string): InputError | undefined {
  const stacks = listStacks(projectDir);
  if (stacks.includes(stack)) return undefined;
  return new InputError([{ file: path.join("stacks", `Pulumi.${stack}.yaml`), path: "", detail: `no such stack; expected one of ${stacks.join(", ")}` }]);
}

const program = new Command()
  .name("ibac")
  .description("Build and operate the iBac backend on Proxmox VE")
  .exitOverride()
  .showHelpAfterError();

program
  .command("plan")
  .description("validate a stack and write its offline plan (no Proxmox, no Pulumi CLI needed)")
  .requiredOption("-s, --stack <name>", "stack name: stacks/Pulumi.<name>.yaml")
  .option("-o, --out <dir>", "output directory (default: out/<stack>)")
  .action(async (options: { stack: string; out?: string }) => {
    const missing = unknownStack(options.stack);
    if (missing) throw missing;
    // Loaded here, not at the top: Pulumi's SDK takes most of a second to load, and runbooks never need it.
    // require, not import(): under tsx's CommonJS hook a dynamic import bypasses the TypeScript loader.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { planCommand } = require("./plan/command") as typeof import("./plan/command");
    await planCommand({ stack: options.stack, projectDir, ...(options.out ? { out: options.out } : {}) });
  });

program
  .command("flows")
  .description("print the intended flow matrix and every difference with what the rendered firewall rules allow")
  .requiredOption("-s, --stack <name>", "stack name: stacks/Pulumi.<name>.yaml")
  .option("--json", "machine-readable output")
  .action((options: { stack: string; json?: boolean }) => {
    const missing = unknownStack(options.stack);
    if (missing) throw missing;
    process.exitCode = flowsCommand({ stack: options.stack, projectDir, json: options.json ?? false });
  });

const backup = program.command("backup").description("the backups: the photos' rotation and its restore points");
backup
  .command("simulate")
  .description("replay the photos' Hanoi rotation hour by hour next to the Bacula manual's GFS rotation: restore points, ages, storage, promises")
  .requiredOption("-s, --stack <name>", "stack name: stacks/Pulumi.<name>.yaml")
  .option("--from <date>", "first day simulated, YYYY-MM-DD (UTC; default 2026-01-01)")
  .option("--days <n>", "days simulated (default 731: two year ends, one with ISO week 53)")
  .option("--json", "machine-readable output")
  .action((options: { stack: string; from?: string; days?: string; json?: boolean }) => {
    const missing = unknownStack(options.stack);
    if (missing) throw missing;
    process.exitCode = backupSimulateCommand({ stack: options.stack, projectDir, json: options.json ?? false, ...(options.from ? { from: options.from } : {}), ...(options.days ? { days: options.days } : {}) });
  });

program
  .command("known-hosts")
  .description("print the known_hosts lines of the stack's nodes and QDevice host (from the spec's sshHostKey), for the ops machine")
  .requiredOption("-s, --stack <name>", "stack name: stacks/Pulumi.<name>.yaml")
  .action((options: { stack: string }) => {
    const missing = unknownStack(options.stack);
    if (missing) throw missing;
    const { spec } = loadStackFile(stackFilePath(projectDir, options.stack), path.join("stacks", `Pulumi.${options.stack}.yaml`));
    process.stdout.write(specKnownHosts(spec));
  });

program
  .command("check")
  .description("run every policy of the pack on a stack's offline plan; exit 1 on any mandatory violation")
  .requiredOption("-s, --stack <name>", "stack name: stacks/Pulumi.<name>.yaml")
  .option("-f, --format <format>", "text, json, sarif or junit", "text")
  .option("-o, --out <file>", "write the result to a file instead of standard output")
  .option("-w, --waivers <file>", "waiver file (YAML: requirement or policy, stack or all, resource, justification, approver, approved, expires at most 12 months later)")
  .option("--today <date>", "check as of this day, YYYY-MM-DD (end-of-life dates, waiver expiry)")
  .action(async (options: { stack: string; format: string; out?: string; waivers?: string; today?: string }) => {
    const missing = unknownStack(options.stack);
    if (missing) throw missing;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { checkCommand, CHECK_FORMATS } = require("./check/command") as typeof import("./check/command");
    const format = CHECK_FORMATS.find((f) => f === options.format);
    if (!format) throw new InputError([{ file: "--format", path: "", detail: `expected one of ${CHECK_FORMATS.join(", ")}, found ${JSON.stringify(options.format)}` }]);
    process.exitCode = await checkCommand({ stack: options.stack, projectDir, format, ...(options.out ? { out: options.out } : {}), ...(options.waivers ? { waivers: options.waivers } : {}), ...(options.today ? { today: options.today } : {}) });
  });

program
  .command("report")
  .description("write the compliance report of a stack: self-contained HTML, Markdown and JSON")
  .requiredOption("-s, --stack <name>", "stack name: stacks/Pulumi.<name>.yaml")
  .option("-o, --out <dir>", "output directory (default: out/<stack>)")
  .option("-w, --waivers <file>", "waiver file, as for check")
  .option("--today <date>", "report as of this day, YYYY-MM-DD")
  .action(async (options: { stack: string; out?: string; waivers?: string; today?: string }) => {
    const missing = unknownStack(options.stack);
    if (missing) throw missing;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { reportCommand } = require("./check/report-command") as typeof import("./check/report-command");
    process.exitCode = await reportCommand({ stack: options.stack, projectDir, ...(options.out ? { out: options.out } : {}), ...(options.waivers ? { waivers: options.waivers } : {}), ...(options.today ? { today: options.today } : {}) });
  });

program
  .command("runbook")
  .description("run an operations runbook over SSH on a stack's hosts (every command audited)")
  .argument("[name]", "the runbook; --list shows them")
  .option("-s, --stack <name>", "stack name: stacks/Pulumi.<name>.yaml")
  .option("--list", "list the runbooks and their options")
  .option("-n, --dry-run", "run only read-only checks; print every change and the host it would run on")
  .option("-y, --yes", "do not ask before destructive steps")
  .option("-i, --identity <file>", "SSH private key (default: $IBAC_SSH_IDENTITY or ~/.ssh/id_ed25519)")
  .option("--known-hosts <file>", "host keys every host must match (default: $IBAC_KNOWN_HOSTS or ~/.ssh/known_hosts)")
  .option("-u, --ssh-user <user>", "SSH user on the hosts (default: the stack's first admin; sudo is used unless root)")
  .option("--inventory <file>", "hosts as JSON instead of the stack's model (the lab, or a site with another layout)")
  .option("--from-step <n>", "resume at step n after a failed run was fixed", (v: string) => Number(v))
  .option("--audit-log <file>", "JSON-lines audit log, a regular file (default: $IBAC_AUDIT_LOG or $XDG_STATE_HOME/ibac/audit/runbooks.jsonl, ~/.local/state/... without it)")
  .option("--to <target>", "db-restore-pitr: a GTID or a time; db-switchover/db-failover: the replica to promote; storage-switchover: the storage VM to promote; backup-restore: the new directory")
  .option("--path <path>", "backup-restore: the absolute path to restore")
  .option("--at <time>", "backup-restore: ISO 8601 with a zone; the newest restore point at or before it")
  .option("--job <name>", "backup-restore: the backup job, when the path is in several file sets")
  .option("--client <name>", "backup-verify: this client's jobs only")
  .option("--host <host>", "db-rejoin/db-reclone: the server to act on; db-restore-pitr: the host with the backups")
  .option("--from-server <name>", "db-restore-pitr: whose backups")
  .option("--force", "db-failover: promote although the old primary answers")
  .option("--assume-fenced", "db-failover: the old primary's VM was stopped by hand")
  .option("--keep <host>", "storage-split-brain: the side whose data survives (the other side's changes since the split are discarded)")
  .option("--copy-to <file>", "storage-split-brain --keep: a raw copy of the other side's backing disk, a new file on that VM")
  // commander reads --no-copy as `copy: false`.
  .option("--no-copy", "storage-split-brain --keep: take no copy (you saved the other side's data yourself)")
  .option("--keep-unpromoted", "storage-split-brain --keep: keep a side Pacemaker did not promote")
  .action(async (name: string | undefined, o: {
    stack?: string; list?: boolean; dryRun?: boolean; yes?: boolean; identity?: string; knownHosts?: string; sshUser?: string; inventory?: string;
    fromStep?: number; auditLog?: string; to?: string; host?: string; fromServer?: string; force?: boolean; assumeFenced?: boolean;
    keep?: string; copyTo?: string; copy?: boolean; keepUnpromoted?: boolean; path?: string; at?: string; job?: string; client?: string;
  }) => {
    if (o.list || !name) {
      console.log(`Runbooks:\n${describeRunbooks()}`);
      if (!o.list) process.exit(EXIT_USAGE);
      return;
    }
    if (!o.stack) throw new RunbookInputError("--stack <name> is required");
    const missing = unknownStack(o.stack);
    if (missing) throw missing;
    const outcome = await runbookCommand({
      name,
      stack: o.stack,
      projectDir,
      dryRun: o.dryRun ?? false,
      yes: o.yes ?? false,
      ...(o.identity ? { identity: o.identity } : {}),
      ...(o.knownHosts ? { knownHosts: o.knownHosts } : {}),
      ...(o.sshUser ? { sshUser: o.sshUser } : {}),
      ...(o.inventory ? { inventory: o.inventory } : {}),
      ...(o.fromStep !== undefined ? { fromStep: o.fromStep } : {}),
      ...(o.auditLog ? { auditLog: o.auditLog } : {}),
      runbookOptions: {
        to: o.to, host: o.host, "from-server": o.fromServer, force: o.force, "assume-fenced": o.assumeFenced,
        keep: o.keep, "copy-to": o.copyTo, "no-copy": o.copy === false ? true : undefined, "keep-unpromoted": o.keepUnpromoted,
        path: o.path, at: o.at, job: o.job, client: o.client,
      },
      commandLine: ["ibac", ...process.argv.slice(2).filter((a, i, all) => a !== "--from-step" && all[i - 1] !== "--from-step")].join(" "),
    });
    process.exitCode = RUNBOOK_EXIT[outcome.status];
  });

process.on("unhandledRejection", fail);
program.parseAsync(process.argv).catch(fail);
