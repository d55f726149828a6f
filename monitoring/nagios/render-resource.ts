// resource.cfg ($USERn$ macros) and check_mysql's option file. The monitoring account's password lives only in
// the option file (check_mysql -f FILE -g client), never on a command line where `ps` would show it.

import type { EnginePaths } from "../paths";
import { filePath } from "./object-text";

/** The database tier's monitoring account (REQUIRE SSL). */
export const MONITOR_DB_USER = "ibac_monitor";

export function renderResource(paths: EnginePaths): string {
  return [
    "# Nagios $USERn$ macros. Rendered by ibac: edits are overwritten.",
    `$USER1$=${filePath(paths.pluginDir, "pluginDir")}`,
    `$USER2$=${filePath(paths.scriptDir, "scriptDir")}`,
    "",
  ].join("\n");
}

/** The password as a quoted option-file value; the error never shows it. */
function optionValue(password: string): string {
  if (password === "") throw new Error("nagios: mysql client file: the monitoring password is empty");
  if (/[\u0000-\u001f\u007f]/.test(password)) throw new Error("nagios: mysql client file: the monitoring password holds a control character");
  return `"${password.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * `[client]` for check_mysql and check_mysql_query: the account, and ssl-ca, which is also what turns TLS on
 * for check_mysql_query (it has no TLS options of its own); it also overrides check_mysql's -C (verified). The
 * chain is verified against it; ssl-verify-server-cert adds that the certificate names the address checked,
 * which Debian 12's Connector/C (3.3) does not do by default (the database tier's certificates carry the
 * server's and the service address as IP names).
 */
export function renderMysqlClientFile(paths: EnginePaths, password: string): string {
  return [
    "# check_mysql's account (ibac monitoring). Rendered by ibac: edits are overwritten.",
    "[client]",
    `user=${MONITOR_DB_USER}`,
    `password=${optionValue(password)}`,
    `ssl-ca=${filePath(paths.caFile, "caFile")}`,
    // `=1`: Connector/C ignores the bare option in an option file (verified: it then connects to any name).
    "ssl-verify-server-cert=1",
    "",
  ].join("\n");
}
