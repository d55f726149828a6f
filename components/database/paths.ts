/**
 * Where a database server keeps its files. Production uses Debian's layout; the lab runs several servers on
 * one machine and gives each its own directory, which is the only thing it changes in the rendered files.
 */
export interface DatabasePaths {
  /** The server's option file, written by the toolkit (`--defaults-file` in the lab, a conf.d drop-in in production). */
  serverCnf: string;
  /** The role file, included by the server's option file; runbooks rewrite it when roles change. */
  roleCnf: string;
  datadir: string;
  socket: string;
  pidFile: string;
  /** Directory of the server's own binary logs (on the data disk, beside the datadir). */
  binlogDir: string;
  tlsDir: string;
  /** Option file with the local administrator's connection (root over the socket), for runbooks and backups. */
  adminCnf: string;
  /** Credentials of the replication account ([client] user/password), for runbooks that re-point replication. */
  replicationCnf: string;
  /** Credentials of the backup account, for mariabackup. */
  backupCnf: string;
  /** Credentials of the binary-log capture account, for mariadb-binlog. */
  binlogCnf: string;
  /** The backup volume: full and incremental backups and the binary-log capture. */
  backupDir: string;
  /** Where runbooks keep what they save for audit (errant transactions, role history). */
  stateDir: string;
  /** Where the setup SQL waits to be applied once. */
  setupSql: string;
}

export const PRODUCTION_DATABASE_PATHS: DatabasePaths = {
  serverCnf: "/etc/mysql/mariadb.conf.d/60-ibac.cnf",
  roleCnf: "/etc/mysql/mariadb.conf.d/70-ibac-role.cnf",
  datadir: "/srv/mariadb/data",
  socket: "/run/mysqld/mysqld.sock",
  pidFile: "/run/mysqld/mysqld.pid",
  binlogDir: "/srv/mariadb/binlog",
  tlsDir: "/etc/mysql/tls",
  adminCnf: "/etc/mysql/ibac-admin.cnf",
  replicationCnf: "/etc/mysql/ibac-replication.cnf",
  backupCnf: "/etc/mysql/ibac-backup.cnf",
  binlogCnf: "/etc/mysql/ibac-binlog.cnf",
  backupDir: "/srv/backup/mariadb",
  stateDir: "/var/lib/ibac/database",
  setupSql: "/etc/mysql/ibac-setup.sql",
};

/** The TLS files inside `tlsDir`: the CA, the server's certificate and key, and the CA's CRL. */
export function tlsFiles(paths: DatabasePaths): { ca: string; cert: string; key: string; crl: string } {
  return { ca: `${paths.tlsDir}/ca.pem`, cert: `${paths.tlsDir}/server.pem`, key: `${paths.tlsDir}/server-key.pem`, crl: `${paths.tlsDir}/crl.pem` };
}

/** A [client] option file with one account's credentials. */
export function renderCredentialsCnf(user: string, password: string, socket: string): string {
  return `# Rendered by the iBac toolkit: credentials of ${user}; readable by root only.\n[client]\nuser = ${user}\npassword = ${password}\nsocket = ${socket}\n`;
}
