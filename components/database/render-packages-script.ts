export const PACKAGES_SCRIPT_PATH = "/usr/local/sbin/ibac-db-packages";

/** The MariaDB packages a database VM runs. */
export const DATABASE_PACKAGES = ["mariadb-server", "mariadb-client", "mariadb-backup"] as const;

/**
 * The first step of every database deployment: install MariaDB before any of its files arrive. The package
 * creates the `mysql` user and group, so the TLS key can be installed readable by the server (root:mysql
 * 0640) from its first install instead of being fixed up by a later step: a deployment interrupted between
 * the two would otherwise leave a key the server cannot read at its next start. Idempotent; the setup
 * script runs it again, so a VM whose packages were removed gets them back.
 *
 * A fresh install leaves the server disabled at boot: the option file that follows points it at the datadir
 * on the data disk, which only the setup script (the deployment's last step) initialises, so a deployment
 * interrupted in between and a reboot would otherwise leave a server that fails to start. The setup script
 * enables it once the datadir exists.
 */
export function renderPackagesScript(): string {
  const checks = DATABASE_PACKAGES.map((p) => `   || ! dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q 'install ok installed'`).join(" \\\n");
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs MariaDB's packages (and with them the mysql user and group).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if false \\
${checks}; then
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${DATABASE_PACKAGES.join(" ")}
  systemctl disable mariadb
fi
`;
}
