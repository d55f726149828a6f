// bacula-dir.conf: the director on the backup tier's Promoted VM (its working directory and SQLite catalog on
// the DRBD volume move with it), everything it schedules, and who may talk to it. Pure.
import type { BaculaBackupJob, BaculaClient, BaculaCopyJob, BaculaFileSet, BaculaPlan, BaculaPool } from "./bacula-plan";
import { type BaculaPaths, tlsFilesFor } from "./paths";
import { absolutePath, ipv4, line, name, password, quote, resource } from "./quote";
import { renderSchedule } from "./render-schedule";
import { tlsLines } from "./render-tls";
import type { BaculaSecrets } from "./secrets";
import { JOB_MESSAGES, DAEMON_MESSAGES, messagesResource } from "./render-messages";

/** Where the director dials its storage daemon: the same VM (one Pacemaker group), never the network. */
export const DIRECTOR_TO_STORAGE_ADDRESS = "127.0.0.1";

export const CATALOG_NAME = "IbacCatalog";
/** Backups first; copies and verifies wait for them (Bacula does not mix priorities by default). */
const BACKUP_PRIORITY = 10;
const COPY_PRIORITY = 20;

/** What the named console may run: the runbooks' and the admins' commands; no delete, sqlquery or setdebug. */
export const CONSOLE_COMMANDS = [
  "run", "restore", "list", "llist", "status", "show", "messages", "wait", "estimate", "cancel", "mount", "unmount",
  "label", "update", "prune", "purge", "truncate", "enable", "disable", "version", "time", "use", "help", "quit", "exit",
  ".jobs", ".clients", ".pools", ".storage", ".filesets", ".status", ".messages", ".defaults", ".help", ".api", ".bvfs_lsdirs", ".bvfs_lsfiles", ".bvfs_update", ".bvfs_get_jobids", ".bvfs_versions", ".bvfs_restore", ".bvfs_cleanup",
] as const;

function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`bacula: ${what}: expected a whole number of at least 1, found ${n}`);
  return n;
}

function hoursValue(h: number, what: string): string {
  if (!Number.isInteger(h) || h < 1) throw new Error(`bacula: ${what}: expected a whole number of hours of at least 1, found ${h}`);
  return `${h} hours`;
}

function days(d: number, what: string): string {
  if (!Number.isInteger(d) || d < 1) throw new Error(`bacula: ${what}: expected a whole number of days of at least 1, found ${d}`);
  return `${d} days`;
}

function directorResource(plan: BaculaPlan, secrets: BaculaSecrets, paths: BaculaPaths): string {
  const d = plan.director;
  return resource("Director", [
    line("Name", name(d.name, "director.name")),
    // The service address (bconsole and the runbooks reach it on either backup VM through it) only: Pacemaker
    // starts the director after the address, on the VM that holds it.
    `  DirAddresses = { ip = { addr = ${ipv4(d.address, "director.address")}; port = ${d.port} } }`,
    line("QueryFile", absolutePath(paths.queryFile, "paths.queryFile")),
    line("WorkingDirectory", absolutePath(d.workingDirectory, "director.workingDirectory")),
    line("PidDirectory", absolutePath(paths.pidDirectory, "paths.pidDirectory")),
    line("Maximum Concurrent Jobs", 10),
    line("Password", password(secrets.directorPassword, "secrets.directorPassword")),
    line("Messages", name(DAEMON_MESSAGES, "messages")),
    // The default console (the director's password) only from bconsole's certificate; it uses the named one.
    ...tlsLines({ files: tlsFilesFor(paths, "director"), server: { allowedCns: [plan.console.tlsName] } }, "director"),
  ], "The director: TLS only, with the internal CA; consoles need the console certificate.");
}

function catalogResource(plan: BaculaPlan): string {
  const file = plan.director.catalogFile;
  const expected = `${plan.director.workingDirectory}/`;
  // SQLite's catalog is <WorkingDirectory>/<dbname>.db: the plan's file must be that one.
  if (!file.startsWith(expected) || !file.endsWith(".db") || file.slice(expected.length, -3).includes("/")) {
    throw new Error(`bacula: director.catalogFile: expected <workingDirectory>/<name>.db (Bacula's SQLite catalog), found ${JSON.stringify(file)}`);
  }
  return resource("Catalog", [
    line("Name", name(CATALOG_NAME, "catalog.name")),
    line("dbname", name(file.slice(expected.length, -3), "catalog.dbname")),
    line("dbuser", quote("bacula", "catalog.dbuser")),
    line("dbpassword", quote("", "catalog.dbpassword")),
  ], `SQLite catalog: ${file} on the DRBD volume.`);
}

function storageResource(plan: BaculaPlan, secrets: BaculaSecrets, s: BaculaPlan["storages"][number]): string {
  // The director reaches the storage daemon on the loopback: both run in one Pacemaker group, always on the same
  // VM. The file daemons are told the service address (FD Storage Address), where the storage daemon's TLS holds.
  // No TLS on that loopback link: Bacula 9.6.7 never finishes a copy job with Director <-> Storage TLS
  // (tls_bsock_shutdown waits for a close_notify the director never sends; seen with gdb in the lab), and the
  // link never leaves the VM; the storage password still authenticates it.
  return resource("Storage", [
    line("Name", name(s.name, "storage.name")),
    line("Address", quote(DIRECTOR_TO_STORAGE_ADDRESS, `storage ${s.name}.address`)),
    line("FD Storage Address", quote(s.address, `storage ${s.name}.address`)),
    line("SDPort", plan.storageDaemon.port),
    line("Password", password(secrets.storagePassword, "secrets.storagePassword")),
    line("Device", name(s.device, `storage ${s.name}.device`)),
    line("Media Type", name(s.mediaType, `storage ${s.name}.mediaType`)),
    // One job at a time per device: a file device mounts one volume at a time, and every job here has its own
    // volume, so concurrent jobs on one device only wait on each other (queued copy jobs never finished in 9.6.7).
    line("Maximum Concurrent Jobs", 1),
  ], `The ${s.device} device: the director over the loopback, the file daemons at ${s.address} over TLS.`);
}

function clientResource(secrets: BaculaSecrets, paths: BaculaPaths, c: BaculaClient): string {
  const pw = secrets.clientPasswords[c.name];
  if (pw === undefined) throw new Error(`bacula: secrets.clientPasswords: expected a password for ${c.name}, found none`);
  return resource("Client", [
    line("Name", name(c.name, "client.name")),
    line("Address", quote(c.address, `client ${c.name}.address`)),
    line("FDPort", 9102),
    line("Catalog", name(CATALOG_NAME, "catalog")),
    line("Password", password(pw, `secrets.clientPasswords.${c.name}`)),
    // The catalog keeps file and job records as long as the longest pool this client writes to keeps volumes.
    line("File Retention", days(c.catalogRetentionDays, `client ${c.name}.catalogRetentionDays`)),
    line("Job Retention", days(c.catalogRetentionDays, `client ${c.name}.catalogRetentionDays`)),
    line("AutoPrune", "yes"),
    // The file daemon's certificate name, not its address: checked by name when the director dials it.
    ...tlsLines({ files: tlsFilesFor(paths, "director"), dialedCns: [c.tlsName] }, `client ${c.name}`),
  ], `${c.name}: ${c.tier} (${c.vms.join(", ")}), certificate ${c.tlsName}.`);
}

function fileSetResource(f: BaculaFileSet): string {
  const at = `fileSet ${f.name}`;
  const options = [
    `      signature = ${f.signature}`,
    // One file system: a mount below a saved directory is not silently included.
    "      onefs = yes",
    "      noatime = yes",
    "      aclsupport = yes",
    "      xattrsupport = yes",
    ...(f.compression ? [`      compression = ${f.compression}`] : []),
  ];
  const excludes = f.exclude.map((e) => {
    if (!e.startsWith("/")) throw new Error(`bacula: ${at}.exclude: expected an absolute pattern, found ${JSON.stringify(e)}`);
    return `      wild = ${quote(e, `${at}.exclude`)}`;
  });
  const lines = [
    line("Name", name(f.name, "fileSet.name")),
    "  Include {",
    // Bacula applies the first Options block whose pattern matches, and the last one to everything else.
    ...(excludes.length ? ["    Options {", ...excludes, "      exclude = yes", "    }"] : []),
    "    Options {",
    ...options,
    "    }",
    ...f.include.map((p) => `    File = ${absolutePath(p, `${at}.include`)}`),
    "  }",
  ];
  return resource("FileSet", lines);
}

function poolResource(p: BaculaPool): string {
  return resource("Pool", [
    line("Name", name(p.name, "pool.name")),
    line("Pool Type", "Backup"),
    line("Storage", name(p.storage, `pool ${p.name}.storage`)),
    ...(p.nextPool ? [line("Next Pool", name(p.nextPool, `pool ${p.name}.nextPool`))] : []),
    // One job per volume (unless the rotation says otherwise): a volume is recycled once its jobs have expired.
    line("Maximum Volume Jobs", positive(p.jobsPerVolume, `pool ${p.name}.jobsPerVolume`)),
    line("Label Format", quote(p.labelFormat, `pool ${p.name}.labelFormat`)),
    line("Volume Retention", hoursValue(p.retentionHours, `pool ${p.name}.retentionHours`)),
    line("Recycle", "yes"),
    line("AutoPrune", "yes"),
    line("Action On Purge", "Truncate"),
    line("Catalog Files", "yes"),
  ]);
}

const STANDARD_JOB = (plan: BaculaPlan): string[] => [line("Messages", name(JOB_MESSAGES, "messages")), line("Write Bootstrap", absolutePath(`${plan.director.workingDirectory}/%n.bsr`, "bootstrap"))];

function backupJobResource(plan: BaculaPlan, j: BaculaBackupJob): string {
  const at = `job ${j.name}`;
  return resource("Job", [
    line("Name", name(j.name, "job.name")),
    line("Type", "Backup"),
    line("Level", "Incremental"),
    line("Client", name(j.client, `${at}.client`)),
    line("FileSet", name(j.fileSet, `${at}.fileSet`)),
    line("Schedule", name(j.schedule, `${at}.schedule`)),
    line("Pool", name(j.pool, `${at}.pool`)),
    // A job upgraded to Full (no Full in the catalog) goes here; the Run lines' Full runs name FullPool= for it.
    line("Full Backup Pool", name(j.fullPool, `${at}.fullPool`)),
    line("Priority", BACKUP_PRIORITY),
    // Accurate: deleted files are recorded, so a restore gives the tree exactly as it was at that run.
    line("Accurate", "yes"),
    // A failed Full or Differential is run again at that level next time, so the chain the rotation relies on
    // (an hour's Incremental on the day's Differential) is not built on the day before's.
    line("Rerun Failed Levels", "yes"),
    line("Allow Duplicate Jobs", "no"),
    line("Cancel Lower Level Duplicates", "yes"),
    ...(j.clientRunBefore ? [line("ClientRunBeforeJob", absolutePath(j.clientRunBefore, `${at}.clientRunBefore`))] : []),
    ...(j.runBefore ? [line("RunBeforeJob", absolutePath(j.runBefore, `${at}.runBefore`))] : []),
    ...STANDARD_JOB(plan),
  ], j.purpose);
}

function copyJobResource(plan: BaculaPlan, c: BaculaCopyJob): string {
  const at = `copy job ${c.name}`;
  const pool = plan.pools.find((p) => p.name === c.pool);
  if (pool?.nextPool !== c.nextPool) throw new Error(`bacula: ${at}: expected pool ${c.pool} to name Next Pool ${c.nextPool}, found ${JSON.stringify(pool?.nextPool)}`);
  const anyJob = plan.backupJobs[0];
  return resource("Job", [
    line("Name", name(c.name, "copyJob.name")),
    line("Type", "Copy"),
    line("Level", "Full"),
    // Bacula wants a client and a file set in every job; a copy reads neither (it copies whole jobs).
    line("Client", name(anyJob.client, `${at}.client`)),
    line("FileSet", name(anyJob.fileSet, `${at}.fileSet`)),
    line("Pool", name(c.pool, `${at}.pool`)),
    // PoolUncopiedJobs copies one pool per job: hence one copy job per pool.
    line("Selection Type", "PoolUncopiedJobs"),
    line("Schedule", name(c.schedule, `${at}.schedule`)),
    line("Priority", COPY_PRIORITY),
    line("Messages", name(JOB_MESSAGES, "messages")),
  ], `Copies every job of ${c.pool} not yet copied to ${c.nextPool} on the NAS.`);
}

function templateJobs(plan: BaculaPlan, paths: BaculaPaths): string[] {
  const config = plan.backupJobs.find((j) => j.client === "backup-fd") ?? plan.backupJobs[0];
  const common = [line("Client", name(config.client, "template.client")), line("FileSet", name(config.fileSet, "template.fileSet")), line("Pool", name(config.pool, "template.pool")), line("Messages", name(JOB_MESSAGES, "messages"))];
  return [
    resource("Job", [line("Name", name(plan.verifyJob, "verifyJob")), line("Type", "Verify"), line("Level", "VolumeToCatalog"), ...common, line("Priority", COPY_PRIORITY)],
      "backup-verify: `run job=<this> jobid=N client=<its client> fileset=<its file set>` reads the job's volumes back against the catalog."),
    resource("Job", [line("Name", name(plan.restoreJob, "restoreJob")), line("Type", "Restore"), ...common, line("Where", absolutePath(paths.restoreDirectory, "paths.restoreDirectory")), line("Replace", "never")],
      "backup-restore: restores to a new place (never over live data); the runbook names client, where and the files."),
  ];
}

function consoleResource(plan: BaculaPlan, secrets: BaculaSecrets, paths: BaculaPaths): string {
  const list = (names: readonly string[], what: string): string => names.map((n) => name(n, what)).join(", ");
  const jobs = [...plan.backupJobs.map((j) => j.name), ...plan.copyJobs.map((j) => j.name), plan.verifyJob, plan.restoreJob];
  return resource("Console", [
    line("Name", name(plan.console.name, "console.name")),
    line("Password", password(secrets.consolePassword, "secrets.consolePassword")),
    line("JobACL", list(jobs, "console.jobs")),
    line("ClientACL", list(plan.clients.map((c) => c.name), "console.clients")),
    line("StorageACL", list(plan.storages.map((s) => s.name), "console.storages")),
    line("ScheduleACL", list(plan.schedules.map((s) => s.name), "console.schedules")),
    line("PoolACL", list(plan.pools.map((p) => p.name), "console.pools")),
    line("FileSetACL", list(plan.fileSets.map((f) => f.name), "console.fileSets")),
    line("CatalogACL", name(CATALOG_NAME, "catalog")),
    line("CommandACL", CONSOLE_COMMANDS.map((c) => quote(c, "console.command")).join(", ")),
    // Restores go to the place the runbook names (--to DIR); Replace = never keeps them off existing files.
    line("WhereACL", quote("*all*", "console.where")),
    ...tlsLines({ files: tlsFilesFor(paths, "director"), server: { allowedCns: [plan.console.tlsName] } }, "console"),
  ], "The runbooks' and the admins' console: only the toolkit's resources, no delete or sqlquery.");
}

/** bacula-dir.conf. */
export function renderDirectorConf(plan: BaculaPlan, secrets: BaculaSecrets, paths: BaculaPaths): string {
  return [
    `# Rendered by the iBac toolkit for the backup tier (${plan.director.vms.join(", ")}); do not edit: the next deployment overwrites it.\n# Schedules are evaluated in UTC (the director runs with TZ=UTC).\n`,
    directorResource(plan, secrets, paths),
    consoleResource(plan, secrets, paths),
    catalogResource(plan),
    messagesResource(JOB_MESSAGES, { catalog: true }),
    messagesResource(DAEMON_MESSAGES, { catalog: false }),
    ...plan.storages.map((s) => storageResource(plan, secrets, s)),
    ...plan.clients.map((c) => clientResource(secrets, paths, c)),
    ...plan.fileSets.map(fileSetResource),
    ...plan.pools.map(poolResource),
    ...plan.schedules.map(renderSchedule),
    ...plan.backupJobs.map((j) => backupJobResource(plan, j)),
    ...plan.copyJobs.map((c) => copyJobResource(plan, c)),
    ...templateJobs(plan, paths),
  ].join("\n");
}
