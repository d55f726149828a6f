import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline/promises";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { RUNBOOKS } from "../../playbooks/registry";
import type { EngineInventory, Runbook } from "../../playbooks/engine/types";
import { loadStorageInventoryFile, storageInventoryFromPlan } from "../../playbooks/storage/inventory";
import { loadBalancerInventoryFromModel, loadLoadBalancerInventoryFile } from "../../playbooks/loadbalancer/inventory";
import { backupInventoryFromPlan, loadBackupInventoryFile, type BackupInventory } from "../../playbooks/backup/inventory";
import { planRestorePoints } from "../../playbooks/backup/plan-restore-points";
import { deriveBaculaPlan } from "../../backup/bacula/derive-bacula-plan";
import { photoRotation } from "../../backup/rotation/hanoi-plan";
import { MINIO_CA_FILE } from "../../components/storage/minio-paths";
import { inventoryFromModel, loadInventoryFile } from "../../playbooks/engine/inventory";
import { RunbookInputError, UnsafeStateError } from "../../playbooks/engine/errors";
import { AuditLog, defaultAuditLogPath } from "../../playbooks/engine/audit-log";
import { loginOperator } from "../../playbooks/engine/operator";
import { SshTransport } from "../../playbooks/engine/ssh-transport";
import { runRunbook, type RunOutcome } from "../../playbooks/engine/run-runbook";
import { closestWord } from "../../components/input/did-you-mean";

export interface RunbookCommandOptions {
  name: string;
  stack: string;
  projectDir: string;
  dryRun: boolean;
  yes: boolean;
  identity?: string;
  knownHosts?: string;
  sshUser?: string;
  inventory?: string;
  fromStep?: number;
  auditLog?: string;
  /** The runbook's own options (--to, --host, --force, ...). */
  runbookOptions: Record<string, string | boolean | undefined>;
  commandLine: string;
}

/**
 * Exit codes of `ibac runbook`: 0 done, 1 a step failed, 2 bad input, 3 refused (unsafe state), 4 declined;
 * a probing runbook (storage-status, lb-status) that ran to the end: 5 degraded (serving, redundancy lost), 6 down
 * (not serving, or a split brain).
 */
export const RUNBOOK_EXIT = { completed: 0, "dry-run": 0, failed: 1, invalid: 2, refused: 3, aborted: 4, degraded: 5, down: 6 } as const;

export function describeRunbooks(): string {
  const width = Math.max(...[...RUNBOOKS.keys()].map((n) => n.length));
  return [...RUNBOOKS.values()].map(({ runbook: r }) => {
    const options = (r.options ?? []).map((o) => `      ${o.flag.padEnd(24)} ${o.description}`).join("\n");
    return `  ${r.name.padEnd(width)} ${r.summary}${options ? `\n${options}` : ""}`;
  }).join("\n");
}

function defaultIdentity(): string {
  return process.env.IBAC_SSH_IDENTITY ?? path.join(os.homedir(), ".ssh", "id_ed25519");
}

/** `ibac runbook NAME --stack S`: resolves the runbook and inventory, then runs it over SSH. */
export async function runbookCommand(options: RunbookCommandOptions): Promise<RunOutcome> {
  const registered = RUNBOOKS.get(options.name);
  if (!registered) {
    const suggestion = closestWord(options.name, [...RUNBOOKS.keys()]);
    throw new RunbookInputError(`no runbook "${options.name}"${suggestion ? `; did you mean "${suggestion}"?` : ""}\nRunbooks:\n${describeRunbooks()}`);
  }
  for (const option of registered.runbook.options ?? []) {
    const key = option.flag.replace(/^--/, "").split(" ")[0];
    if (option.required && options.runbookOptions[key] === undefined) throw new RunbookInputError(`${registered.runbook.name} needs ${option.flag}: ${option.description}`);
  }
  switch (registered.tier) {
    case "database": return runWith(registered.runbook, databaseInventory(options), options);
    case "objectStore": return runWith(registered.runbook, storageInventory(options), options);
    case "loadBalancer": return runWith(registered.runbook, loadBalancerInventory(options), options);
    case "backup": return runWith(registered.runbook, backupInventory(options), options);
    default: {
      const never: never = registered;
      throw new Error(`no inventory for ${JSON.stringify(never)}`);
    }
  }
}

function loadBalancerInventory(options: RunbookCommandOptions): ReturnType<typeof loadLoadBalancerInventoryFile> {
  const loaded = loadStackFile(stackFilePath(options.projectDir, options.stack), path.join("stacks", `Pulumi.${options.stack}.yaml`));
  if (options.inventory) return loadLoadBalancerInventoryFile(options.inventory, options.stack);
  return loadBalancerInventoryFromModel(options.stack, loaded.model, options.sshUser ?? loaded.spec.admins[0].name);
}

/** The backup inventory (from the stack's Bacula plan, or a file), with the plan's restore points attached. */
function backupInventory(options: RunbookCommandOptions): BackupInventory {
  const loaded = loadStackFile(stackFilePath(options.projectDir, options.stack), path.join("stacks", `Pulumi.${options.stack}.yaml`));
  const plan = deriveBaculaPlan(loaded.spec, loaded.model, photoRotation(loaded.spec.backupPolicy.photos));
  const inventory = options.inventory
    ? loadBackupInventoryFile(options.inventory, options.stack)
    : backupInventoryFromPlan(options.stack, plan, loaded.model, options.sshUser ?? loaded.spec.admins[0].name);
  return { ...inventory, keptRestorePoints: planRestorePoints(plan) };
}

function databaseInventory(options: RunbookCommandOptions): ReturnType<typeof inventoryFromModel> {
  const shownFile = path.join("stacks", `Pulumi.${options.stack}.yaml`);
  const loaded = loadStackFile(stackFilePath(options.projectDir, options.stack), shownFile);
  return options.inventory
    ? loadInventoryFile(options.inventory, options.stack)
    : inventoryFromModel(options.stack, loaded.model, loaded.spec, options.sshUser ?? loaded.spec.admins[0].name);
}

function storageInventory(options: RunbookCommandOptions): ReturnType<typeof loadStorageInventoryFile> {
  const loaded = loadStackFile(stackFilePath(options.projectDir, options.stack), path.join("stacks", `Pulumi.${options.stack}.yaml`));
  if (options.inventory) return loadStorageInventoryFile(options.inventory, options.stack);
  return storageInventoryFromPlan(options.stack, loaded.model.objectStore, options.sshUser ?? loaded.spec.admins[0].name, MINIO_CA_FILE);
}

async function runWith<I extends EngineInventory>(runbook: Runbook<I>, inventory: I, options: RunbookCommandOptions): Promise<RunOutcome> {
  // The audit log first: a run that could not be recorded must not start.
  const auditFile = options.auditLog ?? process.env.IBAC_AUDIT_LOG ?? defaultAuditLogPath();
  const audit = new AuditLog(auditFile, options.auditLog ? "--audit-log" : process.env.IBAC_AUDIT_LOG ? "IBAC_AUDIT_LOG" : "the audit log");
  let transport: SshTransport;
  try {
    transport = new SshTransport({
      identityFile: options.identity ?? defaultIdentity(),
      knownHostsFile: options.knownHosts ?? process.env.IBAC_KNOWN_HOSTS ?? path.join(os.homedir(), ".ssh", "known_hosts"),
    });
  } catch (e) {
    audit.close();
    throw e;
  }
  const interactive = process.stdin.isTTY && process.stdout.isTTY;
  const confirm = interactive
    ? async (question: string): Promise<boolean> => {
        const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
        try {
          return (await rl.question(`${question} Type "yes" to go on: `)).trim() === "yes";
        } finally {
          rl.close();
        }
      }
    : undefined;
  try {
    const outcome = await runRunbook({
      runbook,
      inventory,
      transport,
      options: options.runbookOptions,
      dryRun: options.dryRun,
      yes: options.yes,
      ...(options.fromStep !== undefined ? { fromStep: options.fromStep } : {}),
      audit,
      operator: loginOperator().name,
      commandLine: options.commandLine,
      say: (line) => console.log(line),
      ...(confirm ? { confirm } : {}),
    });
    console.log(`Audit log: ${auditFile}`);
    return outcome;
  } finally {
    await transport.close();
    audit.close();
  }
}

export { RunbookInputError, UnsafeStateError };
