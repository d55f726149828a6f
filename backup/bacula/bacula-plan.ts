// What the Bacula renderers, the backup component, the policies and the runbooks read: one pure plan derived
// from the spec, the model and the rotation (derive-bacula-plan.ts). Names and addresses are decided here once.
import type { RotationPlan } from "../rotation/types";

/** A Bacula resource name: letters, digits, hyphens, dots and underscores (`db-1-fd`, `Photos-H03`). */
export type BaculaName = string;

/** A file daemon: one per backup client VM, or one for a service that moves (the object store's Promoted side). */
export interface BaculaClient {
  /** `db-1-fd`; for the object store `s3-fd` (both VMs run it under one name behind the service address). */
  name: BaculaName;
  /** The address the director connects to (the VM's service address, or the object store's virtual address). */
  address: string;
  /** The VMs that run this file daemon (two for the object store's). */
  vms: readonly string[];
  /** The tier the client belongs to. */
  tier: "database" | "objectStore" | "frs" | "backup";
  /** The certificate name its TLS certificate carries and the director checks (`TLS Allowed CN`). */
  tlsName: string;
  /** File retention and job retention in the catalog, in days (covering the longest pool it writes to). */
  catalogRetentionDays: number;
}

/** What a job saves. Paths absolute, validated; `exclude` is matched with wild cards by Bacula. */
export interface BaculaFileSet {
  name: BaculaName;
  include: readonly string[];
  exclude: readonly string[];
  /** Signature kept per file (verify jobs compare it): SHA256. */
  signature: "SHA256";
  /** Compression before encryption; absent: none (photos are JPEG already). */
  compression?: "LZO" | "GZIP6";
}

/** A backup job: a client, a file set, the rotation or a plain schedule, the pools. */
export interface BaculaBackupJob {
  name: BaculaName;
  client: BaculaName;
  fileSet: BaculaName;
  /** The schedule's name (the photos' Hanoi rotation, or the database/config schedule). */
  schedule: BaculaName;
  /** The pool when the schedule names none (Bacula needs one); the Run lines override it. */
  pool: BaculaName;
  /**
   * `Full Backup Pool`: where a job Bacula upgrades to Full (no Full in the catalog) is written; the rotation's
   * upgradePool (the longest-kept), so that Full outlives every job based on it.
   */
  fullPool: BaculaName;
  /** A command the client runs first (the photos' export from MinIO), absolute path, no arguments from the spec. */
  clientRunBefore?: string;
  /** A command the director runs first on its own VM (the config job's catalog dump), absolute path. */
  runBefore?: string;
  /** What the job is for, one line (a comment in the file, a row in the report). */
  purpose: string;
}

/** A `Type = Copy` job: copies every not-yet-copied job of `pool` to the pool's `nextPool` on the NAS. */
export interface BaculaCopyJob {
  name: BaculaName;
  pool: BaculaName;
  nextPool: BaculaName;
  schedule: BaculaName;
}

/** A Bacula pool (the rotation's, the other jobs', and each one's NAS copy pool). */
export interface BaculaPool {
  name: BaculaName;
  storage: BaculaName;
  retentionHours: number;
  /** `Maximum Volume Jobs`: 1 (one job per volume) unless the rotation's pool says otherwise. */
  jobsPerVolume: number;
  /** The pool its jobs are copied to (on the NAS storage); absent on the NAS pools themselves. */
  nextPool?: BaculaName;
  /** `Label Format`: volumes are labelled automatically, one job per volume. */
  labelFormat: string;
}

/** A storage daemon device: a directory of file volumes. */
export interface BaculaDevice {
  name: BaculaName;
  /** Where the volumes are written: on the DRBD volume, or the NAS mount. */
  archiveDirectory: string;
  mediaType: string;
  /** For the NAS: the storage daemon mounts it when it needs it (sshfs, host key pinned). */
  mount?: { point: string; mountCommand: string; unmountCommand: string };
}

/** The director's Storage resources (one per device) and the storage daemon that serves them. */
export interface BaculaStorage {
  name: BaculaName;
  device: BaculaName;
  mediaType: string;
  /** The storage daemon's address as the file daemons reach it: the backup tier's virtual address. */
  address: string;
}

export interface BaculaPlan {
  director: {
    name: BaculaName;
    /** Where the director listens: the backup tier's virtual address (and the loopback for bconsole). */
    address: string;
    port: 9101;
    tlsName: string;
    /** On the DRBD volume, so the catalog and the state move with the director. */
    workingDirectory: string;
    /** SQLite catalog file on the DRBD volume. */
    catalogFile: string;
    /** The backup VMs: the director and the storage daemon run on the one Pacemaker promotes. */
    vms: readonly string[];
  };
  /** The named console bconsole uses (on the backup VMs: the runbooks and the admins), limited by its ACL. */
  console: { name: BaculaName; tlsName: string };
  storageDaemon: { name: BaculaName; address: string; port: 9103; tlsName: string; workingDirectory: string };
  devices: readonly BaculaDevice[];
  storages: readonly BaculaStorage[];
  clients: readonly BaculaClient[];
  fileSets: readonly BaculaFileSet[];
  pools: readonly BaculaPool[];
  /** The photos' rotation (Hanoi) and the other schedules, as `RotationPlan`s or plain run lists. */
  rotation: RotationPlan;
  schedules: readonly { name: BaculaName; runs: RotationPlan["runs"] }[];
  backupJobs: readonly BaculaBackupJob[];
  copyJobs: readonly BaculaCopyJob[];
  /** The templates the runbooks run: backup-verify (VolumeToCatalog) and backup-restore (to a new place). */
  verifyJob: BaculaName;
  restoreJob: BaculaName;
  /** Where each daemon reads the master key's certificate (public half only; its key never enters the cluster). */
  masterCertificatePath: string;
}
