import { describe, expect, it } from "vitest";
import { LineConfigError, allValues, lastValue, msmtpDefaultAccount, msmtpOn, parseKeyEqualsValue } from "./line-configs";
import { NagiosObjectError, NagiosObjectSet, parseNagiosObjects } from "./nagios-objects";
import { expandUserMacros, msmtpCallIn, msmtpCallOf, textRunBy } from "./notification-path";

const OBJECTS = `# templates
define host {
  name            ibac-host
  check_interval  30
  _KIND           vm
  hostgroups      all-hosts
  register        0
}
define host{
  name            ibac-vm
  use             ibac-host
  check_interval  60 ; a comment after a value
  register        0
}
define host {
  use        ibac-vm
  host_name  db-1
  address    10.0.0.1
  _tier      database
  hostgroups +tier-database
}
define host {
  use        ibac-host
  host_name  pve1
  check_interval null
}
define hostgroup {
  hostgroup_name tier-database
}
define service {
  host_name            db-1, pve1
  service_description  load
  check_command        check_nrpe_tls!ibac_load
  _LAYER               server
}
define service {
  hostgroup_name       tier-database
  host_name            !pve1
  service_description  MariaDB
  check_command        check_mysql!3306
  _LAYER               service
}
define command {
  command_name  check_nrpe_tls
  command_line  $USER1$/check_nrpe -H $HOSTADDRESS$ -c $ARG1$ \\; echo
}
`;

function errorOf(f: () => unknown, type: new (...a: never[]) => Error): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return (err as Error).message;
  }
  throw new Error("expected an error, the text was accepted");
}

describe("the Nagios object reader", () => {
  const set = new NagiosObjectSet(parseNagiosObjects(OBJECTS, "objects.cfg"));
  const host = (name: string) => {
    const h = set.find("host", name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  };

  it("reads definitions, drops comments, resolves use (nearest template wins, null cancels, + appends)", () => {
    expect(set.registered("host").map((h) => set.value(h, "host_name"))).toEqual(["db-1", "pve1"]);
    expect(set.value(host("db-1"), "check_interval")).toBe("60");
    expect(set.value(host("db-1"), "_KIND")).toBe("vm");
    expect(set.value(host("db-1"), "_TIER")).toBe("database");
    expect(set.value(host("db-1"), "hostgroups")).toBe("all-hosts,tier-database");
    expect(set.value(host("pve1"), "check_interval")).toBeUndefined();
    expect(host("db-1")).toMatchObject({ file: "objects.cfg", line: 15 });
  });

  it("finds the hosts of a service through host_name lists, host groups (members named by the hosts) and exclusions", () => {
    const [load, mariadb] = set.registered("service");
    expect([...set.hostsOf(load)]).toEqual(["db-1", "pve1"]);
    expect([...set.hostsOf(mariadb)]).toEqual(["db-1"]);
    expect(set.value(mariadb, "_layer")).toBe("service");
  });

  it("expands a check_command into its command line ($ARGn$ replaced, \\; a literal semicolon)", () => {
    const [load] = set.registered("service");
    expect(set.commandLine(set.value(load, "check_command"))).toBe("$USER1$/check_nrpe -H $HOSTADDRESS$ -c ibac_load ; echo");
    expect(set.command("check_mysql!3306")).toEqual({ name: "check_mysql", args: ["3306"], definition: undefined });
  });

  it.each([
    ["define host {\n  host_name a\n", "f.cfg line 1: the host definition is not closed (missing \"}\")"],
    ["host_name a\n", "f.cfg line 1: \"host_name a\" outside a definition (expected \"define <type> {\")"],
    ["define host {\n  host_name a\ndefine service {\n}\n", "f.cfg line 3: a define inside the host definition of line 1 (missing \"}\")"],
    // Nagios too reads "a }" as the value: the definition stays open.
    ["define host {\n  host_name a }\n", "f.cfg line 1: the host definition is not closed (missing \"}\")"],
    ["include_dir=/etc/nagios4/more\n", "f.cfg line 1: include_dir is not read by this policy: render every object into the cfg_dir"],
    ["define host {\n  host_name a\n  }x\n}\n", "f.cfg line 3: \"}x\" is not a directive (a \"}\" closes a definition alone on its line)"],
  ])("refuses unreadable text %#", (text, message) => {
    expect(errorOf(() => parseNagiosObjects(text, "f.cfg"), NagiosObjectError)).toBe(message);
  });

  it("refuses a template no file defines, and templates that use each other", () => {
    expect(errorOf(() => new NagiosObjectSet(parseNagiosObjects("define host {\n  use nowhere\n  host_name a\n}\n", "hosts.cfg")), NagiosObjectError)).toBe('hosts.cfg line 1: the host uses template "nowhere", which no object file defines');
    const loop = "define host {\n  name a\n  use b\n  register 0\n}\ndefine host {\n  name b\n  use a\n  register 0\n}\n";
    expect(errorOf(() => new NagiosObjectSet(parseNagiosObjects(loop, "t.cfg")), NagiosObjectError)).toBe("t.cfg line 1: templates use each other: a -> b -> a");
  });
});

describe("the key=value and msmtprc readers", () => {
  it("reads nagios.cfg / nrpe.cfg lines: repeated keys kept in order, the last value wins", () => {
    const lines = parseKeyEqualsValue("# main\ncfg_dir=/a\ncfg_dir=/b\nenable_notifications=1\nenable_notifications=0\ncommand[ibac_load]=/usr/lib/nagios/plugins/check_load -w 1 -c 2\n", "nagios.cfg");
    expect(allValues(lines, "cfg_dir")).toEqual(["/a", "/b"]);
    expect(lastValue(lines, "enable_notifications")).toEqual({ key: "enable_notifications", value: "0", line: 5 });
    expect(lastValue(lines, "command[ibac_load]")?.value).toBe("/usr/lib/nagios/plugins/check_load -w 1 -c 2");
    expect(errorOf(() => parseKeyEqualsValue("ok=1\nnot a setting\n", "nrpe.cfg"), LineConfigError)).toBe('nrpe.cfg line 2: "not a setting" is not a key=value line');
  });

  it("resolves msmtp's account: defaults apply to the accounts after them, the account's own lines win, `account default : x` aliases", () => {
    const text = "defaults\ntls on\ntls_starttls on\nport 587\naccount relay\nhost relay.example.org\nport 25\naccount default : relay\ntls_starttls off\n";
    const account = msmtpDefaultAccount(text, "msmtprc");
    expect(account.name).toBe("default");
    expect(account.settings.get("host")?.value).toBe("relay.example.org");
    expect(account.settings.get("port")?.value).toBe("25");
    expect(msmtpOn(account.settings.get("tls"))).toBe(true);
    expect(msmtpOn(account.settings.get("tls_starttls"))).toBe(false);
    expect(msmtpDefaultAccount("account a\nhost x\ntls\naccount b\nhost y\n").settings.get("host")?.value).toBe("x");
    expect(errorOf(() => msmtpDefaultAccount("defaults\ntls on\n", "msmtprc"), LineConfigError)).toBe("msmtprc: no account: msmtp sends nothing with this file");
    expect(errorOf(() => msmtpDefaultAccount("account default : relay\n", "msmtprc"), LineConfigError)).toBe("msmtprc line 1: account default is based on relay, which is not defined above it");
  });

  it("finds the msmtp call of a notification command, in its line or in the delivered script it runs", () => {
    expect(msmtpCallIn('printf "%b" "$X" | /usr/bin/msmtp -C /etc/ibac/monitoring/msmtprc -- "$CONTACTEMAIL$"')).toEqual({ config: "/etc/ibac/monitoring/msmtprc" });
    expect(msmtpCallIn('CONF="/etc/m/msmtprc"\n# /usr/bin/msmtp -C /wrong\nexec /usr/bin/msmtp --file="$CONF" -- "$1"\n')).toEqual({ config: "/etc/m/msmtprc" });
    expect(msmtpCallIn("/usr/bin/msmtp -- a@b.c")).toEqual({ problem: "msmtp is called without -C: it reads a configuration the stack does not deliver (~/.msmtprc or /etc/msmtprc)" });
    expect(msmtpCallIn("/usr/sbin/sendmail -t")).toBeUndefined();
    const script = { host: "mon-1", path: "/usr/local/lib/ibac/monitoring/ibac-notify", urn: "u", content: "#!/bin/sh\n/usr/bin/msmtp -C /etc/m/rc -- \"$1\"\n" };
    expect(msmtpCallOf("/usr/local/lib/ibac/monitoring/ibac-notify host", [script])).toEqual({ config: "/etc/m/rc", via: script.path });
    expect(msmtpCallOf("/bin/sh -c /usr/local/lib/ibac/monitoring/ibac-notify", [script])).toEqual({ config: "/etc/m/rc", via: script.path });
    expect(msmtpCallOf("/usr/bin/mail -s x a@b.c", [script])).toEqual({ problem: "it runs /usr/bin/mail, which is neither msmtp nor a script the stack delivers" });
    expect(msmtpCallOf(script.path, [{ ...script, content: "#!/bin/sh\n/usr/sbin/sendmail -t\n" }])).toEqual({ problem: `${script.path} does not call msmtp` });
  });

  it("expands $USERn$ from the engine's resource file, and reads the script a command runs", () => {
    const resource = { host: "mon-1", path: "/etc/nagios4/resource.cfg", urn: "u", content: "# macros\n$USER1$=/usr/lib/nagios/plugins\n$USER2$=/usr/local/lib/ibac/monitoring\n" };
    expect(expandUserMacros("$USER2$/ibac-notify host $USER1$ $USER9$", resource)).toBe("/usr/local/lib/ibac/monitoring/ibac-notify host /usr/lib/nagios/plugins $USER9$");
    expect(expandUserMacros("$USER1$/x", { ...resource, content: "not a macro line\n" })).toBe("$USER1$/x");
    const script = { host: "mon-2", path: "/s/takeover", urn: "u", content: "printf 'ENABLE_NOTIFICATIONS'\n" };
    expect(textRunBy("/s/takeover $HOSTSTATE$", [script])).toBe("/s/takeover $HOSTSTATE$\nprintf 'ENABLE_NOTIFICATIONS'\n");
    expect(textRunBy("/s/other", [script])).toBe("/s/other");
  });
});
