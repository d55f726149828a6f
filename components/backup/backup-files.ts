import * as pulumi from "@pulumi/pulumi";
import type { BaculaName, BaculaPlan } from "../../backup/bacula/bacula-plan";
import { baculaFilesFor, baculaVmRoles, type BaculaSecrets } from "../../backup/bacula/render-files";
import { tlsFilesFor, type BaculaPaths, type BaculaTlsRole } from "../../backup/bacula/paths";
import type { RenderedFile } from "../vm/rendered-file";
import { withDeployedDigest } from "../vm/deployed-digest";
import type { IssuedCertificate } from "../pki/internal-ca";
import type { ObjectServicePlan } from "../storage/storage-plan";
import { BACKUP_COMPONENT_PATHS, DIRECTOR_UNIT, FILE_DAEMON_UNIT, STORAGE_UNIT } from "./paths";
import { renderNasKnownHosts, renderNasMountScript, renderNasUnmountScript, type OffsiteSpec } from "./render-nas-scripts";
import { renderPhotoExportScript } from "./render-photo-export";
import { renderCatalogDumpScript, renderCatalogInitScript, renderDirectorDropIn, renderStorageDropIn, type BackupVolumeLayout } from "./render-backup-units";
import { renderBackupPackagesScript, renderClientPackagesScript } from "./render-backup-packages";

// Which files each VM gets from the backup tier, with the owner and mode its daemon needs from the first install.
// The director and the storage daemon run as bacula (Debian's units), the file daemon as root, sshfs (called by
// the storage daemon) as bacula. Every file that holds a password or a key is a Pulumi secret.

/** Everything the files are made of: the plan, the passwords, the certificates and keys, the spec's public parts. */
export interface BackupFileInputs {
  plan: BaculaPlan;
  paths: BaculaPaths;
  /** The daemons' passwords (one secret Output; the renderers run inside it). */
  secrets: pulumi.Output<BaculaSecrets>;
  caPem: pulumi.Input<string>;
  /** The TLS certificate of the director, the storage daemon and the console (backup VMs) ... */
  daemonCertificates: Readonly<Record<Exclude<BaculaTlsRole, "fileDaemon">, IssuedCertificate>>;
  /** ... and of each file daemon, by client name (the object store's one, on both storage VMs). */
  clientCertificates: Readonly<Record<BaculaName, IssuedCertificate>>;
  /** Each client's PKI keypair: its certificate then its private key, one PEM (a secret). */
  pkiKeypairs: Readonly<Record<BaculaName, pulumi.Input<string>>>;
  /** spec.backupPolicy.encryption.masterCertificate (public). */
  masterCertificate: string;
  offsite: OffsiteSpec;
  /** The NAS account's private key (OpenSSH format, a secret). */
  nasPrivateKey: pulumi.Input<string>;
  /** The photos' export on the object store's VMs: its plan and the owner-only mc configuration (a secret). */
  photoExport?: { service: ObjectServicePlan; bucket: string; mcConfig: pulumi.Input<string>; caPem: pulumi.Input<string> };
  /**
   * A backup VM's whole list: its cluster's files (DRBD, corosync, Pacemaker: backupClusterFiles) around the
   * Bacula files given, which go after the cluster's packages script and under its digest.
   */
  clusterFiles: (vm: string, serviceFiles: RenderedFile[]) => RenderedFile[];
}

const world = { mode: "0644", owner: "root:root" } as const;
const rootOnly = { mode: "0600", owner: "root:root" } as const;
const baculaReadable = { mode: "0640", owner: "root:bacula" } as const;
const executable = { mode: "0755", owner: "root:root" } as const;

/** The backup volume's directories and catalog, from the paths table and the plan. */
export function volumeLayout(plan: BaculaPlan, paths: BaculaPaths): BackupVolumeLayout {
  const dumpDir = paths.catalogDumpFile.slice(0, paths.catalogDumpFile.lastIndexOf("/"));
  return {
    volume: paths.backupVolume,
    directories: [...new Set([plan.director.workingDirectory, plan.storageDaemon.workingDirectory, paths.volumeDirectory, dumpDir])],
    catalogFile: plan.director.catalogFile,
  };
}

/** A Bacula configuration file of `vm`, its content rendered inside the passwords' Output. */
function baculaConf(input: BackupFileInputs, vm: string, path: string, afterChange?: string): RenderedFile {
  const content = input.secrets.apply((secrets) => {
    const file = baculaFilesFor(input.plan, vm, secrets, input.paths).find((f) => f.path === path);
    if (!file) throw new Error(`backup files of ${vm}: the Bacula renderers give no ${path}`);
    return file.content;
  });
  return { path, content: pulumi.secret(content), ...baculaReadable, ...(afterChange ? { afterChange } : {}) };
}

/** A daemon's certificate and key: the key root-only for the file daemon (root), bacula-readable otherwise. */
function tlsFiles(paths: BaculaPaths, role: BaculaTlsRole, cert: IssuedCertificate): RenderedFile[] {
  const files = tlsFilesFor(paths, role);
  return [
    { path: files.certificate, content: cert.certPem, ...world },
    { path: files.key, content: pulumi.secret(cert.privateKeyPem), ...(role === "fileDaemon" ? rootOnly : baculaReadable) },
  ];
}

/** The file daemon's files (every VM that runs one): its TLS pair, its PKI keypair, the master certificate. */
function fileDaemonFiles(input: BackupFileInputs, client: BaculaName): RenderedFile[] {
  const cert = input.clientCertificates[client];
  const keypair = input.pkiKeypairs[client];
  if (!cert || keypair === undefined) throw new Error(`backup files: no certificate or PKI keypair for the file daemon ${client}`);
  return [
    ...tlsFiles(input.paths, "fileDaemon", cert),
    { path: input.paths.pkiKeypair, content: pulumi.secret(keypair), ...rootOnly },
    { path: input.paths.pkiMasterCertificate, content: input.masterCertificate, ...world },
  ];
}

/**
 * Every file `vm` gets from the backup tier, in install order; none for a VM that is neither a backup VM nor a
 * client. A client's list starts with its packages script and ends with bacula-fd.conf and the digest whose
 * follow-up restarts the file daemon; a backup VM's is wrapped by `clusterFiles`.
 */
export function backupFilesForVm(input: BackupFileInputs, vm: string): RenderedFile[] {
  const { plan, paths } = input;
  const roles = baculaVmRoles(plan, vm);
  const onBackupVm = roles.director || roles.storage;
  if (!onBackupVm && !roles.fileDaemon) return [];
  const files: RenderedFile[] = [];
  const p = BACKUP_COMPONENT_PATHS;
  if (onBackupVm) {
    files.push({ path: p.backupPackagesScript, content: renderBackupPackagesScript(paths.nasMountPoint), ...executable, afterChange: p.backupPackagesScript });
  } else {
    files.push({ path: p.clientPackagesScript, content: renderClientPackagesScript(), ...executable, afterChange: p.clientPackagesScript });
  }
  files.push({ path: paths.tlsCaCertificate, content: input.caPem, ...world });
  if (roles.fileDaemon) files.push(...fileDaemonFiles(input, roles.fileDaemon));
  const client = plan.clients.find((c) => c.name === roles.fileDaemon);
  if (client?.tier === "objectStore" && input.photoExport) {
    const e = input.photoExport;
    files.push(
      { path: p.photoExportMcCa, content: e.caPem, ...world },
      { path: p.photoExportMcConfig, content: pulumi.secret(e.mcConfig), ...rootOnly },
      { path: paths.photoExportCommand, content: renderPhotoExportScript({ service: e.service, bucket: e.bucket, exportDirectory: paths.photoExportDirectory }), mode: "0700", owner: "root:root" },
    );
  }
  if (onBackupVm) {
    const layout = volumeLayout(plan, paths);
    const mountFiles = { mountPoint: paths.nasMountPoint, privateKey: p.nasPrivateKey, knownHosts: p.nasKnownHosts };
    if (roles.director) files.push(...tlsFiles(paths, "director", input.daemonCertificates.director));
    if (roles.storage) files.push(...tlsFiles(paths, "storage", input.daemonCertificates.storage));
    if (roles.console) files.push(...tlsFiles(paths, "console", input.daemonCertificates.console));
    files.push(
      // sshfs runs as the storage daemon's user: the key is bacula's alone.
      { path: p.nasPrivateKey, content: pulumi.secret(input.nasPrivateKey), mode: "0600", owner: "bacula:bacula" },
      { path: p.nasKnownHosts, content: renderNasKnownHosts(input.offsite), ...world },
      { path: paths.nasMountCommand, content: renderNasMountScript(input.offsite, mountFiles), ...executable },
      { path: paths.nasUnmountCommand, content: renderNasUnmountScript(mountFiles), ...executable },
      { path: p.catalogInit, content: renderCatalogInitScript(layout), mode: "0700", owner: "root:root" },
      // Run by the director (as bacula) before the config job.
      { path: paths.catalogDumpCommand, content: renderCatalogDumpScript(plan.director.catalogFile, paths.catalogDumpFile), ...executable },
      { path: p.directorDropIn, content: renderDirectorDropIn(layout), ...world, afterChange: "systemctl daemon-reload" },
      { path: p.storageDropIn, content: renderStorageDropIn(layout), ...world, afterChange: "systemctl daemon-reload" },
    );
    // Reloaded or restarted only where Pacemaker runs them (try-*: nothing on the other VM).
    if (roles.storage) files.push(baculaConf(input, vm, paths.storageConf, `systemctl try-restart ${STORAGE_UNIT}`));
    if (roles.director) files.push(baculaConf(input, vm, paths.directorConf, `systemctl try-reload-or-restart ${DIRECTOR_UNIT}`));
    if (roles.console) files.push(baculaConf(input, vm, paths.bconsoleConf));
  }
  const restartFd = `systemctl restart ${FILE_DAEMON_UNIT}`;
  // On a backup VM the cluster's files go around these: its setup, last, may start the director, which then
  // finds every file above in place.
  if (onBackupVm) {
    if (roles.fileDaemon) files.push(baculaConf(input, vm, paths.fileDaemonConf, restartFd));
    return input.clusterFiles(vm, files);
  }
  // A client's file daemon restarts (config-testing its file first) once all its files are in place, whichever
  // changed: a renewed certificate as much as a new bacula-fd.conf.
  files.push(baculaConf(input, vm, paths.fileDaemonConf));
  return withDeployedDigest(files, p.clientDigest, restartFd);
}
