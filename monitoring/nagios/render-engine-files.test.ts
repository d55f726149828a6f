import { describe, expect, it } from "vitest";
import { PRODUCTION_MONITORING_PATHS } from "../paths";
import type { MonitoringPlan } from "../plan/types";
import { smallPlan } from "../../test/fixtures/monitoring-engine/small-plan";
import { renderEngineFiles } from "./render-engine-files";
import { firstNotification } from "./render-escalations";
import { contactName } from "./render-contacts";

const PATHS = PRODUCTION_MONITORING_PATHS.engine;
const render = (plan: MonitoringPlan, vm = "mon-2", password = "s3cret") => renderEngineFiles(plan, vm, PATHS, { mysqlPassword: password });
const file = (plan: MonitoringPlan, vm: string, name: string): string => {
  const f = render(plan, vm).find((x) => x.path.endsWith(`/${name}`));
  if (!f) throw new Error(`no ${name}`);
  return f.content;
};

describe("renderEngineFiles: the files, their modes and owners", () => {
  const row = (f: { path: string; mode: string; owner: string; secret?: boolean }) => `${f.path} ${f.mode} ${f.owner}${f.secret ? " secret" : ""}`;

  it("active (mon-1)", () => {
    expect(render(smallPlan(), "mon-1").map(row)).toEqual([
      "/etc/nagios4/nagios.cfg 0644 root:root",
      ...["templates", "timeperiods", "commands", "contacts", "hostgroups", "hosts", "services", "dependencies", "escalations"].map((n) => `/etc/nagios4/ibac/${n}.cfg 0644 root:root`),
      "/etc/nagios4/resource.cfg 0640 root:nagios",
      "/etc/ibac/monitoring/mysql-client.cnf 0640 root:nagios secret",
      "/etc/ibac/monitoring/msmtprc 0640 root:nagios",
      "/usr/local/lib/ibac/monitoring/ibac-notify 0755 root:root",
      "/usr/local/lib/ibac/monitoring/ibac-check-tls 0755 root:root",
      "/usr/local/lib/ibac/monitoring/ibac-check-https 0755 root:root",
    ]);
  });

  it("standby (mon-2): standby.cfg and the takeover handler too", () => {
    const rows = render(smallPlan(), "mon-2").map(row);
    expect(rows).toContain("/etc/nagios4/ibac/standby.cfg 0644 root:root");
    expect(rows).toContain("/usr/local/lib/ibac/monitoring/ibac-standby-takeover 0755 root:root");
    expect(rows).toHaveLength(18);
  });

  it("notifications on the active only; the settings the design names", () => {
    const active = file(smallPlan(), "mon-1", "nagios.cfg");
    const standby = file(smallPlan(), "mon-2", "nagios.cfg");
    expect(active).toMatch(/^enable_notifications=1$/m);
    expect(standby).toMatch(/^enable_notifications=0$/m);
    for (const line of ["interval_length=1", "cfg_dir=/etc/nagios4/ibac", "resource_file=/etc/nagios4/resource.cfg", "check_external_commands=1", "command_file=/var/lib/nagios4/rw/nagios.cmd", "use_syslog=1", "enable_environment_macros=1", "illegal_macro_output_chars=`~$&|'\"<>"]) {
      expect(active.split("\n")).toContain(line);
    }
  });

  it("the password is only in the secret option file", () => {
    const files = render(smallPlan(), "mon-1", "pa\"ss\\word");
    expect(files.filter((f) => f.content.includes("pa")).filter((f) => f.content.includes("ss\\\\word")).map((f) => f.path)).toEqual(["/etc/ibac/monitoring/mysql-client.cnf"]);
    expect(files.find((f) => f.secret)?.content).toBe(
      '# check_mysql\'s account (ibac monitoring). Rendered by ibac: edits are overwritten.\n[client]\nuser=ibac_monitor\npassword="pa\\"ss\\\\word"\nssl-ca=/etc/ibac/monitoring/ca.pem\nssl-verify-server-cert=1\n',
    );
  });

  it("timing in seconds, custom variables, parents, host check by the agent port", () => {
    const templates = file(smallPlan(), "mon-1", "templates.cfg");
    expect(templates).toMatch(/check_interval\s+30\n\s+retry_interval\s+5\n\s+max_check_attempts\s+3\n/);
    expect(templates).toMatch(/notification_interval\s+3600\n/);
    const hosts = file(smallPlan(), "mon-1", "hosts.cfg");
    expect(hosts).toMatch(/host_name\s+db-1\n.*\n\s+address\s+10.20.2.11\n\s+parents\s+pve1\n\s+hostgroups\s+tier-database\n\s+check_command\s+ibac-check-host-agent!5666\n\s+_KIND\s+vm\n\s+_TIER\s+database\n/);
    expect(hosts).toMatch(/host_name\s+vip-databasePrimary\n.*\n.*\n\s+parents\s+db-1,db-2\n.*\n\s+check_command\s+ibac-check-tcp!3306\n\s+_KIND\s+virtual-address\n/);
    expect(hosts).not.toContain("event_handler");
    expect(file(smallPlan(), "mon-2", "hosts.cfg")).toMatch(/host_name\s+mon-1\n(.*\n){5}\s+event_handler\s+ibac-standby-takeover\n/);
    expect(file(smallPlan(), "mon-1", "services.cfg")).toMatch(/service_description\s+mariadb replication\n\s+check_command\s+ibac-check-mysql-replication!3306!30!120\n.*\n\s+first_notification_delay\s+\d+\n\s+_LAYER\s+service\n\s+_FLOW\s+monitoring>db:mysql\n/);
  });

  it("escalations: by notification number, cumulative contact groups", () => {
    expect([firstNotification(30, 60), firstNotification(60, 60), firstNotification(61, 60), firstNotification(120, 60)]).toEqual([2, 2, 3, 3]);
    const esc = file(smallPlan(), "mon-1", "escalations.cfg");
    expect([...esc.matchAll(/contact_groups\s+(\S+)/g)].map((m) => m[1])).toEqual(["oncall,escalation-1", "oncall,escalation-1", "oncall,escalation-1,escalation-2", "oncall,escalation-1,escalation-2"]);
    const contacts = file(smallPlan(), "mon-1", "contacts.cfg");
    expect([...contacts.matchAll(/contact_name\s+(\S+)/g)].map((m) => m[1])).toEqual(["mail-oncall@example.org", "mail-second@example.org", "mail-lead@example.org", "mail-cto@example.org"]);
    expect(contacts).toMatch(/contactgroup_name\s+escalation-2\n.*\n\s+members\s+mail-cto@example.org,mail-oncall@example.org\n/);
  });

  it("a spec address with characters Nagios refuses in names keeps its address, not its name", () => {
    expect(contactName("o'brien$x@example.org")).toBe("mail-o_brien_x@example.org");
  });
});

describe("renderEngineFiles refuses what cannot reach a file safely", () => {
  const mutate = (change: (p: MonitoringPlan) => void): MonitoringPlan => {
    const p = smallPlan();
    change(p);
    return p;
  };

  it.each<[string, (p: MonitoringPlan) => void, string]>([
    ["a line break in a check's text", (p) => (p.checks[0].what = "load\nfoo 1"), 'nagios: check "load" on pve1: what: expected no line breaks or control characters, found "\\n" in "load\\nfoo 1"'],
    ["a ';' in a check's text", (p) => (p.checks[0].what = "load; no"), 'nagios: check "load" on pve1: what: expected no \';\' (it starts a comment), found "load; no"'],
    ["a shell character in a TLS name", (p) => {
      const c = p.checks.find((x) => x.command.kind === "https");
      if (c?.command.kind === "https") c.command.serverName = "api.x;reboot";
    }, 'nagios: check "https" on api-1: serverName: expected no \';\' (it starts a comment), found "api.x;reboot"'],
    ["a quote in an HTTP path", (p) => {
      const c = p.checks.find((x) => x.command.kind === "https");
      if (c?.command.kind === "https") c.command.path = "/health'";
    }, "nagios: check \"https\" on api-1: path: expected a URL path of letters, digits and '/._~%-' starting with '/', found \"/health'\""],
    ["a '$' in an expected status", (p) => {
      const c = p.checks.find((x) => x.command.kind === "https");
      if (c?.command.kind === "https") c.command.expect = "$USER3$";
    }, "nagios: check \"https\" on api-1: expect: expected 1 to 64 letters, digits, blanks and '._/-', found \"$USER3$\""],
    ["a service on an unknown host", (p) => (p.checks[0].host = "ghost"), 'nagios: check "load": host "ghost" is not a monitored host'],
    ["a description Nagios cannot hold", (p) => (p.checks[0].description = "load (1m)"), "nagios: check on pve1: description: expected 1 to 100 letters, digits, blanks and '._-', found \"load (1m)\""],
    ["the same check twice", (p) => p.checks.push({ ...p.checks[0] }), 'nagios: check "load" on pve1: defined twice'],
    ["an NRPE command the agent lacks", (p) => (p.checks[0].command = { kind: "nrpe", agentCommand: "ibac_nothing" }), 'nagios: check "load" on pve1: the agent has no command "ibac_nothing"'],
    ["an unknown parent", (p) => (p.hosts[2].parents = ["pve9"]), 'nagios: host mon-1: parent "pve9" is not a monitored host'],
    ["a host address a shell would read", (p) => (p.hosts[0].address = "10.0.0.1 -c x"), 'nagios: host pve1: address: expected a DNS name or an IPv4 address, found "10.0.0.1 -c x"'],
    ["a host name Nagios refuses", (p) => (p.hosts[0].name = "pve(1)"), 'nagios: host "pve(1)": name: expected a name without any of `~!$%^&*|\'"<>?,()=, found "(" in "pve(1)"'],
    ["escalations with notify-once", (p) => (p.notifications.repeatMinutes = 0), "nagios: notifications: escalations need repeatMinutes above 0 (Nagios escalates by the number of notifications sent, and 0 sends one)"],
    ["escalations out of order", (p) => (p.notifications.escalations[1].afterMinutes = 10), "nagios: notifications.escalations[1]: expected afterMinutes above the previous level's 30, found 10"],
    ["a relay host with a blank", (p) => (p.notifications.relay.host = "relay example"), 'nagios: notifications.relay.host: expected a DNS name or an IPv4 address, found "relay example"'],
    ["a sender with a quote", (p) => (p.notifications.from = "mon'x@example.org"), "nagios: notifications.from: expected an e-mail address of letters, digits and '._%+-', found \"mon'x@example.org\""],
    ["an escape character in an address", (p) => (p.notifications.email[0] = "a\u001b[2J@example.org"), 'nagios: notifications: e-mail address: expected no line breaks or control characters, found "\\u001b" in "a\\u001b[2J@example.org"'],
    ["no agent for the active VM's engine check", (p) => (p.agents = p.agents.map((a) => (a.host === "mon-1" ? { ...a, commands: a.commands.filter((c) => c.name !== "ibac_engine") } : a))), "nagios: standby: the agent of the active monitoring VM mon-1 has no command ibac_engine"],
  ])("%s", (_what, change, message) => {
    expect(() => render(mutate(change))).toThrow(message);
    expect(() => render(mutate(change))).toThrowError(new Error(message));
  });

  it("a VM that is not a monitoring server", () => {
    expect(() => render(smallPlan(), "db-1")).toThrowError(new Error('nagios: "db-1" is not a monitoring VM of the plan (mon-1, mon-2)'));
  });

  it("a password with a line break, without showing it", () => {
    expect(() => render(smallPlan(), "mon-1", "abc\ndef")).toThrowError(new Error("nagios: mysql client file: the monitoring password holds a control character"));
  });
});
