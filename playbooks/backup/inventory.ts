import { Type, type Static } from "@sinclair/typebox";
import type { BaculaPlan } from "../../backup/bacula/bacula-plan";
import { PRODUCTION_BACULA_PATHS, type BaculaPaths } from "../../backup/bacula/paths";
import type { PlatformModel } from "../../components/model/types";
import { expectedFound, type InputProblem } from "../../components/input/input-error";
import { loadInput, readInputText } from "../../components/input/load-input";
import { SshLogin } from "../engine/inventory";
import type { KeptRestorePoints } from "./restore-point";

// Every value here reaches a shell command or a bconsole line (bconsole -c CONF, restore client=NAME, find DIR):
// the schema admits only the characters each one can mean, so none needs more than shellQuote's plain-word case
// and none can end a bconsole argument early.
const HOST_NAME = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
const IPV4 = "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$";
const ABSOLUTE_PATH = "^(/[A-Za-z0-9_][A-Za-z0-9_.+-]*)+$";
const ABSOLUTE_PATH_TEXT = "an absolute path (letters, digits, _ . + -, no dot segments)";
/** A Bacula resource name as the plan decides them (`s3-fd`, `Photos-H03`). */
export const BACULA_NAME = "^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$";
const BACULA_NAME_TEXT = "a Bacula resource name (letters, digits, . _ -)";

const Host = Type.Object({
  name: Type.String({ pattern: HOST_NAME, description: "a host name such as backup-1" }),
  address: Type.String({ pattern: IPV4, description: "the IPv4 address where SSH answers" }),
  ssh: SshLogin,
}, { additionalProperties: false });

export const BackupInventoryFile = Type.Object({
  stack: Type.String(),
  director: Type.Object({
    /** The systemd unit Pacemaker starts on the Promoted backup VM only: where it is active, the director is. */
    service: Type.String({ pattern: "^[a-z0-9][a-z0-9@_.-]{0,80}\\.service$", description: "a systemd service such as bacula-director.service" }),
    /** Absolute: a relative -c path makes Bacula's programs read /etc/bacula instead, silently. */
    bconsoleConfig: Type.String({ pattern: ABSOLUTE_PATH, description: ABSOLUTE_PATH_TEXT }),
    /** The SQLite catalog on the director's VM (on the DRBD volume), read with sqlite3 -readonly. */
    catalogFile: Type.String({ pattern: ABSOLUTE_PATH, description: ABSOLUTE_PATH_TEXT }),
    /** The `Type = Restore` and `Type = Verify` jobs bacula-dir.conf defines (named on every restore and run line). */
    restoreJob: Type.String({ pattern: BACULA_NAME, description: BACULA_NAME_TEXT }),
    verifyJob: Type.String({ pattern: BACULA_NAME, description: BACULA_NAME_TEXT }),
  }, { additionalProperties: false }),
  /** Where restores land by default (`<restoreRoot>/<job>-<time>` on the client), never inside a backed-up file set. */
  restoreRoot: Type.String({ pattern: ABSOLUTE_PATH, description: ABSOLUTE_PATH_TEXT }),
  /** The backup VMs: the director runs on the Promoted one. */
  backupHosts: Type.Array(Host, { minItems: 1, maxItems: 2, description: "the backup VMs" }),
  /** The file daemons, reached over SSH where Bacula reaches them (a restore lands there and is checked there). */
  clients: Type.Array(Type.Object({
    name: Type.String({ pattern: BACULA_NAME, description: BACULA_NAME_TEXT }),
    host: Host,
  }, { additionalProperties: false }), { minItems: 1 }),
  jobs: Type.Array(Type.Object({
    name: Type.String({ pattern: BACULA_NAME, description: BACULA_NAME_TEXT }),
    client: Type.String({ pattern: BACULA_NAME, description: BACULA_NAME_TEXT }),
    fileSet: Type.String({ pattern: BACULA_NAME, description: BACULA_NAME_TEXT }),
    include: Type.Array(Type.String({ pattern: ABSOLUTE_PATH, description: ABSOLUTE_PATH_TEXT }), { minItems: 1 }),
  }, { additionalProperties: false }), { minItems: 1 }),
}, { additionalProperties: false });

export type BackupHost = Static<typeof Host>;
/**
 * The file's fields, the engine's host list derived from them (the backup VMs, then the clients' hosts), and
 * the plan's restore points (from the stack's Bacula plan: planRestorePoints), which backup-restore reads.
 */
export type BackupInventory = Static<typeof BackupInventoryFile> & { hosts: readonly BackupHost[]; keptRestorePoints?: KeptRestorePoints };
export type BackupJobEntry = BackupInventory["jobs"][number];

/** The systemd unit of the director on the backup VMs (Debian's bacula-director package). */
export const DIRECTOR_SERVICE = "bacula-director.service";

/** The engine's host list: the backup VMs, then each client's host (a client's name is its host's in SSH terms). */
export function withHosts(inventory: Static<typeof BackupInventoryFile>): BackupInventory {
  return { ...inventory, hosts: [...inventory.backupHosts, ...inventory.clients.map((c) => c.host)] };
}

/**
 * The backup inventory from the Bacula plan (the contract the renderers read): the backup VMs the director may
 * run on, bconsole's configuration, the restore and verify jobs bacula-dir.conf defines, the clients and the
 * jobs with their file sets. SSH goes to the service address of each VM, and to the address Bacula uses for
 * each client (the object store's virtual address reaches the Promoted s3 VM, the one running its file daemon).
 */
export function backupInventoryFromPlan(stack: string, plan: BaculaPlan, model: Pick<PlatformModel, "vms">, sshUser: string, paths: BaculaPaths = PRODUCTION_BACULA_PATHS): BackupInventory {
  const ssh = { port: 22, user: sshUser, sudo: sshUser !== "root" };
  const fileSets = new Map(plan.fileSets.map((f) => [f.name, f]));
  const backupHosts = plan.director.vms.map((name) => {
    const vm = model.vms.find((v) => v.name === name);
    if (!vm) throw new Error(`bacula plan: director.vms: ${name} is not a VM of the model`);
    return { name, address: (vm.nics.find((n) => n.network === "service") ?? vm.nics[0]).address, ssh };
  });
  return withHosts({
    stack,
    director: { service: DIRECTOR_SERVICE, bconsoleConfig: paths.bconsoleConf, catalogFile: plan.director.catalogFile, restoreJob: plan.restoreJob, verifyJob: plan.verifyJob },
    restoreRoot: paths.restoreDirectory,
    backupHosts,
    clients: plan.clients.map((c) => ({ name: c.name, host: { name: c.name, address: c.address, ssh } })),
    jobs: plan.backupJobs.map((j) => ({ name: j.name, client: j.client, fileSet: j.fileSet, include: [...(fileSets.get(j.fileSet)?.include ?? [])] })),
  });
}

function meaningProblems(inventory: Static<typeof BackupInventoryFile>, input: { problem(path: (string | number)[], made: Pick<InputProblem, "detail" | "expected" | "found">): InputProblem }, stack: string): InputProblem[] {
  const problems: InputProblem[] = [];
  if (inventory.stack !== stack) problems.push(input.problem(["stack"], expectedFound(JSON.stringify(stack), JSON.stringify(inventory.stack))));
  const clients = new Set(inventory.clients.map((c) => c.name));
  inventory.jobs.forEach((j, i) => {
    if (!clients.has(j.client)) problems.push(input.problem(["jobs", i, "client"], expectedFound(`one of the clients (${[...clients].join(", ")})`, JSON.stringify(j.client))));
  });
  const names = [...inventory.backupHosts.map((h) => h.name), ...inventory.clients.map((c) => c.host.name)];
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) problems.push(input.problem(["clients", i - inventory.backupHosts.length, "host", "name"], expectedFound("a host name no backup VM or earlier client has", JSON.stringify(n))));
  });
  return problems;
}

/** A backup inventory file (the lab, or another layout); a bad file is an InputError. */
export function loadBackupInventoryFile(file: string, stack: string): BackupInventory {
  const loaded = loadInput({
    file,
    text: readInputText(file, file, "inventory file"),
    schema: BackupInventoryFile,
    syntax: "JSON",
    expected: "a JSON backup inventory with stack, director, restoreRoot, backupHosts, clients and jobs",
    checks: (inventory, input) => meaningProblems(inventory, input, stack),
  });
  return withHosts(loaded);
}
