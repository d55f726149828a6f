import type { DatabasePaths } from "./paths";
import { tlsFiles } from "./paths";
import type { DatabaseServer, DatabaseTopology } from "./topology";
import { NONLOCAL_BIND_SYSCTL_PATH } from "../network/vrrp/render-nonlocal-bind-sysctl";

export interface ServerCnfOptions {
  /** InnoDB buffer pool; production sizes it from the VM's memory, the lab keeps it small. */
  bufferPoolMiB?: number;
}

/** The buffer pool a VM of this size gets: 60% of its memory, leaving room for connections and the OS. */
export function defaultBufferPoolMiB(memoryGiB: number): number {
  return Math.max(128, Math.floor(memoryGiB * 1024 * 0.6));
}

/**
 * The server's option file. Everything that is the same whatever the server's role lives here; the role
 * (read_only, semi-sync side, replication start) lives in the role file it includes, so a runbook changes
 * a role by rewriting one small file and never edits this one.
 */
export function renderServerCnf(server: DatabaseServer, topology: DatabaseTopology, paths: DatabasePaths, options: ServerCnfOptions = {}): string {
  const tls = tlsFiles(paths);
  const semi = topology.replication.semiSync;
  const bufferPool = options.bufferPoolMiB ?? defaultBufferPoolMiB(server.memoryGiB);
  const ciphers = [...topology.tls.tls12Ciphers, ...topology.tls.tls13Ciphersuites].join(":");
  // Local binary logs only bridge the gap to the capture on the backup volume; a week covers a long outage
  // of the capture without filling the data disk.
  const localBinlogDays = Math.min(7, topology.backup.retentionDays);
  return `# Rendered by the iBac toolkit for ${server.name} (${server.fqdn}); do not edit: the next deployment overwrites it.
# Role settings (read_only, semi-sync side) are in ${paths.roleCnf}.
[mysqld]
server_id = ${server.serverId}
# Its own address (replication, runbooks) and the databasePrimary address (${topology.service.serverName}), which keepalived
# puts on whichever server is the primary: bound on every server, local or not (${NONLOCAL_BIND_SYSCTL_PATH}).
bind_address = ${server.address},${topology.service.address}
port = ${topology.port}
datadir = ${paths.datadir}
socket = ${paths.socket}
pid_file = ${paths.pidFile}
skip_name_resolve = ON
character_set_server = utf8mb4
collation_server = utf8mb4_unicode_ci
default_time_zone = +00:00
innodb_buffer_pool_size = ${bufferPool}M

# Durability: every commit is on disk in InnoDB and in the binary log before it is acknowledged.
innodb_flush_log_at_trx_commit = 1
sync_binlog = 1

# Replication: GTID, row-based, every server logs what it applies so that any replica can be promoted.
log_bin = ${paths.binlogDir}/mariadb-bin
log_bin_index = ${paths.binlogDir}/mariadb-bin.index
relay_log = ${paths.binlogDir}/relay-bin
relay_log_index = ${paths.binlogDir}/relay-bin.index
relay_log_recovery = ON
binlog_format = ROW
binlog_row_image = FULL
log_slave_updates = ON
gtid_domain_id = 0
gtid_strict_mode = ON
binlog_expire_logs_seconds = ${localBinlogDays * 86400}
slave_net_timeout = 10

# Semi-synchronous replication: the primary waits for a replica's ack ${semi.waitPoint === "AFTER_SYNC" ? "after the binary log is synced and before the commit is visible" : "after the commit"}.
rpl_semi_sync_master_wait_point = ${semi.waitPoint}
rpl_semi_sync_master_timeout = ${semi.timeoutMs}

# TLS with the toolkit's internal CA; no plain-text TCP connection is accepted.
ssl_ca = ${tls.ca}
ssl_cert = ${tls.cert}
ssl_key = ${tls.key}
# The CA's CRL: a client certificate it revoked is refused in the handshake (IBAC-PKI-002).
ssl_crl = ${tls.crl}
tls_version = ${topology.tls.protocols.join(",")}
ssl_cipher = ${ciphers}
require_secure_transport = ON

!include ${paths.roleCnf}
`;
}

/** What a server is for right now, as its role file says. */
export type ServerRole =
  /** Accepts writes; waits for a replica's ack when semi-sync is on and a replica is there to give it. */
  | "primary"
  /** Read-only, replicates from the primary, starts replicating when it starts. */
  | "replica"
  /**
   * A former primary after a failover: read-only, never starts replicating by itself, and recovers as a
   * replica so that crash recovery drops the transactions no replica acknowledged.
   */
  | "fenced";

export interface RoleCnfOptions {
  semiSyncEnabled: boolean;
  /**
   * A primary left without replicas (right after a failover) does not wait for acks nobody can send:
   * each commit would stall for the whole timeout. db-rejoin turns the wait back on.
   */
  primaryWaitsForAck?: boolean;
}

export function renderRoleCnf(role: ServerRole, options: RoleCnfOptions): string {
  const semi = options.semiSyncEnabled;
  const lines = [
    `# Rendered by the iBac toolkit: this server's replication role. The db-* runbooks rewrite this file.`,
    `# role: ${role}`,
    "[mysqld]",
  ];
  if (role === "primary") {
    lines.push("read_only = OFF", `rpl_semi_sync_master_enabled = ${semi && (options.primaryWaitsForAck ?? true) ? "ON" : "OFF"}`, `rpl_semi_sync_slave_enabled = ${semi ? "ON" : "OFF"}`, "init_rpl_role = MASTER", "event_scheduler = ON");
  } else if (role === "replica") {
    lines.push("read_only = ON", "rpl_semi_sync_master_enabled = OFF", `rpl_semi_sync_slave_enabled = ${semi ? "ON" : "OFF"}`, "init_rpl_role = SLAVE", "event_scheduler = OFF");
  } else {
    lines.push("read_only = ON", "skip_slave_start = ON", "rpl_semi_sync_master_enabled = OFF", "rpl_semi_sync_slave_enabled = ON", "init_rpl_role = SLAVE", "event_scheduler = OFF");
  }
  return lines.join("\n") + "\n";
}

/** The local administrator's connection (root over the socket, by unix_socket authentication). */
export function renderAdminCnf(paths: DatabasePaths): string {
  return `# Rendered by the iBac toolkit: root over the local socket (unix_socket authentication, no password).
[client]
user = root
socket = ${paths.socket}
`;
}
