import type { MonitoringEngine } from "../spec/schema";

// Where the monitoring component's own files live (the engine's and the agent's configuration are in
// monitoring/paths.ts): said once, read by the renderers, the component and the tests.

export const MONITORING_COMPONENT_PATHS = {
  /** Installs a monitoring VM's packages: the engine's (nagios4), the plugins, the mail client, the agent. Run first. */
  enginePackagesScript: "/usr/local/sbin/ibac-monitoring-packages",
  /** Installs the NRPE agent's packages on every other monitored host. Run first. */
  agentPackagesScript: "/usr/local/sbin/ibac-nrpe-packages",
  /** The agent's digest: a change of any agent file (a renewed certificate too) restarts the agent. */
  agentDigest: "/var/lib/ibac/nrpe/deployed.sha256",
  /** The engine's digest: a change of any engine file verifies the configuration, then reloads the engine. */
  engineDigest: "/var/lib/ibac/monitoring/deployed.sha256",
} as const;

/** Debian's NRPE: its unit, and the user and group it runs as (the package creates them). */
export const NRPE_UNIT = "nagios-nrpe-server.service";
export const NRPE_GROUP = "nagios";

/**
 * The group the engine runs as, which reads the engine's secrets (client key, resource file, check_mysql options):
 * Debian's nagios4 runs as nagios; Shinken 2.4's packages run every daemon as shinken.
 */
export const ENGINE_GROUP: Readonly<Record<MonitoringEngine, string>> = { nagios4: "nagios", shinken: "shinken" };

/** The engine's systemd unit on a monitoring VM (Shinken's arbiter reads the configuration and dispatches it to the other daemons). */
export const ENGINE_UNIT: Readonly<Record<MonitoringEngine, string>> = { nagios4: "nagios4.service", shinken: "shinken-arbiter.service" };
