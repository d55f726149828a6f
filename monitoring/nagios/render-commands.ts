// commands.cfg: one command per kind of check (CheckCommand) and the two notification commands. A check's
// values travel as $ARGn$ and are held to strict patterns first (checkCommandFor), because Nagios runs a
// command line holding a quote through /bin/sh; the few that may hold a blank are single-quoted, and no pattern
// admits a quote.
//
// What Debian 12's monitoring-plugins 2.3.3 really do (read from their --help, and run against a local TLS server):
// - TLS endpoints need a chain, name and expiry check no single plugin gives: the ibac-check-tls and
//   ibac-check-https scripts (render-tls-check-scripts.ts) say why and combine them.
// - check_mysql -l -C CA: TLS verified against the CA; -f FILE -g client reads the account from an option file.
//   check_mysql_query has no TLS options: the option file's ssl-ca turns TLS on for it (MariaDB Connector/C).
// - check_nrpe -A CA -C CERT -K KEY -S TLSv1.2+: mutual TLS, the agent's certificate verified against the CA.

import type { CheckCommand, MonitorCheck, MonitoringPlan } from "../plan/types";
import type { EnginePaths } from "../paths";
import { HTTPS_CHECK_SCRIPT, TLS_CHECK_SCRIPT } from "./render-tls-check-scripts";
import { commandArgument, defineObject, filePath, HOST_NAME, HOST_NAME_EXPECTED, objectFile, port, positiveInteger, show } from "./object-text";

export const COMMANDS = {
  hostAgent: "ibac-check-host-agent",
  nrpe: "ibac-check-nrpe",
  tcp: "ibac-check-tcp",
  tcpTls: "ibac-check-tcp-tls",
  https: "ibac-check-https",
  mysqlConnection: "ibac-check-mysql",
  mysqlReplication: "ibac-check-mysql-replication",
  mysqlReadOnly: "ibac-check-mysql-read-only",
  proxmoxApi: "ibac-check-proxmox-api",
  notifyHost: "notify-host-by-email",
  notifyService: "notify-service-by-email",
  standbyTakeover: "ibac-standby-takeover",
} as const;

/** The notification script in scriptDir: it reads Nagios's environment macros, never its command line. */
export const NOTIFY_SCRIPT = "ibac-notify";
/** The standby's event handler in scriptDir. */
export const TAKEOVER_SCRIPT = "ibac-standby-takeover";

const AGENT_COMMAND = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const URL_PATH = /^\/[A-Za-z0-9._~/%-]*$/;
const EXPECT = /^[A-Za-z0-9 ._/-]{1,64}$/;

function days(value: number, what: string): number {
  return positiveInteger(value, what);
}

/** The `check_command` of a check: `COMMAND!ARG1!ARG2...`, every argument checked. */
export function checkCommandFor(check: Pick<MonitorCheck, "host" | "description" | "command">, agentPort: number | undefined): string {
  const what = `check "${check.description}" on ${check.host}`;
  const c: CheckCommand = check.command;
  switch (c.kind) {
    case "nrpe": {
      if (agentPort === undefined) throw new Error(`nagios: ${what}: an NRPE check on a host without an agent`);
      const name = commandArgument(c.agentCommand, AGENT_COMMAND, "an agent command name of letters, digits, '_' and '-'", `${what}: agentCommand`);
      return `${COMMANDS.nrpe}!${port(agentPort, `${what}: agent port`)}!${name}`;
    }
    case "tcp": {
      const p = port(c.port, `${what}: port`);
      if (!c.tls) return `${COMMANDS.tcp}!${p}`;
      const name = commandArgument(c.tls.serverName, HOST_NAME, HOST_NAME_EXPECTED, `${what}: serverName`);
      return `${COMMANDS.tcpTls}!${p}!${name}!${days(c.tls.expiry.warnDays, `${what}: warnDays`)}!${days(c.tls.expiry.criticalDays, `${what}: criticalDays`)}`;
    }
    case "https": {
      const args = [
        port(c.port, `${what}: port`),
        commandArgument(c.serverName, HOST_NAME, HOST_NAME_EXPECTED, `${what}: serverName`),
        commandArgument(c.path, URL_PATH, "a URL path of letters, digits and '/._~%-' starting with '/'", `${what}: path`),
        commandArgument(c.expect, EXPECT, "1 to 64 letters, digits, blanks and '._/-'", `${what}: expect`),
        days(c.expiry.warnDays, `${what}: warnDays`),
        days(c.expiry.criticalDays, `${what}: criticalDays`),
      ];
      return [COMMANDS.https, ...args].join("!");
    }
    case "mysql": {
      const p = port(c.port, `${what}: port`);
      if (c.check === "connection") return `${COMMANDS.mysqlConnection}!${p}`;
      if (c.check === "replication") {
        const warn = positiveInteger(c.warnLagSeconds, `${what}: warnLagSeconds`, 0);
        const crit = positiveInteger(c.criticalLagSeconds, `${what}: criticalLagSeconds`, 0);
        return `${COMMANDS.mysqlReplication}!${p}!${warn}!${crit}`;
      }
      // A range of one value: critical whenever @@read_only is anything else.
      const expected = c.expected ? 1 : 0;
      return `${COMMANDS.mysqlReadOnly}!${p}!${expected}:${expected}`;
    }
    case "proxmox-api":
      return `${COMMANDS.proxmoxApi}!${port(c.port, `${what}: port`)}`;
  }
}

/** The host check of a host with an agent: a TCP connect to the agent's port (the flow the firewall has; no ICMP flow). */
export function hostCheckCommand(agentPort: number): string {
  return `${COMMANDS.hostAgent}!${port(agentPort, "host check: agent port")}`;
}

/** The host check of a host without an agent (a virtual address): a TCP connect to the first port it serves. */
export function hostCheckByServicePort(plan: MonitoringPlan, host: string): string {
  const served = plan.checks.find((c) => c.host === host && c.command.kind !== "nrpe");
  if (!served || served.command.kind === "nrpe") throw new Error(`nagios: host ${show(host)}: no agent and no TCP check to check it by`);
  return `${COMMANDS.tcp}!${port(served.command.port, `host ${host}: port`)}`;
}

export function renderCommands(paths: EnginePaths): string {
  const ca = filePath(paths.caFile, "caFile");
  const cert = filePath(paths.clientCertFile, "clientCertFile");
  const key = filePath(paths.clientKeyFile, "clientKeyFile");
  const mysqlFile = filePath(paths.mysqlClientFile, "mysqlClientFile");
  const scripts = filePath(paths.scriptDir, "scriptDir");
  const mysql = `-H $HOSTADDRESS$ -P $ARG1$ -f ${mysqlFile} -g client`;
  const command = (name: string, line: string): string => defineObject("command", [["command_name", name], ["command_line", line]]);
  return objectFile("Commands: one per kind of check, and the notifications", [
    command(COMMANDS.hostAgent, "$USER1$/check_tcp -H $HOSTADDRESS$ -p $ARG1$"),
    command(COMMANDS.nrpe, `$USER1$/check_nrpe -H $HOSTADDRESS$ -p $ARG1$ -c $ARG2$ -A ${ca} -C ${cert} -K ${key} -S TLSv1.2+`),
    command(COMMANDS.tcp, "$USER1$/check_tcp -H $HOSTADDRESS$ -p $ARG1$"),
    command(COMMANDS.tcpTls, `$USER2$/${TLS_CHECK_SCRIPT} $HOSTADDRESS$ $ARG1$ $ARG2$ $ARG3$ $ARG4$`),
    command(COMMANDS.https, `$USER2$/${HTTPS_CHECK_SCRIPT} $HOSTADDRESS$ $ARG1$ $ARG2$ '$ARG3$' '$ARG4$' $ARG5$ $ARG6$`),
    command(COMMANDS.mysqlConnection, `$USER1$/check_mysql ${mysql} -l -C ${ca}`),
    command(COMMANDS.mysqlReplication, `$USER1$/check_mysql ${mysql} -l -C ${ca} -S -w $ARG2$ -c $ARG3$`),
    command(COMMANDS.mysqlReadOnly, `$USER1$/check_mysql_query ${mysql} -q 'SELECT @@read_only' -c $ARG2$`),
    // The API refuses a request without a ticket: a 401 from pveproxy shows the API answers over TLS. The
    // node's own cluster CA is not on the monitoring VM, so the chain is not verified here.
    command(COMMANDS.proxmoxApi, "$USER1$/check_http -I $HOSTADDRESS$ -p $ARG1$ -S --sni -u /api2/json/version -e 401"),
    // No macro on these lines: the script reads NAGIOS_* environment variables, so no plugin output or
    // address is ever parsed by a shell.
    command(COMMANDS.notifyHost, `${scripts}/${NOTIFY_SCRIPT} host`),
    command(COMMANDS.notifyService, `${scripts}/${NOTIFY_SCRIPT} service`),
  ]);
}
