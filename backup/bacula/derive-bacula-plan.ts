// The Bacula plan of a stack: who is backed up, what, when, into which pool, and the copy of every pool to the
// NAS. Pure; names and addresses are decided here once (bacula-plan.ts says what each field is for).
import type { PlatformSpec } from "../../components/spec/schema";
import type { PlatformModel, VmPlan } from "../../components/model/types";
import { hostAddress, parseCidr } from "../../components/model/addresses";
import { PRODUCTION_DATABASE_PATHS } from "../../components/database/paths";
import { FRS_DATA_DIR } from "../../components/app-service/service-plan";
import type { BaculaLevel, RotationPlan, ScheduleRun } from "../rotation/types";
import type { BaculaBackupJob, BaculaClient, BaculaCopyJob, BaculaFileSet, BaculaPlan, BaculaPool } from "./bacula-plan";
import { PRODUCTION_BACULA_PATHS, type BaculaPaths } from "./paths";
import { isBaculaName } from "./quote";

/** The backup tier's service address until its tier entry declares one (the DRBD work adds `backup`, host 13). */
export const BACKUP_VIRTUAL_HOST = 13;

/** Storage names: the file volumes on the DRBD volume, and their copies on the NAS. */
export const DRBD_STORAGE = "Drbd";
export const NAS_STORAGE = "Nas";
/** The NAS copy pool of a pool. */
export const nasPool = (pool: string): string => `Nas-${pool}`;

/** The database, FRS and configuration jobs' pools (the photos have the rotation's). */
export const CYCLE_POOLS: Readonly<Record<BaculaLevel, string>> = { Full: "Cycle-Full", Differential: "Cycle-Diff", Incremental: "Cycle-Inc" };
/** Every day at this minute past the hour: 20 minutes after the database's own incremental (at :30). */
const CYCLE_MINUTE = 50;
/** The configuration job, once a day (its files change with deployments, not by the hour). */
const CONFIG_HOUR = 2;
const CONFIG_MINUTE = 10;
/** Copies start after the hour's backups (lower priority: Bacula runs them once the backups are done). */
const COPY_MINUTE = 55;

const ALL = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const SUNDAY = [0];
const MONDAY_TO_SATURDAY = [1, 2, 3, 4, 5, 6];

function run(level: BaculaLevel, pool: string, hour: readonly number[], minute: number, dayOfWeek: readonly number[] = ALL(7)): ScheduleRun {
  return { level, pool, hour, minute, day: ALL(31), month: ALL(12), dayOfWeek, weekOfMonth: ALL(6), weekOfYear: ALL(54) };
}

function serviceAddress(vm: VmPlan): string {
  const nic = vm.nics.find((n) => n.network === "service");
  if (!nic) throw new Error(`bacula plan: ${vm.name}: expected a service network address, found none`);
  return nic.address;
}

const hours = (days: number): number => days * 24;

/**
 * The database/FRS cycle: a full on Sundays and a differential on the other days at 00:50 (after the database's
 * prune at 00:45), and an incremental at :50 of every other hour the database's own incremental runs.
 */
function cycleRuns(spec: PlatformSpec): ScheduleRun[] {
  const every = spec.backupPolicy.database.incrementalEveryHours;
  const incrementalHours = ALL(24).filter((h) => h % every === 0 && h !== 0);
  return [
    run("Full", CYCLE_POOLS.Full, [0], CYCLE_MINUTE, SUNDAY),
    run("Differential", CYCLE_POOLS.Differential, [0], CYCLE_MINUTE, MONDAY_TO_SATURDAY),
    ...(incrementalHours.length ? [run("Incremental", CYCLE_POOLS.Incremental, incrementalHours, CYCLE_MINUTE)] : []),
  ];
}

function checkName(value: string, what: string): string {
  if (!isBaculaName(value)) throw new Error(`bacula plan: ${what}: expected a Bacula name (letters, digits, '.', '_', '-'), found ${JSON.stringify(value)}`);
  return value;
}

/** The Bacula plan of a stack. */
export function deriveBaculaPlan(spec: PlatformSpec, model: PlatformModel, rotation: RotationPlan, paths: BaculaPaths = PRODUCTION_BACULA_PATHS): BaculaPlan {
  const domain = model.site.domain;
  const tierVms = (tier: VmPlan["tier"]): VmPlan[] => model.vms.filter((vm) => vm.tier === tier);
  // Assumption until components/backup/tier.ts declares the `backup` virtual address: the service network's host 13.
  const backupAddress = model.virtualIps.backup ?? hostAddress(parseCidr(spec.networks.service.cidr), BACKUP_VIRTUAL_HOST);
  const objectStoreAddress = model.virtualIps.objectStore;
  if (!objectStoreAddress) throw new Error("bacula plan: expected the objectStore virtual address in the model, found none");
  const backupVms = tierVms("backup").map((vm) => vm.name);
  const retentionDays = spec.backupPolicy.database.retentionDays;

  // Pools: a restore to any moment of the last `retentionDays` needs its full (up to a week older), its
  // differential (up to a day older) and the incrementals since; one day more covers a job still running.
  const cyclePools: { name: string; retentionHours: number }[] = [
    { name: CYCLE_POOLS.Full, retentionHours: hours(retentionDays + 8) },
    { name: CYCLE_POOLS.Differential, retentionHours: hours(retentionDays + 2) },
    { name: CYCLE_POOLS.Incremental, retentionHours: hours(retentionDays + 1) },
  ];
  const sourcePools = [...rotation.pools.map((p) => ({ name: checkName(p.name, "rotation pool"), retentionHours: p.retentionHours, jobsPerVolume: p.jobsPerVolume ?? 1 })), ...cyclePools.map((p) => ({ ...p, jobsPerVolume: 1 }))];
  const pools: BaculaPool[] = sourcePools.flatMap((p) => [
    { name: p.name, storage: DRBD_STORAGE, retentionHours: p.retentionHours, jobsPerVolume: p.jobsPerVolume, nextPool: nasPool(p.name), labelFormat: `${p.name}-` },
    // A copy lands one job per volume whatever its source does: each copy is written on its own.
    // The copies keep their pool's volume sharing, so a day's hourly Incrementals expire together on the NAS too.
    { name: nasPool(p.name), storage: NAS_STORAGE, retentionHours: p.retentionHours, jobsPerVolume: p.jobsPerVolume, labelFormat: `${nasPool(p.name)}-` },
  ]);
  const longest = (poolNames: readonly string[]): number => Math.ceil(Math.max(...pools.filter((p) => poolNames.includes(p.name)).map((p) => p.retentionHours)) / 24);
  const cycleAndCopies = cyclePools.flatMap((p) => [p.name, nasPool(p.name)]);
  const rotationAndCopies = rotation.pools.flatMap((p) => [p.name, nasPool(p.name)]);

  const fd = (vmName: string): string => checkName(`${vmName}-fd`, "client name");
  const clients: BaculaClient[] = [
    ...tierVms("database").map((vm): BaculaClient => ({ name: fd(vm.name), address: serviceAddress(vm), vms: [vm.name], tier: "database", tlsName: `${vm.name}-fd.${domain}`, catalogRetentionDays: longest(cycleAndCopies) })),
    { name: "s3-fd", address: objectStoreAddress, vms: tierVms("objectStore").map((vm) => vm.name), tier: "objectStore", tlsName: `s3-fd.${domain}`, catalogRetentionDays: longest(rotationAndCopies) },
    ...tierVms("frs").map((vm): BaculaClient => ({ name: fd(vm.name), address: serviceAddress(vm), vms: [vm.name], tier: "frs", tlsName: `${vm.name}-fd.${domain}`, catalogRetentionDays: longest(cycleAndCopies) })),
    { name: "backup-fd", address: backupAddress, vms: backupVms, tier: "backup", tlsName: `backup-fd.${domain}`, catalogRetentionDays: longest(cycleAndCopies) },
  ];

  const photosBucket = spec.objectStore.buckets.find((b) => b.purpose === "photos");
  if (!photosBucket) throw new Error("bacula plan: objectStore.buckets: expected a bucket for photos, found none");
  const fileSets: BaculaFileSet[] = [
    { name: "Photos", include: [`${paths.photoExportDirectory}/${photosBucket.name}`], exclude: [], signature: "SHA256" },
    { name: "Database", include: [PRODUCTION_DATABASE_PATHS.backupDir], exclude: [`${PRODUCTION_DATABASE_PATHS.backupDir}/*/*.partial`, `${PRODUCTION_DATABASE_PATHS.backupDir}/*/.lock`], signature: "SHA256", compression: "LZO" },
    { name: "Frs", include: [FRS_DATA_DIR], exclude: [], signature: "SHA256", compression: "LZO" },
    { name: "Config", include: [paths.configDir, paths.ibacConfigDir, paths.catalogDumpFile], exclude: [], signature: "SHA256", compression: "GZIP6" },
  ];

  const upgrade = rotation.pools.find((p) => p.name === rotation.upgradePool);
  if (!upgrade) throw new Error(`bacula plan: rotation ${rotation.scheduleName}: expected its upgradePool ${JSON.stringify(rotation.upgradePool)} among its pools, found ${rotation.pools.map((p) => p.name).join(", ") || "none"}`);
  const backupJobs: BaculaBackupJob[] = [
    { name: "Backup-Photos", client: "s3-fd", fileSet: "Photos", schedule: checkName(rotation.scheduleName, "rotation schedule"), pool: upgrade.name, fullPool: upgrade.name, clientRunBefore: paths.photoExportCommand, purpose: `the photos (bucket ${photosBucket.name}), exported from MinIO on the object store's promoted VM` },
    ...clients.filter((c) => c.tier === "database").map((c): BaculaBackupJob => ({ name: `Backup-${c.vms[0]}`, client: c.name, fileSet: "Database", schedule: "Cycle-Hourly", pool: CYCLE_POOLS.Full, fullPool: CYCLE_POOLS.Full, purpose: `${c.vms[0]}'s database backups (${PRODUCTION_DATABASE_PATHS.backupDir})` })),
    ...clients.filter((c) => c.tier === "frs").map((c): BaculaBackupJob => ({ name: `Backup-${c.vms[0]}`, client: c.name, fileSet: "Frs", schedule: "Cycle-Hourly", pool: CYCLE_POOLS.Full, fullPool: CYCLE_POOLS.Full, purpose: `${c.vms[0]}'s local FRS data (${FRS_DATA_DIR}, kept ${spec.frs.localRetentionDays} days before the archive)` })),
    { name: "Backup-Config", client: "backup-fd", fileSet: "Config", schedule: "Config-Daily", pool: CYCLE_POOLS.Full, fullPool: CYCLE_POOLS.Full, runBefore: paths.catalogDumpCommand, purpose: "the toolkit's own configuration and a dump of the catalog" },
  ];
  const copyJobs: BaculaCopyJob[] = sourcePools.map((p) => ({ name: `Copy-${p.name}`, pool: p.name, nextPool: nasPool(p.name), schedule: `Copy-${p.name}` }));
  const schedules = [
    { name: rotation.scheduleName, runs: rotation.runs },
    { name: "Cycle-Hourly", runs: cycleRuns(spec) },
    { name: "Config-Daily", runs: [run("Full", CYCLE_POOLS.Full, [CONFIG_HOUR], CONFIG_MINUTE, SUNDAY), run("Differential", CYCLE_POOLS.Differential, [CONFIG_HOUR], CONFIG_MINUTE, MONDAY_TO_SATURDAY)] },
    // One schedule per copy job: the Run line's Pool is the pool it copies from (a shared schedule would name one pool for all).
    ...copyJobs.map((c) => ({ name: c.schedule, runs: [run("Full", c.pool, ALL(24), COPY_MINUTE)] })),
  ];

  return {
    director: { name: "ibac-dir", address: backupAddress, port: 9101, tlsName: `bacula-dir.${domain}`, workingDirectory: paths.directorWorkingDirectory, catalogFile: `${paths.directorWorkingDirectory}/bacula.db`, vms: backupVms },
    console: { name: "ibac-console", tlsName: `bacula-console.${domain}` },
    storageDaemon: { name: "ibac-sd", address: backupAddress, port: 9103, tlsName: `bacula-sd.${domain}`, workingDirectory: paths.storageWorkingDirectory },
    devices: [
      { name: "DrbdVolumes", archiveDirectory: paths.volumeDirectory, mediaType: "DrbdFile" },
      { name: "NasVolumes", archiveDirectory: paths.nasMountPoint, mediaType: "NasFile", mount: { point: paths.nasMountPoint, mountCommand: paths.nasMountCommand, unmountCommand: paths.nasUnmountCommand } },
    ],
    storages: [
      { name: DRBD_STORAGE, device: "DrbdVolumes", mediaType: "DrbdFile", address: backupAddress },
      { name: NAS_STORAGE, device: "NasVolumes", mediaType: "NasFile", address: backupAddress },
    ],
    clients,
    fileSets,
    pools,
    rotation,
    schedules,
    backupJobs,
    copyJobs,
    verifyJob: "Verify-Last",
    restoreJob: "Restore-Files",
    masterCertificatePath: paths.pkiMasterCertificate,
  };
}
