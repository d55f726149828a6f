import { VIP_CHECK_USER } from "./users";

export const PACKAGES_SCRIPT_PATH = "/usr/local/sbin/ibac-db-packages";

/** The MariaDB packages a database VM runs. */
export const DATABASE_PACKAGES = ["mariadb-server", "mariadb-client", "mariadb-backup"] as const;
/** keepalived, which holds the databasePrimary address on the primary. */
export const VIP_PACKAGES = ["keepalived"] as const;

function missingAny(packages: readonly string[]): string {
  return packages.map((p) => `   || ! dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q 'install ok installed'`).join(" \\\n");
}

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
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs MariaDB's packages (and with them the mysql user and group) and keepalived.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if false \\
${missingAny(DATABASE_PACKAGES)}; then
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${DATABASE_PACKAGES.join(" ")}
  systemctl disable mariadb
fi
# Apart, so that a VM installed before keepalived was added does not get its running server disabled at boot.
if false \\
${missingAny(VIP_PACKAGES)}; then
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${VIP_PACKAGES.join(" ")}
fi
# keepalived runs its role check as this user, which is also the check's MariaDB account (unix_socket):
# no shell, no home, no password.
if ! getent passwd ${VIP_CHECK_USER} >/dev/null; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${VIP_CHECK_USER}
fi
`;
}
