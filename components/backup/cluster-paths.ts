// Where the backup cluster's files live on a backup VM: one table, read by the files, the scripts, the
// policy and the tests. Apart from the object store's (/etc/ibac/storage) so that no two clusters share a file.
import { BACULA_DIRECTOR_UNIT, BACULA_SD_UNIT } from "./cluster-plan";
import { STORAGE_PATHS } from "../storage/paths";

export const BACKUP_CLUSTER_PATHS = {
  /** DRBD reads every `/etc/drbd.d/*.res` through drbd.conf's include. */
  drbdResource: (name: string): string => `/etc/drbd.d/${name}.res`,
  corosyncConf: "/etc/corosync/corosync.conf",
  /** corosync's shared key, delivered base64-encoded (a file's content is text) and decoded by the setup script. */
  corosyncAuthkeyBase64: "/etc/ibac/backup-cluster/corosync-authkey.b64",
  corosyncAuthkey: "/etc/corosync/authkey",
  /** The Pacemaker CIB whose configuration section the setup script loads with cibadmin. */
  cibConfiguration: "/etc/ibac/backup-cluster/cib.xml",
  /** Root-only files with the fence agents' passwords, printed by the CIB's password scripts (never in the CIB). */
  fencePveSecret: "/etc/ibac/backup-cluster/fence-pve.secret",
  fenceIpmiSecret: "/etc/ibac/backup-cluster/fence-ipmi.secret",
  /** The Proxmox cluster's CA in the system trust store: fence_pve verifies the API's certificate against it. */
  proxmoxCa: STORAGE_PATHS.proxmoxCa,
  packagesScript: "/usr/local/sbin/ibac-backup-cluster-packages",
  setupScript: "/usr/local/sbin/ibac-backup-cluster-setup",
  stateDir: "/var/lib/ibac/backup-cluster",
  /** Drop-ins that keep Debian's Bacula units to Pacemaker's Promoted side (render-backup-cluster-scripts.ts). */
  unitDropIn: (unit: string): string => `/etc/systemd/system/${unit}.service.d/ibac-cluster.conf`,
} as const;

/** The Bacula units Pacemaker runs, in the group's start order. */
export const BACKUP_CLUSTER_UNITS = [BACULA_SD_UNIT, BACULA_DIRECTOR_UNIT] as const;
