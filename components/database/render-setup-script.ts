import type { DatabasePaths } from "./paths";
import { tlsFiles } from "./paths";
import { PACKAGES_SCRIPT_PATH } from "./render-packages-script";

export const SETUP_SCRIPT_PATH = "/usr/local/sbin/ibac-db-setup";

/**
 * The script each deployment runs on a database VM once every other file is in place: make sure MariaDB is
 * installed (the packages script, which the deployment ran first), create the data and binary-log directories on the data disk, initialise the datadir, restart the server
 * when its configuration changed, and apply the setup SQL when it changed. Idempotent.
 *
 * The setup SQL is applied only when the live server still has the role it was rendered for (read_only
 * says which): after a failover the spec lags behind the cluster until the operator updates
 * `database.primary`, and a deployment must never re-point a promoted server at its fenced predecessor.
 */
export function renderSetupScript(paths: DatabasePaths, renderedRole: "primary" | "replica"): string {
  const tls = tlsFiles(paths);
  const expectReadOnly = renderedRole === "primary" ? 0 : 1;
  return `#!/bin/bash
# Rendered by the iBac toolkit: brings this VM's MariaDB to its rendered state. Run by every deployment.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
state=${paths.stateDir}
install -d -m 0700 "$state"

${PACKAGES_SCRIPT_PATH}

install -d -o mysql -g mysql -m 0750 ${paths.datadir} ${paths.binlogDir}
install -d -m 0750 ${paths.backupDir}

if [ ! -d ${paths.datadir}/mysql ]; then
  systemctl stop mariadb || true
  mariadb-install-db --user=mysql --datadir=${paths.datadir} --skip-test-db --auth-root-authentication-method=socket
fi
# The datadir exists now: the server may start at boot (a fresh package install left it disabled until here).
systemctl enable mariadb

config_hash=$(cat ${paths.serverCnf} ${tls.ca} ${tls.cert} ${tls.key} ${tls.crl} | sha256sum | cut -d' ' -f1)
if [ "$(cat "$state/config.sha256" 2>/dev/null)" != "$config_hash" ]; then
  echo "ibac-db-setup: configuration changed, restarting MariaDB"
  systemctl restart mariadb
  echo "$config_hash" > "$state/config.sha256"
fi

sql_hash=$(sha256sum ${paths.setupSql} | cut -d' ' -f1)
if [ "$(cat "$state/setup.sha256" 2>/dev/null)" != "$sql_hash" ]; then
  read_only=$(mariadb --defaults-file=${paths.adminCnf} -N -B -e 'SELECT @@read_only')
  if [ "$read_only" != "${expectReadOnly}" ]; then
    echo "ibac-db-setup: this server was rendered as the ${renderedRole} but read_only=$read_only: a runbook changed its role." >&2
    echo "ibac-db-setup: setup SQL not applied; set database.primary in the stack to the current primary and deploy again." >&2
    exit 1
  fi
${renderedRole === "primary" ? `  # A first primary has no replica yet: with semi-sync on, its setup would wait the whole ack timeout.
  clients=$(mariadb --defaults-file=${paths.adminCnf} -N -B -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_CLIENTS'")
  semi_sync=$(mariadb --defaults-file=${paths.adminCnf} -N -B -e 'SELECT @@rpl_semi_sync_master_enabled')
  if [ "$semi_sync" = 1 ] && [ "$clients" = 0 ]; then
    mariadb --defaults-file=${paths.adminCnf} -e 'SET GLOBAL rpl_semi_sync_master_enabled = OFF'
    trap "mariadb --defaults-file=${paths.adminCnf} -e 'SET GLOBAL rpl_semi_sync_master_enabled = ON'" EXIT
  fi
` : ""}  mariadb --defaults-file=${paths.adminCnf} < ${paths.setupSql}
  echo "$sql_hash" > "$state/setup.sha256"
fi
`;
}
