// Which check another one depends on, so that one failure is one problem: every protocol check of a port
// (TLS handshake and certificate, HTTPS health, MariaDB connection, Proxmox API) depends on the plain TCP check
// of that port on the same host, and a database's replication and read-only checks on its connection check.
// A stopped MariaDB then notifies once (its port), not through the connection, replication and read-only too.

import { worstCaseNotifySeconds, type MonitorCheck, type MonitoringPlan } from "../plan/types";

function isMysql(c: MonitorCheck, check: "connection" | "replication" | "read-only"): boolean {
  return c.command.kind === "mysql" && c.command.check === check;
}

/** The port a check connects to from the monitoring VM, for a check that is more than a TCP connect. */
function protocolPort(c: MonitorCheck): number | undefined {
  switch (c.command.kind) {
    case "tcp":
      return c.command.tls ? c.command.port : undefined;
    case "https":
    case "proxmox-api":
      return c.command.port;
    case "mysql":
      return c.command.check === "connection" ? c.command.port : undefined;
    case "nrpe":
      return undefined;
    default: {
      const never: never = c.command;
      throw new Error(`dependencies: unknown check kind ${JSON.stringify(never)}`);
    }
  }
}

/** The checks of each host, so that finding a master stays linear in the checks. */
export type ChecksByHost = ReadonlyMap<string, readonly MonitorCheck[]>;

export function checksByHost(plan: Pick<MonitoringPlan, "checks">): ChecksByHost {
  const byHost = new Map<string, MonitorCheck[]>();
  for (const c of plan.checks) byHost.set(c.host, [...(byHost.get(c.host) ?? []), c]);
  return byHost;
}

/** The check `dependent` depends on: the plain TCP check of its port, or a database's connection check. */
export function masterOf(byHost: ChecksByHost, dependent: MonitorCheck): MonitorCheck | undefined {
  const onHost = (byHost.get(dependent.host) ?? []).filter((m) => m !== dependent);
  if (isMysql(dependent, "replication") || isMysql(dependent, "read-only")) return onHost.find((m) => isMysql(m, "connection"));
  const port = protocolPort(dependent);
  if (port === undefined) return undefined;
  return onHost.find((m) => m.command.kind === "tcp" && !m.command.tls && m.command.port === port);
}

/**
 * How long a dependent check waits before its first notification, in seconds: long enough for its master to
 * have failed hard if it is going to (the master's failure may come one interval after the dependent's last
 * OK result, and then takes the worst case to turn hard; one retry more for the result to be read). Nagios's
 * predictive dependency checks do not make this certain: in the lab a connection check notified 3 s before
 * its port check first ran. A failure only the dependent sees (a refused login, a stopped replication) waits
 * that much longer to notify.
 */
export function dependentNotificationDelaySeconds(plan: Pick<MonitoringPlan, "timing">): number {
  return plan.timing.intervalSeconds + worstCaseNotifySeconds(plan.timing) + plan.timing.retryIntervalSeconds;
}

/** The checks that depend on another one (their master per `masterOf`). */
export function dependentChecks(plan: MonitoringPlan): Set<MonitorCheck> {
  const byHost = checksByHost(plan);
  return new Set(plan.checks.filter((c) => masterOf(byHost, c) !== undefined));
}
