import type { DatabaseAccount } from "./users";
import { APPLICATION_SCHEMA, REPLICATION_USER, VIP_CHECK_USER } from "./users";
import type { DatabaseServer, DatabaseTopology } from "./topology";

/** The heartbeat: the primary writes the time every second; replicas know when they last heard from it. */
export const HEARTBEAT_TABLE = "ibac_ops.heartbeat";
export const HEARTBEAT_EVENT = "ibac_ops.heartbeat_tick";

/**
 * A row the primary's event scheduler rewrites every second. Replicated like any write, it tells a replica
 * how far behind it is and, after a failover, when the old primary was last alive (the measured downtime).
 */
export function heartbeatSql(): string[] {
  return [
    "CREATE DATABASE IF NOT EXISTS ibac_ops;",
    `CREATE TABLE IF NOT EXISTS ${HEARTBEAT_TABLE} (id TINYINT PRIMARY KEY, server_id INT UNSIGNED NOT NULL, at TIMESTAMP(6) NOT NULL) ENGINE=InnoDB;`,
    `CREATE EVENT IF NOT EXISTS ${HEARTBEAT_EVENT} ON SCHEDULE EVERY 1 SECOND DO REPLACE INTO ${HEARTBEAT_TABLE} VALUES (1, @@server_id, NOW(6));`,
  ];
}

/** On a promoted server: the heartbeat event, replicated disabled, runs here from now on. */
export function startHeartbeatSql(): string {
  return `SET GLOBAL event_scheduler = ON; ALTER EVENT ${HEARTBEAT_EVENT} ENABLE`;
}

/** Passwords by account id; secrets in a deployment, made-up values in a plan. */
export type AccountPasswords = Record<DatabaseAccount["id"], string>;

/** A SQL string literal: MariaDB's escaping of backslash and quote. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function accountSql(account: DatabaseAccount, password: string): string[] {
  const require = account.requireSsl ? " REQUIRE SSL" : "";
  return account.hosts.flatMap((host) => {
    const who = `${sqlString(account.user)}@${sqlString(host)}`;
    const grants: string[] = [];
    if (account.privileges.length) grants.push(`GRANT ${account.privileges.join(", ")} ON *.* TO ${who};`);
    if (account.schemaPrivileges?.length) grants.push(`GRANT ${account.schemaPrivileges.join(", ")} ON \`${APPLICATION_SCHEMA}\`.* TO ${who};`);
    return [
      `-- ${account.user}: ${account.purpose}`,
      `CREATE USER IF NOT EXISTS ${who} IDENTIFIED BY ${sqlString(password)}${require};`,
      // ALTER as well, so that a rotated password or a changed TLS requirement reaches an existing account.
      `ALTER USER ${who} IDENTIFIED BY ${sqlString(password)}${require};`,
      ...grants,
    ];
  });
}

/**
 * The role check's account (keepalived's script user over the socket, see VIP_CHECK_USER): created on the
 * primary, on every replica through replication, so the check answers the same way wherever the role is.
 */
export function vipCheckAccountSql(user: string = VIP_CHECK_USER): string[] {
  const who = `${sqlString(user)}@'localhost'`;
  return [
    `-- ${user}: keepalived's database role check (local socket, unix_socket authentication, no privilege)`,
    `CREATE USER IF NOT EXISTS ${who} IDENTIFIED VIA unix_socket;`,
    `ALTER USER ${who} IDENTIFIED VIA unix_socket;`,
  ];
}

/**
 * Run once on the primary (idempotent): the application schema and every account. Replicas get it all
 * through replication, so it is never run on them.
 */
export function renderPrimarySetupSql(topology: DatabaseTopology, passwords: AccountPasswords): string {
  return [
    "-- Rendered by the iBac toolkit: applied on the primary by ibac-db-setup; idempotent.",
    `CREATE DATABASE IF NOT EXISTS \`${APPLICATION_SCHEMA}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
    ...heartbeatSql(),
    ...topology.accounts.flatMap((a) => accountSql(a, passwords[a.id])),
    ...vipCheckAccountSql(topology.vipCheckUser),
    "",
  ].join("\n");
}

/**
 * The CHANGE MASTER statement that points a server at a primary: GTID, TLS, the primary's certificate verified
 * (and checked against the CA's CRL when `crlFile` is given: a revoked primary certificate is refused).
 */
export function changeMasterSql(primary: Pick<DatabaseServer, "address">, port: number, replicationPassword: string, caFile: string, crlFile?: string): string {
  return [
    "CHANGE MASTER TO",
    `  MASTER_HOST = ${sqlString(primary.address)},`,
    `  MASTER_PORT = ${port},`,
    `  MASTER_USER = ${sqlString(REPLICATION_USER)},`,
    `  MASTER_PASSWORD = ${sqlString(replicationPassword)},`,
    "  MASTER_USE_GTID = slave_pos,",
    "  MASTER_SSL = 1,",
    `  MASTER_SSL_CA = ${sqlString(caFile)},`,
    ...(crlFile ? [`  MASTER_SSL_CRL = ${sqlString(crlFile)},`] : []),
    "  MASTER_SSL_VERIFY_SERVER_CERT = 1,",
    "  MASTER_CONNECT_RETRY = 5,",
    "  MASTER_HEARTBEAT_PERIOD = 2;",
  ].join("\n");
}

/** Run on a replica once the primary's setup is done: start replicating from the primary. */
export function renderReplicaSetupSql(topology: DatabaseTopology, replicationPassword: string, caFile: string, crlFile?: string): string {
  return [
    "-- Rendered by the iBac toolkit: applied on each replica by ibac-db-setup; idempotent.",
    "STOP SLAVE;",
    changeMasterSql(topology.primary, topology.port, replicationPassword, caFile, crlFile),
    "START SLAVE;",
    "",
  ].join("\n");
}
