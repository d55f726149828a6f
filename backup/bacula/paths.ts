// Every file Bacula's daemons read or write on a VM, said once: the renderers name them in the .conf files, the
// backup component writes them (certificates, keys, keypairs, scripts) and the runbooks read them. The tests
// render with a table of their own (every path below a temporary directory), which is the only thing they change.

/** The TLS files of one daemon (or bconsole): the internal CA, its certificate and its key. */
export interface BaculaTlsFiles {
  caCertificate: string;
  certificate: string;
  /** Secret: 0640 root:bacula. */
  key: string;
}

/** The daemons and the console that each hold a certificate from the internal CA. */
export type BaculaTlsRole = "director" | "storage" | "fileDaemon" | "console";

export interface BaculaPaths {
  /** Where Debian's packages read their files: bacula-dir.conf, bacula-sd.conf, bacula-fd.conf, bconsole.conf. */
  configDir: string;
  directorConf: string;
  storageConf: string;
  fileDaemonConf: string;
  bconsoleConf: string;
  /** The director's canned queries (Debian's bacula-director package ships it). */
  queryFile: string;
  /** The internal CA's certificate (public). */
  tlsCaCertificate: string;
  /** The directory holding each daemon's certificate and key (`<role>.pem`, `<role>-key.pem`). */
  tlsDir: string;
  /**
   * The file daemon's PKI keypair (its own certificate and private key, one PEM file, 0600 root): what it signs
   * and encrypts with, and what a restore on the same client decrypts with.
   */
  pkiKeypair: string;
  /** The master key's certificate (public half only): every file daemon also encrypts for it. */
  pkiMasterCertificate: string;
  /** The DRBD volume of the backup tier, mounted where Pacemaker's Filesystem resource puts it. */
  backupVolume: string;
  /** The director's working directory on the DRBD volume: state files, bootstrap files and the SQLite catalog. */
  directorWorkingDirectory: string;
  /** The storage daemon's working directory on the DRBD volume (it moves with the volumes it describes). */
  storageWorkingDirectory: string;
  /** The file volumes on the DRBD volume. */
  volumeDirectory: string;
  /** The file daemon's own working directory (local to each client VM). */
  fileDaemonWorkingDirectory: string;
  /** Where every daemon writes its pid file. */
  pidDirectory: string;
  /** Where the storage daemon mounts the NAS (sshfs); the NAS device's volumes live directly in it. */
  nasMountPoint: string;
  /** The NAS mount/unmount scripts the backup component writes; Bacula calls them with the mount point (%m). */
  nasMountCommand: string;
  nasUnmountCommand: string;
  /** The photos' export from MinIO (written by the backup component), run by the object store's file daemon first. */
  photoExportCommand: string;
  /** Where the export writes, one directory per bucket (`<photoExportDirectory>/<bucket>`). */
  photoExportDirectory: string;
  /** The catalog dump the config job saves (written by a RunBeforeJob on the director). */
  catalogDumpCommand: string;
  catalogDumpFile: string;
  /** The toolkit's own configuration on the backup VMs, saved by the config job with /etc/bacula. */
  ibacConfigDir: string;
  /** Restores land below here (a new place, never over the live data). */
  restoreDirectory: string;
}

export const PRODUCTION_BACULA_PATHS: BaculaPaths = {
  configDir: "/etc/bacula",
  directorConf: "/etc/bacula/bacula-dir.conf",
  storageConf: "/etc/bacula/bacula-sd.conf",
  fileDaemonConf: "/etc/bacula/bacula-fd.conf",
  bconsoleConf: "/etc/bacula/bconsole.conf",
  queryFile: "/etc/bacula/scripts/query.sql",
  tlsCaCertificate: "/etc/bacula/tls/ca.pem",
  tlsDir: "/etc/bacula/tls",
  pkiKeypair: "/etc/bacula/pki/fd-keypair.pem",
  pkiMasterCertificate: "/etc/bacula/pki/master.pem",
  backupVolume: "/srv/bacula",
  directorWorkingDirectory: "/srv/bacula/director",
  storageWorkingDirectory: "/srv/bacula/storage",
  volumeDirectory: "/srv/bacula/volumes",
  fileDaemonWorkingDirectory: "/var/lib/bacula",
  pidDirectory: "/run/bacula",
  nasMountPoint: "/mnt/ibac-nas",
  nasMountCommand: "/usr/local/sbin/ibac-nas-mount",
  nasUnmountCommand: "/usr/local/sbin/ibac-nas-unmount",
  photoExportCommand: "/usr/local/sbin/ibac-photo-export",
  photoExportDirectory: "/srv/minio/export",
  catalogDumpCommand: "/usr/local/sbin/ibac-catalog-dump",
  catalogDumpFile: "/srv/bacula/dump/bacula.sql",
  ibacConfigDir: "/etc/ibac",
  restoreDirectory: "/srv/bacula-restore",
};

/** A daemon's TLS files below `tlsDir`. */
export function tlsFilesFor(paths: BaculaPaths, role: BaculaTlsRole): BaculaTlsFiles {
  return { caCertificate: paths.tlsCaCertificate, certificate: `${paths.tlsDir}/${role}.pem`, key: `${paths.tlsDir}/${role}-key.pem` };
}

/** Every path of the table, for the check that they are all absolute and quotable. */
export function allPaths(paths: BaculaPaths): [keyof BaculaPaths, string][] {
  return Object.entries(paths) as [keyof BaculaPaths, string][];
}
