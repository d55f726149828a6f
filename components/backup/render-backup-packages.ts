import { checkPath } from "../storage/minio-values";
import { FILE_DAEMON_UNIT } from "./paths";
import { installMissingPackagesLines } from "../vm/install-missing-packages";

// Bacula's packages from Debian: the first file of a client VM; on a backup VM the first after the cluster's
// packages script (render-backup-cluster-scripts.ts), which installs the two daemons Pacemaker runs and keeps
// them disabled at boot. The file daemon runs everywhere, at boot.

/**
 * The backup VMs: both daemons with SQLite for the catalog (the cluster's script installs them first; listed here
 * too so that this script stands alone), the catalog's CLI (the catalog init and dump use it), bconsole, sshfs.
 */
export const BACKUP_VM_PACKAGES = ["bacula-director", "bacula-director-sqlite3", "bacula-sd", "bacula-fd", "bacula-console", "sqlite3", "sshfs"] as const;
/** A client VM: the file daemon only. */
export const CLIENT_VM_PACKAGES = ["bacula-fd"] as const;


/** The backup VMs' packages script; `nasMountPoint` is created for the bacula user (sshfs mounts as bacula). */
export function renderBackupPackagesScript(nasMountPoint: string): string {
  checkPath(nasMountPoint, "ibac-backup-packages: nasMountPoint");
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs Bacula's director, storage daemon, file daemon and console.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
fresh=0
# The catalog lives on the DRBD volume (ibac-catalog-init makes it): no dbconfig-common catalog in /var/lib/bacula.
echo "bacula-director-sqlite3 bacula-director-sqlite3/dbconfig-install boolean false" | debconf-set-selections
${installMissingPackagesLines(BACKUP_VM_PACKAGES, "backup packages")}
[ "$fresh" = 0 ] || echo "ibac-backup-packages: installed ${BACKUP_VM_PACKAGES.join(" ")}" >&2
systemctl enable --quiet ${FILE_DAEMON_UNIT}
install -d -m 0700 -o bacula -g bacula ${nasMountPoint}
systemctl daemon-reload
`;
}

/** A client VM's packages script: the file daemon, enabled at boot. */
export function renderClientPackagesScript(): string {
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs the Bacula file daemon.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
fresh=0
${installMissingPackagesLines(CLIENT_VM_PACKAGES, "backup packages")}
[ "$fresh" = 0 ] || echo "ibac-backup-client-packages: installed ${CLIENT_VM_PACKAGES.join(" ")}" >&2
systemctl enable --quiet ${FILE_DAEMON_UNIT}
`;
}
