import { BACULA_DIRECTOR_UNIT, BACULA_SD_UNIT } from "./cluster-plan";

// Where the backup component's own files live (Bacula's configuration, certificates and the NAS/photo-export
// commands Bacula calls are in backup/bacula/paths.ts): said once, read by the renderers, the component and the tests.

export const BACKUP_COMPONENT_PATHS = {
  /** The NAS account's SSH key (the storage daemon runs sshfs as the bacula user, so bacula owns it). */
  nasKeyDir: "/etc/bacula/nas",
  nasPrivateKey: "/etc/bacula/nas/id_ed25519",
  /** Holds the spec's offsite.sshHostKey and nothing else: the mount refuses any other host key. */
  nasKnownHosts: "/etc/bacula/nas/known_hosts",
  /**
   * systemd drop-ins: TZ=UTC and the catalog init before each daemon starts. (The cluster's own drop-ins,
   * cluster-paths.ts, keep both daemons to the VM where the DRBD volume is mounted.)
   */
  directorDropIn: "/etc/systemd/system/bacula-director.service.d/ibac.conf",
  storageDropIn: "/etc/systemd/system/bacula-sd.service.d/ibac.conf",
  /** Creates the directories on the backup volume and the SQLite catalog if absent (the daemons' ExecStartPre). */
  catalogInit: "/usr/local/sbin/ibac-catalog-init",
  /** Installs the backup VMs' or a client's Bacula packages (run first by every deployment). */
  backupPackagesScript: "/usr/local/sbin/ibac-backup-packages",
  clientPackagesScript: "/usr/local/sbin/ibac-backup-client-packages",
  /** A client's digest of its backup files: a change of any (a renewed certificate too) restarts its file daemon. */
  clientDigest: "/var/lib/ibac/backup-client/deployed.sha256",
  /** The photo export's owner-only mc configuration (the backup S3 user's keys) and the CA it trusts. */
  photoExportMcDir: "/etc/ibac/backup/mc",
  photoExportMcConfig: "/etc/ibac/backup/mc/config.json",
  photoExportMcCa: "/etc/ibac/backup/mc/certs/CAs/ibac-ca.pem",
  /** The SQL Debian's bacula-director-sqlite3 creates a catalog from (its dbconfig-common install script). */
  catalogSchema: "/usr/share/dbconfig-common/data/bacula-director-sqlite3/install/sqlite3",
} as const;

/** The Bacula daemons' systemd units on Debian (Pacemaker's `systemd:` resources, cluster-plan.ts, name the first two). */
export const DIRECTOR_UNIT = `${BACULA_DIRECTOR_UNIT}.service`;
export const STORAGE_UNIT = `${BACULA_SD_UNIT}.service`;
export const FILE_DAEMON_UNIT = "bacula-fd.service";
