/**
 * The logging seam: where the daemons the toolkit configures on a VM send their logs. Every renderer that
 * names a log target takes a `LocalSyslog` (production: the VM's own syslog socket; a lab: its own socket or
 * address), so that forwarding the logs off the VM (rsyslog over RELP/TLS, issue 16) is one change here and
 * in the forwarder, never in each daemon's file.
 */
export interface LocalSyslog {
  /**
   * The syslog socket (an absolute path) or `host:port` (UDP) the daemons write to. HAProxy's `log` takes
   * either; `logger -u` takes the socket.
   */
  target: string;
}

/** On a VM: journald's/rsyslog's socket, which every local program writes to. */
export const PRODUCTION_LOCAL_SYSLOG: LocalSyslog = { target: "/dev/log" };

/**
 * Who logs what under which facility and tag, for the forwarder (issue 16) to route by. HAProxy keeps
 * Debian's local0 (its packaged rsyslog rule files /var/log/haproxy.log by it); keepalived's transitions go
 * to daemon, where keepalived itself logs.
 */
export const LOG_SOURCES = {
  haproxy: { facility: "local0", tag: "haproxy" },
  keepalivedNotify: { facility: "daemon", tag: "keepalived-notify" },
} as const;
