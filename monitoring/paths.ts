// Where the monitoring files live on the VMs. Renderers take a `MonitoringPaths` so the lab can run the same
// text under a temporary directory; production uses the Debian packages' places.

/** The engine's files on a monitoring VM (nagios4: Debian's nagios4-core layout). */
export interface EnginePaths {
  /** The main configuration (`nagios4 -v` reads it). */
  mainConfig: string;
  /** The rendered object files (hosts, services, commands, contacts, ...), one `cfg_dir`. */
  objectsDir: string;
  /** `$USERn$` macros, among them the database monitoring password: a secret, 0640 root:nagios. */
  resourceFile: string;
  /** status.dat, retention.dat, the command pipe. */
  stateDir: string;
  commandFile: string;
  logFile: string;
  /** Debian's monitoring-plugins. */
  pluginDir: string;
  /** The toolkit's own scripts on the monitoring VM (notification, standby takeover). */
  scriptDir: string;
  /** The mail client's configuration (msmtp: relay, STARTTLS required, trust file). */
  msmtpConfig: string;
  /** The MariaDB client options file of check_mysql (`-f FILE -g client`): the monitoring account's password, 0640 root:nagios. */
  mysqlClientFile: string;
  /** The internal CA the checks verify every TLS endpoint and agent against. */
  caFile: string;
  /** The monitoring VM's client certificate and key (NRPE's client auth; MariaDB's X.509 is not used). */
  clientCertFile: string;
  clientKeyFile: string;
  /** Where the relay's certificate is verified from (the relay is outside the platform: the system bundle). */
  relayTrustFile: string;
  /** Shinken's daemon files (engine `shinken` only). */
  shinkenDir: string;
  /** Shinken's working directory (pid files, retention) and its logs (engine `shinken` only). */
  shinkenStateDir: string;
  shinkenLogDir: string;
}

/** The NRPE agent's files on every monitored host. */
export interface AgentPaths {
  /**
   * The main nrpe.cfg, replaced: Debian's sets allowed_hosts=127.0.0.1,::1 and NRPE adds every allowed_hosts
   * line to one list, so only a main file without one leaves the drop-in's list alone.
   */
  mainConfig: string;
  /** NRPE's pid file (Debian's unit: PIDFile=/run/nagios/nrpe.pid). */
  pidFile: string;
  /** The drop-in with the agent's settings and commands (Debian's nrpe.cfg includes nrpe.d/). */
  config: string;
  /** The agent's TLS files (its certificate from the internal CA, the CA that signs monitoring's client cert). */
  tlsDir: string;
  /** The sudoers drop-in allowing exactly the root commands (`visudo -c -f`). */
  sudoers: string;
  /** The toolkit's local check scripts. */
  scriptDir: string;
}

export interface MonitoringPaths {
  engine: EnginePaths;
  agent: AgentPaths;
}

export const PRODUCTION_MONITORING_PATHS: MonitoringPaths = {
  engine: {
    mainConfig: "/etc/nagios4/nagios.cfg",
    objectsDir: "/etc/nagios4/ibac",
    resourceFile: "/etc/nagios4/resource.cfg",
    stateDir: "/var/lib/nagios4",
    commandFile: "/var/lib/nagios4/rw/nagios.cmd",
    logFile: "/var/log/nagios4/nagios.log",
    pluginDir: "/usr/lib/nagios/plugins",
    scriptDir: "/usr/local/lib/ibac/monitoring",
    msmtpConfig: "/etc/ibac/monitoring/msmtprc",
    mysqlClientFile: "/etc/ibac/monitoring/mysql-client.cnf",
    caFile: "/etc/ibac/monitoring/ca.pem",
    clientCertFile: "/etc/ibac/monitoring/client.pem",
    clientKeyFile: "/etc/ibac/monitoring/client-key.pem",
    relayTrustFile: "/etc/ssl/certs/ca-certificates.crt",
    shinkenDir: "/etc/shinken",
    shinkenStateDir: "/var/lib/shinken",
    shinkenLogDir: "/var/log/shinken",
  },
  agent: {
    mainConfig: "/etc/nagios/nrpe.cfg",
    pidFile: "/run/nagios/nrpe.pid",
    config: "/etc/nagios/nrpe.d/ibac.cfg",
    tlsDir: "/etc/nagios/ibac-tls",
    sudoers: "/etc/sudoers.d/ibac-nrpe",
    scriptDir: "/usr/local/lib/ibac/nrpe",
  },
};

/**
 * The same layout under `root` (a lab or test directory): every path moved under it, except Debian's plugins
 * and programs, which the lab runs from where the packages put them.
 */
export function monitoringPathsUnder(root: string, base: MonitoringPaths = PRODUCTION_MONITORING_PATHS): MonitoringPaths {
  const under = (p: string): string => `${root.replace(/\/+$/, "")}${p}`;
  const moved = <T extends object>(paths: T, keep: readonly (keyof T)[]): T =>
    Object.fromEntries(Object.entries(paths).map(([k, v]) => [k, keep.includes(k as keyof T) ? v : under(String(v))])) as T;
  return { engine: moved(base.engine, ["pluginDir"]), agent: moved(base.agent, []) };
}

/**
 * The toolkit's local check scripts (in `agent.scriptDir`), by what they check. Each takes its arguments on
 * the agent's command line (fixed in the agent's config: NRPE passes none from the network) and prints one
 * Nagios plugin line, exit 0/1/2/3.
 */
export const AGENT_SCRIPTS = {
  /** MemAvailable against thresholds in percent: `check_ibac_memory WARN_PCT CRIT_PCT`. */
  memory: "check_ibac_memory",
  /** A DRBD resource connected and UpToDate on both sides: `check_ibac_drbd RESOURCE`. */
  drbd: "check_ibac_drbd",
  /** Pacemaker: quorate, no failed actions, every resource started: `check_ibac_pacemaker`. */
  pacemaker: "check_ibac_pacemaker",
  /** Every HAProxy backend has a server UP, through the stats socket: `check_ibac_haproxy SOCKET`. */
  haproxy: "check_ibac_haproxy",
  /** keepalived's VRRP state of an instance is MASTER or BACKUP (not FAULT): `check_ibac_vrrp INSTANCE`. */
  vrrp: "check_ibac_vrrp",
  /** The newest Bacula job of a client ended T within HOURS: `check_ibac_bacula_job CATALOG CLIENT HOURS`. */
  baculaJob: "check_ibac_bacula_job",
  /** An IKE SA of a swanctl connection is ESTABLISHED with a child SA INSTALLED: `check_ibac_ipsec CONNECTION`. */
  ipsec: "check_ibac_ipsec",
  /** A certificate file's expiry: `check_ibac_cert_file FILE WARN_DAYS CRIT_DAYS`. */
  certFile: "check_ibac_cert_file",
  /** The clock is synchronised (timedatectl), for a host without an NTP flow: `check_ibac_timesync`. */
  timesync: "check_ibac_timesync",
  /** corosync is quorate (a Proxmox node, and a Pacemaker pair's own cluster): `check_ibac_quorum`. */
  quorum: "check_ibac_quorum",
  /** The monitoring engine itself runs and writes its status (the standby's check of the active VM). */
  engine: "check_ibac_engine",
} as const;
export type AgentScript = (typeof AGENT_SCRIPTS)[keyof typeof AGENT_SCRIPTS];
