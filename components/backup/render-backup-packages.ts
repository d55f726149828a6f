import { checkPath } from "../storage/minio-values";
import { DIRECTOR_UNIT, FILE_DAEMON_UNIT, STORAGE_UNIT } from "./paths";

// The first file of every backup and client VM: Bacula's packages from Debian. On the backup VMs Pacemaker starts
// the director and the storage daemon, so they are disabled at boot (and stopped right after their first install,
// when Debian's postinst started them with its stock files); the file daemon runs everywhere, at boot.

/** The backup VMs: both daemons, SQLite for the catalog (and its CLI, which the catalog init uses), bconsole, sshfs. */
export const BACKUP_VM_PACKAGES = ["bacula-director", "bacula-director-sqlite3", "bacula-sd", "bacula-fd", "bacula-console", "sqlite3", "sshfs"] as const;
/** A client VM: the file daemon only. */
export const CLIENT_VM_PACKAGES = ["bacula-fd"] as const;

function installLines(packages: readonly string[]): string {
  const checks = packages.map((p) => `   || ! dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q 'install ok installed'`).join(" \\\n");
  return `if false \\
${checks}; then
  fresh=1
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${packages.join(" ")}
fi`;
}

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
${installLines(BACKUP_VM_PACKAGES)}
# Pacemaker starts the director and the storage daemon where the backup volume is mounted: never at boot.
systemctl disable --quiet ${DIRECTOR_UNIT} ${STORAGE_UNIT}
if [ "$fresh" = 1 ]; then
  systemctl stop ${DIRECTOR_UNIT} ${STORAGE_UNIT}
fi
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
${installLines(CLIENT_VM_PACKAGES)}
[ "$fresh" = 0 ] || echo "ibac-backup-client-packages: installed ${CLIENT_VM_PACKAGES.join(" ")}" >&2
systemctl enable --quiet ${FILE_DAEMON_UNIT}
`;
}
