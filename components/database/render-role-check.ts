import { shellQuote } from "../../playbooks/engine/shell-quote";
import type { DatabasePaths } from "./paths";

export const ROLE_CHECK_PATH = "/usr/local/sbin/ibac-db-role-check";
/**
 * The check's own limit. A live server answers in milliseconds; keepalived runs the check every second and
 * kills it after its own (longer) timeout, so a hung server costs the address within a few seconds.
 */
export const ROLE_CHECK_TIMEOUT_SECONDS = 1;

export interface RoleCheckOptions {
  /** The MariaDB account (unix_socket, same name as the OS user keepalived runs the script as). */
  user: string;
  /** Whole-check time limit: a server that does not answer within it is not the primary. */
  timeoutSeconds: number;
}

/**
 * keepalived's tracked script on a database VM: exit 0 only when the local server is the primary, so the
 * databasePrimary address sits on the primary and on nobody when there is none. A primary, in this toolkit,
 * is all three at once:
 * - its role file says `# role: primary` (the db-* runbooks write it as the last act of a promotion, and
 *   write `fenced` or `replica` on the server they demote);
 * - the server answers on its socket within the time limit (a crashed, stopped or hung server is not);
 * - it accepts writes (`@@global.read_only` = 0) and replicates from nobody (`Slave_running` = OFF): a
 *   replica made writable by hand, or a promotion half done, does not get the address.
 * Reading a variable and the global status needs no privilege; the account has none.
 */
export function renderRoleCheckScript(paths: Pick<DatabasePaths, "socket" | "roleCnf">, options: RoleCheckOptions): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(options.user)) throw new Error(`role check: a Unix user name, found "${options.user}"`);
  if (!Number.isInteger(options.timeoutSeconds) || options.timeoutSeconds < 1 || options.timeoutSeconds > 60) {
    throw new Error(`role check: a timeout of 1 to 60 s, found ${options.timeoutSeconds}`);
  }
  const query = "SELECT @@global.read_only, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'SLAVE_RUNNING'";
  return `#!/bin/bash
# Rendered by the iBac toolkit: keepalived's database role check. Exit 0 only when this server is the primary:
# role file says primary, the server answers on its socket within ${options.timeoutSeconds} s, accepts writes and replicates from nobody.
set -uo pipefail
role=$(sed -n 's/^# role: //p' ${shellQuote(paths.roleCnf)} 2>/dev/null | head -n 1)
[ "$role" = primary ] || exit 1
# timeout bounds the whole query, not only the connection: a hung server counts as not primary.
answer=$(timeout -k 1 ${options.timeoutSeconds} mariadb --no-defaults --protocol=socket --socket=${shellQuote(paths.socket)} \\
  --user=${options.user} --skip-ssl --connect-timeout=${options.timeoutSeconds} -N -B \\
  -e ${shellQuote(query)} 2>/dev/null) || exit 1
[ "$answer" = "$(printf '0\\tOFF')" ] || exit 1
exit 0
`;
}
