import type { LabClient, LabLayout, TlsFiles } from "./layout";
import { LAB_ADDRESS } from "./layout";

// Minimal hand-written Bacula 9.6 configs with the directives the toolkit's renderers use: TLS between all
// daemons and bconsole (a throwaway CA, peers checked by CN), PKI signatures + encryption on every file daemon
// with a per-client keypair and the master key's certificate, a second Storage/Device standing for the NAS, and
// `Type = Copy` jobs with `Next Pool` and `Selection Type = PoolUncopiedJobs` (one per pool: 9.6 copies one pool
// per job). No schedules: the tests start every job themselves.

/** Job, pool and file set names the tests drive. */
export const LAB_NAMES = {
  photosJob: "photos",
  photosFileSet: "photos",
  photosPool: "Photos",
  photosNasPool: "Photos-NAS",
  photosCopyJob: "copy-photos",
  databaseJob: "db-1",
  databaseFileSet: "database-db-1",
  databasePool: "Database",
  databaseNasPool: "Database-NAS",
  databaseCopyJob: "copy-database",
  restoreJob: "restore",
  photosClient: "s3-fd",
  databaseClient: "db-1-fd",
  /** A fresh file daemon holding only the master keypair. */
  masterClient: "master-fd",
  /** A file daemon holding an unrelated keypair. */
  wrongClient: "wrong-fd",
} as const;

const q = (s: string): string => {
  if (/["\\\n]/.test(s)) throw new Error(`not allowed in a Bacula string: ${JSON.stringify(s)}`);
  return `"${s}"`;
};

/** TLS directives of a daemon resource; `allowedCn` only where this side checks the connecting peer. */
function tls(files: TlsFiles, allowedCn: readonly string[] = []): string[] {
  return [
    "  TLS Enable = yes",
    "  TLS Require = yes",
    `  TLS CA Certificate File = ${q(files.ca)}`,
    `  TLS Certificate = ${q(files.cert)}`,
    `  TLS Key = ${q(files.key)}`,
    ...(allowedCn.length ? ["  TLS Verify Peer = yes", ...allowedCn.map((cn) => `  TLS Allowed CN = ${q(cn)}`)] : []),
  ];
}

export function handDirectorConf(l: LabLayout): string {
  const d = l.director;
  const pool = (name: string, storage: string, label: string, nextPool?: string): string[] => [
    "Pool {",
    `  Name = ${q(name)}`,
    "  Pool Type = Backup",
    `  Storage = ${q(storage)}`,
    `  Label Format = ${q(label)}`,
    "  Maximum Volume Jobs = 1",
    "  Volume Retention = 200 days",
    "  AutoPrune = yes",
    "  Recycle = yes",
    ...(nextPool ? [`  Next Pool = ${q(nextPool)}`] : []),
    "}",
  ];
  const storage = (s: { storage: string; device: string; mediaType: string }): string[] => [
    "Storage {",
    `  Name = ${q(s.storage)}`,
    `  Address = ${LAB_ADDRESS}`,
    `  SD Port = ${l.storage.port}`,
    `  Password = ${q(l.storage.password)}`,
    `  Device = ${q(s.device)}`,
    `  Media Type = ${q(s.mediaType)}`,
    "  Maximum Concurrent Jobs = 10",
    ...(l.directorStorageTls ? tls(d.tls) : []),
    "}",
  ];
  const client = (c: LabClient): string[] => [
    "Client {",
    `  Name = ${q(c.name)}`,
    `  Address = ${LAB_ADDRESS}`,
    `  FD Port = ${c.port}`,
    `  Password = ${q(c.password)}`,
    "  Catalog = Catalog",
    "  File Retention = 200 days",
    "  Job Retention = 200 days",
    "  AutoPrune = yes",
    ...tls(d.tls),
    "}",
  ];
  const fileSet = (name: string, dir: string): string[] => [
    "FileSet {",
    `  Name = ${q(name)}`,
    "  Include {",
    "    Options {",
    "      Signature = SHA256",
    "    }",
    `    File = ${q(dir)}`,
    "  }",
    "}",
  ];
  const backupJob = (name: string, client: string, set: string, pool: string): string[] => [
    "Job {",
    `  Name = ${q(name)}`,
    "  Type = Backup",
    "  Level = Full",
    `  Client = ${q(client)}`,
    `  FileSet = ${q(set)}`,
    `  Pool = ${q(pool)}`,
    "  Messages = Standard",
    // Accurate: the file daemon reports deletions, so a restore to a point in time leaves out deleted files.
    "  Accurate = yes",
    "  Priority = 10",
    "}",
  ];
  const copyJob = (name: string, pool: string): string[] => [
    "Job {",
    `  Name = ${q(name)}`,
    "  Type = Copy",
    "  Selection Type = PoolUncopiedJobs",
    `  Pool = ${q(pool)}`,
    `  Client = ${q(LAB_NAMES.photosClient)}`,
    `  FileSet = ${q(LAB_NAMES.photosFileSet)}`,
    "  Messages = Standard",
    "  Priority = 10",
    "}",
  ];
  return [
    "Director {",
    `  Name = ${q(d.name)}`,
    `  DIR Address = ${LAB_ADDRESS}`,
    `  DIR Port = ${d.port}`,
    `  Password = ${q(d.password)}`,
    `  Working Directory = ${q(d.dir)}`,
    `  Pid Directory = ${q(d.dir)}`,
    "  Query File = \"/etc/bacula/scripts/query.sql\"",
    "  Maximum Concurrent Jobs = 10",
    "  Messages = Daemon",
    ...tls(d.tls, [l.console.tls.commonName]),
    "}",
    "Catalog {",
    "  Name = Catalog",
    "  DB Name = bacula",
    "  DB User = \"\"",
    "  DB Password = \"\"",
    "}",
    "Messages {",
    "  Name = Standard",
    "  Console = all, !skipped, !saved",
    `  Append = ${q(d.log)} = all, !skipped`,
    "  Catalog = all, !skipped, !saved",
    "}",
    "Messages {",
    "  Name = Daemon",
    "  Console = all, !skipped, !saved",
    `  Append = ${q(d.log)} = all, !skipped`,
    "}",
    ...storage(l.devices.local),
    ...storage(l.devices.nas),
    ...l.clients.flatMap(client),
    ...fileSet(LAB_NAMES.photosFileSet, l.photosDir),
    ...fileSet(LAB_NAMES.databaseFileSet, l.databaseBackupDir),
    ...pool(LAB_NAMES.photosPool, l.devices.local.storage, "Photos-", LAB_NAMES.photosNasPool),
    ...pool(LAB_NAMES.photosNasPool, l.devices.nas.storage, "PhotosNAS-"),
    ...pool(LAB_NAMES.databasePool, l.devices.local.storage, "Database-", LAB_NAMES.databaseNasPool),
    ...pool(LAB_NAMES.databaseNasPool, l.devices.nas.storage, "DatabaseNAS-"),
    ...backupJob(LAB_NAMES.photosJob, LAB_NAMES.photosClient, LAB_NAMES.photosFileSet, LAB_NAMES.photosPool),
    ...backupJob(LAB_NAMES.databaseJob, LAB_NAMES.databaseClient, LAB_NAMES.databaseFileSet, LAB_NAMES.databasePool),
    ...copyJob(LAB_NAMES.photosCopyJob, LAB_NAMES.photosPool),
    ...copyJob(LAB_NAMES.databaseCopyJob, LAB_NAMES.databasePool),
    "Job {",
    `  Name = ${q(LAB_NAMES.restoreJob)}`,
    "  Type = Restore",
    `  Client = ${q(LAB_NAMES.photosClient)}`,
    `  FileSet = ${q(LAB_NAMES.photosFileSet)}`,
    `  Pool = ${q(LAB_NAMES.photosPool)}`,
    "  Messages = Standard",
    `  Where = ${q(l.restoreRoot)}`,
    "}",
    "",
  ].join("\n");
}

export function handStorageConf(l: LabLayout): string {
  const s = l.storage;
  const device = (x: { device: string; mediaType: string; dir: string }): string[] => [
    "Device {",
    `  Name = ${q(x.device)}`,
    `  Media Type = ${q(x.mediaType)}`,
    `  Archive Device = ${q(x.dir)}`,
    "  Label Media = yes",
    "  Random Access = yes",
    "  Automatic Mount = yes",
    "  Removable Media = no",
    "  Always Open = no",
    "  Maximum Concurrent Jobs = 5",
    "}",
  ];
  return [
    "Storage {",
    `  Name = ${q(s.name)}`,
    `  SD Address = ${LAB_ADDRESS}`,
    `  SD Port = ${s.port}`,
    `  Working Directory = ${q(s.dir)}`,
    `  Pid Directory = ${q(s.dir)}`,
    "  Maximum Concurrent Jobs = 10",
    // Incoming file daemons: the lab's clients; and the storage daemon itself, because in a copy job the
    // reading side connects to the writing side as a file daemon would (without it: "Peer certificate did not
    // match a required commonName", "*** Copying Error ***").
    ...tls(s.tls, [...l.clients.map((c) => c.tls.commonName), s.tls.commonName]),
    "}",
    "Director {",
    `  Name = ${q(l.director.name)}`,
    `  Password = ${q(s.password)}`,
    ...(l.directorStorageTls ? tls(s.tls, [l.director.tls.commonName]) : []),
    "}",
    ...device(l.devices.local),
    ...device(l.devices.nas),
    "Messages {",
    "  Name = Standard",
    `  Director = ${q(l.director.name)} = all`,
    "}",
    "",
  ].join("\n");
}

export function handFileDaemonConf(l: LabLayout, c: LabClient): string {
  return [
    "FileDaemon {",
    `  Name = ${q(c.name)}`,
    `  FD Address = ${LAB_ADDRESS}`,
    `  FD Port = ${c.port}`,
    `  Working Directory = ${q(c.dir)}`,
    `  Pid Directory = ${q(c.dir)}`,
    "  Maximum Concurrent Jobs = 5",
    "  PKI Signatures = yes",
    "  PKI Encryption = yes",
    `  PKI Keypair = ${q(c.pkiKeypair)}`,
    ...(c.pkiMasterKey ? [`  PKI Master Key = ${q(c.pkiMasterKey)}`] : []),
    // Outgoing to the storage daemon.
    ...tls(c.tls),
    "}",
    "Director {",
    `  Name = ${q(l.director.name)}`,
    `  Password = ${q(c.password)}`,
    ...tls(c.tls, [l.director.tls.commonName]),
    "}",
    "Messages {",
    "  Name = Standard",
    `  Director = ${q(l.director.name)} = all, !skipped, !restored`,
    "}",
    "",
  ].join("\n");
}

export function handBconsoleConf(l: LabLayout): string {
  return [
    "Director {",
    `  Name = ${q(l.director.name)}`,
    `  Address = ${LAB_ADDRESS}`,
    `  DIR Port = ${l.director.port}`,
    `  Password = ${q(l.director.password)}`,
    ...tls(l.console.tls),
    "}",
    "",
  ].join("\n");
}
