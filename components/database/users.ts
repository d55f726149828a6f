import { KEEPALIVED_SCRIPT_USER } from "../network/vrrp/render-keepalived-conf";

/** The accounts the toolkit creates on the primary (replicated to every replica). */
export interface DatabaseAccount {
  /** What the account is for, as the key of its password. */
  id: "replication" | "application" | "backup" | "binlogCapture" | "monitoring";
  user: string;
  /** Hosts it may connect from, as MariaDB host patterns. */
  hosts: string[];
  /** Global privileges. */
  privileges: string[];
  /** Privileges on the application schema only. */
  schemaPrivileges?: string[];
  requireSsl: boolean;
  purpose: string;
}

export const APPLICATION_SCHEMA = "ibac";

/**
 * The OS user keepalived runs its tracked scripts as (`script_user`), and the MariaDB account of the same name
 * that the database role check logs in as: `unix_socket` authentication, no password to store, no privilege
 * (`@@global.read_only` and the global status need none). MariaDB 10.11 (bookworm) matches the OS user to the
 * account by name only (an authentication string naming another OS user needs 11.6+), so the names are one.
 */
export const VIP_CHECK_USER = KEEPALIVED_SCRIPT_USER;
export const REPLICATION_USER = "ibac_repl";

/**
 * Least privilege for each job. The application account has no READ ONLY ADMIN, so a replica (read_only=ON)
 * refuses its writes; the backup account has exactly what mariabackup needs; capturing binary logs needs
 * REPLICATION SLAVE, so that job has an account of its own rather than widening the backup account.
 */
export function databaseAccounts(serviceHostPattern: string): DatabaseAccount[] {
  return [
    { id: "replication", user: REPLICATION_USER, hosts: [serviceHostPattern], privileges: ["REPLICATION SLAVE"], requireSsl: true, purpose: "replicas read the primary's binary log" },
    { id: "application", user: "ibac_app", hosts: [serviceHostPattern], privileges: [], schemaPrivileges: ["SELECT", "INSERT", "UPDATE", "DELETE"], requireSsl: true, purpose: "the API and FRS tiers" },
    { id: "backup", user: "ibac_backup", hosts: ["localhost"], privileges: ["RELOAD", "PROCESS", "LOCK TABLES", "BINLOG MONITOR", "SLAVE MONITOR"], requireSsl: false, purpose: "mariabackup on the replica (local socket)" },
    { id: "binlogCapture", user: "ibac_binlog", hosts: ["localhost"], privileges: ["REPLICATION SLAVE"], requireSsl: false, purpose: "continuous binary-log capture on the replica (local socket)" },
    { id: "monitoring", user: "ibac_monitor", hosts: [serviceHostPattern], privileges: ["SLAVE MONITOR", "BINLOG MONITOR", "PROCESS"], requireSsl: true, purpose: "monitoring checks (check_mysql, replication lag)" },
  ];
}
