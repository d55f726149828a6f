// Where the object-store tier's files live on a storage VM: one table, read by the component, the scripts,
// the policies and the tests.

export const STORAGE_PATHS = {
  /** DRBD reads every `/etc/drbd.d/*.res` through drbd.conf's include. */
  drbdResource: (name: string): string => `/etc/drbd.d/${name}.res`,
  corosyncConf: "/etc/corosync/corosync.conf",
  /** corosync's shared key, delivered base64-encoded (a file's content is text) and decoded by the setup script. */
  corosyncAuthkeyBase64: "/etc/ibac/storage/corosync-authkey.b64",
  corosyncAuthkey: "/etc/corosync/authkey",
  /** The Pacemaker CIB whose configuration section the setup script loads with cibadmin. */
  cibConfiguration: "/etc/ibac/storage/cib.xml",
  /** Root-only files with the fence agents' passwords, printed by the CIB's password scripts (never in the CIB). */
  fencePveSecret: "/etc/ibac/storage/fence-pve.secret",
  fenceIpmiSecret: "/etc/ibac/storage/fence-ipmi.secret",
  /** The Proxmox cluster's CA in the system trust store: fence_pve verifies the API's certificate against it. */
  proxmoxCa: "/usr/local/share/ca-certificates/ibac-proxmox-cluster.crt",
  packagesScript: "/usr/local/sbin/ibac-storage-packages",
  setupScript: "/usr/local/sbin/ibac-storage-setup",
  stateDir: "/var/lib/ibac/storage",
} as const;
