import { describe, expect, it } from "vitest";
import { PRODUCTION_MONITORING_PATHS as P } from "../../monitoring/paths";
import type { Finding } from "../kit/types";
import { judgeEngineDeployed } from "./engine-deployed";
import { judgeMonitoringCoverage, monitoringCoveragePolicy } from "./monitoring-coverage";
import { judgeMonitoringEveryNode, monitoringEveryNodePolicy } from "./monitoring-every-node";
import { engineDeployedPolicy } from "./engine-deployed";
import type { Judgement, MonitoringJudgeInput } from "./monitoring-evidence";
import { editFile, placeOn, removeFiles, renderedMonitoringInput } from "./monitoring-policy-fixture";

// The judges on what the monitoring tier delivers (the plan, engine and agent renderers' output for the stack,
// production paths), then on the same files broken one way each.

const prod = renderedMonitoringInput("prod");
const JUDGES = [judgeMonitoringCoverage, judgeEngineDeployed, judgeMonitoringEveryNode];
const OBJECTS = P.engine.objectsDir;
const SERVICES = `${OBJECTS}/services.cfg`;
const AGENT = P.agent.config;

/** The findings of a judgement (a not-applicable one fails the test: it proves nothing). */
function findings(j: Judgement): Finding[] {
  if ("notApplicable" in j) throw new Error(`not applicable: ${j.notApplicable}`);
  return j.findings;
}

/** `text` without the `define <type> { ... }` blocks `drop` selects (at least one). */
function dropDefinitions(text: string, type: string, drop: (block: string) => boolean): string {
  let dropped = 0;
  const out = text.replace(new RegExp(`define ${type} \\{\\n[\\s\\S]*?\\n\\}\\n\\n?`, "g"), (block) => (drop(block) ? (dropped++, "") : block));
  if (!dropped) throw new Error(`dropDefinitions: no ${type} matched`);
  return out;
}

const onHost = (host: string) => (block: string): boolean => new RegExp(`\\n\\s+host_name\\s+${host}\\n`).test(block);
const layer = (l: "server" | "service") => (block: string): boolean => new RegExp(`\\n\\s+_LAYER\\s+${l}\\n`).test(block);

describe("the monitoring policies on the files the prod stack's monitoring tier renders", () => {
  it.each(["prod", "staging", "lab"])("%s passes IBAC-MON-001, 002 and 004", (stack) => {
    const input = stack === "prod" ? prod : renderedMonitoringInput(stack);
    for (const judge of JUDGES) expect(findings(judge(input)), judge.name).toEqual([]);
  });

  it("reads what it judges: every node, VM and the QDevice host, services of both layers, two engines", () => {
    const expected = [...prod.model.nodes.map((n) => n.name), ...prod.model.vms.map((v) => v.name), prod.model.qdevice?.name];
    const hosts = prod.files.filter((f) => f.path === `${OBJECTS}/hosts.cfg` && f.host === "mon-1")[0].content;
    for (const h of expected) expect(hosts).toContain(`host_name                      ${h}\n`);
    expect(prod.files.filter((f) => f.path === P.engine.mainConfig).map((f) => f.host)).toEqual(["mon-1", "mon-2"]);
    expect(prod.files.filter((f) => f.path === AGENT).length).toBe(expected.length);
  });

  it("without the engine's files every judge is not applicable (the requirement reads declared, never pass)", () => {
    const none = removeFiles(prod, (f) => f.path.startsWith("/etc/nagios4/"));
    for (const judge of JUDGES) expect(judge(none), judge.name).toEqual({ notApplicable: "no monitoring engine configuration (/etc/nagios4/nagios.cfg) delivered to a monitoring VM (or its text is not known yet): the monitoring is only declared" });
  });

  it("an object file it cannot read is a finding of each judge, and proves nothing else", () => {
    const input = editFile(prod, "mon-1", `${OBJECTS}/hosts.cfg`, (t) => t.replace(/\n\}\n$/, "\n"));
    for (const judge of JUDGES) {
      expect(findings(judge(input)), judge.name).toEqual([
        expect.objectContaining({ subject: "monitoring configuration of mon-1", observed: expect.stringMatching(/^unreadable: \/etc\/nagios4\/ibac\/hosts\.cfg line \d+: the host definition is not closed \(missing "\}"\)$/), location: `${OBJECTS}/hosts.cfg` }),
      ]);
    }
  });
});

describe("monitoring-coverage (IBAC-MON-001): hosts, both layers, agents, contacts, the mail path", () => {
  it("a tier without a service-layer check fails, naming the tier and its hosts", () => {
    const input = editFile(prod, "mon-1", SERVICES, (t) => dropDefinitions(t, "service", (b) => layer("service")(b) && (onHost("frs-1")(b) || onHost("frs-2")(b))));
    expect(findings(judgeMonitoringCoverage(input))).toEqual([
      { subject: "service-layer checks of the frs tier on mon-1", observed: "no service with _LAYER service on frs-1, frs-2", expected: "at least one service-layer check of every tier", urn: expect.stringContaining("mon-1-config-/etc/nagios4/nagios.cfg"), location: `${P.engine.mainConfig} -> ${OBJECTS}` },
    ]);
  });

  it("a host without a server-layer check fails", () => {
    const input = editFile(prod, "mon-2", SERVICES, (t) => dropDefinitions(t, "service", (b) => layer("server")(b) && onHost("pve2")(b)));
    expect(findings(judgeMonitoringCoverage(input))).toEqual([
      expect.objectContaining({ subject: "server-layer checks of pve2 on mon-2", observed: "no service on pve2 with _LAYER server", location: `${P.engine.mainConfig} -> ${OBJECTS}/hosts.cfg` }),
    ]);
  });

  it("a VM without a host object fails", () => {
    const input = editFile(prod, "mon-1", `${OBJECTS}/hosts.cfg`, (t) => dropDefinitions(t, "host", onHost("bkp-2")));
    expect(findings(judgeMonitoringCoverage(input))).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject: "monitoring of VM bkp-2 on mon-1", observed: "no host object with this host_name", expected: "a host object for every node, VM and the QDevice host" }),
    ]));
  });

  it("a contact with no address fails, and the spec's address then has no contact", () => {
    const input = editFile(prod, "mon-1", `${OBJECTS}/contacts.cfg`, (t) => t.replace(/\n {4}email +ibac-ops@rik\.ee\n/, "\n"));
    expect(findings(judgeMonitoringCoverage(input))).toEqual([
      expect.objectContaining({ subject: "address of contact mail-ibac-ops@rik.ee on mon-1", observed: "no email", expected: "an e-mail address notifications go to", location: `${P.engine.mainConfig} -> ${OBJECTS}/contacts.cfg` }),
      expect.objectContaining({ subject: "contact for ibac-ops@rik.ee on mon-1", observed: "contacts mail no address" }),
    ]);
  });

  it("a relay connection without STARTTLS (tls_starttls off) fails", () => {
    const input = editFile(prod, "mon-2", P.engine.msmtpConfig, (t) => t.replace("tls_starttls on", "tls_starttls off"));
    expect(findings(judgeMonitoringCoverage(input))).toEqual([
      { subject: "mail relay settings of mon-2", observed: "tls_starttls off", expected: "tls_starttls on (msmtp refuses to send when the relay offers no STARTTLS)", urn: expect.stringContaining("mon-2-config-/etc/ibac/monitoring/msmtprc"), location: `${P.engine.msmtpConfig}: account default` },
    ]);
  });

  it("a relay connection without TLS at all fails, and so does a relay other than the spec's", () => {
    const input = editFile(prod, "mon-1", P.engine.msmtpConfig, (t) => t.replace("tls on", "tls off").replace("host relay.rik.ee", "host mail.example.org"));
    expect(findings(judgeMonitoringCoverage(input)).map((f) => [f.subject, f.observed, f.expected])).toEqual([
      ["mail relay settings of mon-1", "tls off", "tls on (the relay's connection encrypted)"],
      ["mail relay settings of mon-1", "host mail.example.org port 25", "the spec's relay, host relay.rik.ee port 25"],
    ]);
  });

  it("a notification command that does not go through msmtp fails, naming what it runs", () => {
    const input = editFile(prod, "mon-1", `${OBJECTS}/commands.cfg`, (t) => t.replace(/(command_name +notify-host-by-email\n +command_line +).*\n/, "$1/usr/bin/mail -s alert $CONTACTEMAIL$\n"));
    expect(findings(judgeMonitoringCoverage(input))).toEqual([
      { subject: "notification command notify-host-by-email on mon-1", observed: "it runs /usr/bin/mail, which is neither msmtp nor a script the stack delivers", expected: `mail through msmtp -C ${P.engine.msmtpConfig} (STARTTLS to the relay)`, urn: expect.any(String), location: `${OBJECTS}/commands.cfg: command notify-host-by-email` },
    ]);
  });

  it("a notification script that mails with sendmail instead of msmtp fails", () => {
    const script = `${P.engine.scriptDir}/ibac-notify`;
    const input = editFile(prod, "mon-2", script, (t) => t.replace(/\/usr\/bin\/msmtp -C "\$msmtp_config" --/, "/usr/sbin/sendmail -t --"));
    expect(findings(judgeMonitoringCoverage(input)).map((f) => f.observed)).toEqual([`${script} does not call msmtp`, `${script} does not call msmtp`]);
  });

  it("an msmtprc msmtp cannot use, and an NRPE drop-in that is not key=value lines, are findings", () => {
    const rc = editFile(prod, "mon-1", P.engine.msmtpConfig, (t) => t.replace(/^account .*$/gm, "# no account"));
    expect(findings(judgeMonitoringCoverage(rc))).toEqual([
      expect.objectContaining({ subject: "mail relay settings of mon-1", observed: `unreadable: ${P.engine.msmtpConfig}: no account: msmtp sends nothing with this file`, location: P.engine.msmtpConfig }),
    ]);
    const agent = editFile(prod, "lb-2", AGENT, (t) => `${t}allowed_hosts 0.0.0.0/0\n`);
    expect(findings(judgeEngineDeployed(agent))).toEqual([
      expect.objectContaining({ subject: "monitoring configuration of lb-2", observed: expect.stringMatching(/^unreadable: \/etc\/nagios\/nrpe\.d\/ibac\.cfg line \d+: "allowed_hosts 0\.0\.0\.0\/0" is not a key=value line$/), location: AGENT }),
    ]);
  });

  it("a host checked through NRPE that gets no agent configuration fails", () => {
    const input = removeFiles(prod, (f) => f.host === "pve2" && f.path === AGENT);
    expect(findings(judgeMonitoringCoverage(input))).toEqual(["mon-1", "mon-2"].map((vm) => ({
      subject: "NRPE agent of pve2",
      observed: `${vm}'s objects check pve2 through check_nrpe, but no ${AGENT} is delivered to it`,
      expected: "the agent's configuration on every host checked through NRPE",
      urn: prod.hostUrn("pve2"),
      location: AGENT,
    })));
  });

  it("both monitoring VMs on one node fail", () => {
    expect(findings(judgeMonitoringCoverage(placeOn(prod, "mon-2", "pve1")))).toEqual([
      expect.objectContaining({ subject: "monitoring VMs", observed: "engine configuration on mon-1 (on pve1), mon-2 (on pve1)", expected: "the engine on at least 2 monitoring VMs on different nodes", urn: prod.hostUrn("mon-2") }),
    ]);
  });
});

describe("monitoring-engine-deployed (IBAC-MON-002): engines on both VMs, active and standby, hardened agents", () => {
  const agentFindings = (input: MonitoringJudgeInput) => findings(judgeEngineDeployed(input)).map((f) => [f.subject, f.observed, f.expected]);

  it("the active and the standby engine on one node fail", () => {
    expect(findings(judgeEngineDeployed(placeOn(prod, "mon-2", "pve1")))).toEqual([
      { subject: "monitoring engines mon-1 (active) and mon-2 (standby)", observed: "both on pve1", expected: "the active and the standby engine on different nodes (losing one node loses no monitoring)", urn: prod.hostUrn("mon-2"), location: "inputs.nodeName" },
    ]);
  });

  it("two notifying engines fail: every problem would be mailed twice, and nothing stands by", () => {
    const input = editFile(prod, "mon-2", P.engine.mainConfig, (t) => t.replace("enable_notifications=0", "enable_notifications=1"));
    expect(agentFindings(input)).toEqual([
      ["the notifying monitoring engine", "enable_notifications on mon-1, mon-2: every problem is mailed 2 times", "enable_notifications=1 on the active engine only"],
      ["the standby monitoring engine", "every engine notifies", "a second engine with enable_notifications=0 that takes over when the active one fails"],
    ]);
  });

  it("a standby without its takeover handler fails", () => {
    const input = removeFiles(prod, (f) => f.host === "mon-2" && f.path === `${OBJECTS}/standby.cfg`);
    expect(agentFindings(input)).toEqual([
      ["takeover of the standby mon-2", "no host or service on mon-1 with an event_handler that writes ENABLE_NOTIFICATIONS", "an event handler on the active VM's host and engine check that enables the standby's notifications while mon-1 is down"],
    ]);
  });

  it("a monitoring VM without the engine's main configuration fails", () => {
    const input = removeFiles(prod, (f) => f.host === "mon-2" && f.path === P.engine.mainConfig);
    expect(agentFindings(input)).toEqual([
      ["monitoring engine of mon-2", `no ${P.engine.mainConfig} delivered`, "the engine's main configuration and objects on every monitoring VM"],
      ["the standby monitoring engine", "only mon-1 runs the engine", "a second engine with enable_notifications=0 that takes over when the active one fails"],
    ]);
  });

  it("an agent that allows any host fails, and so does one without allowed_hosts", () => {
    expect(agentFindings(editFile(prod, "db-1", AGENT, (t) => t.replace(/^allowed_hosts=.*$/m, "allowed_hosts=0.0.0.0/0")))).toEqual([
      ["NRPE agent of db-1", "allowed_hosts lets in 0.0.0.0/0; allowed_hosts leaves out mon-1, mon-2", "allowed_hosts=10.20.2.160,10.20.2.161 (the monitoring VMs only, every one of them)"],
    ]);
    expect(agentFindings(editFile(prod, "pve1", AGENT, (t) => t.replace(/^allowed_hosts=.*\n/m, "")))).toEqual([
      ["NRPE agent of pve1", "no allowed_hosts (NRPE then answers any host)", "allowed_hosts=10.20.2.160,10.20.2.161 (the monitoring VMs only, every one of them)"],
    ]);
  });

  it("an allowed_hosts line in the main nrpe.cfg adds to the drop-in's list (NRPE merges them) and fails", () => {
    expect(agentFindings(editFile(prod, "api-1", P.agent.mainConfig, (t) => t.replace("include_dir=", "allowed_hosts=10.20.2.0/24\ninclude_dir=")))).toEqual([
      ["NRPE agent of api-1", "allowed_hosts lets in 10.20.2.0/24", "allowed_hosts=10.20.2.160,10.20.2.161 (the monitoring VMs only, every one of them)"],
    ]);
  });

  it("an agent without client certificates fails, and so does one with anonymous DH or arguments from the network", () => {
    const input = editFile(prod, "qdev1", AGENT, (t) => t.replace("ssl_client_certs=2", "ssl_client_certs=0").replace("ssl_use_adh=0", "ssl_use_adh=1").replace("dont_blame_nrpe=0", "dont_blame_nrpe=1"));
    expect(agentFindings(input)).toEqual([
      ["NRPE agent of qdev1", "ssl_client_certs=0", "ssl_client_certs=2 (a client certificate from the internal CA required)"],
      ["NRPE agent of qdev1", "ssl_use_adh=1", "ssl_use_adh=0 (no anonymous Diffie-Hellman: the agent proves who it is)"],
      ["NRPE agent of qdev1", "dont_blame_nrpe=1", "dont_blame_nrpe=0 (commands take no arguments from the network)"],
    ]);
  });

  it("an agent whose TLS files are not delivered fails", () => {
    const input = removeFiles(prod, (f) => f.host === "s3-2" && f.path.startsWith(`${P.agent.tlsDir}/`) && f.path.endsWith("-key.pem"));
    expect(agentFindings(input)).toEqual([
      ["NRPE agent of s3-2", `ssl_privatekey_file=${P.agent.tlsDir}/agent-key.pem, which is not delivered to s3-2`, "the TLS files the agent names delivered with it (NRPE does not start without them)"],
    ]);
  });
});

describe("monitoring-engine-deployed (IBAC-MON-002) with engine shinken: a master and a spare of every daemon on different nodes", () => {
  const shinken = renderedMonitoringInput("prod", "shinken");
  const SCHEDULERS = `${P.engine.shinkenDir}/schedulers`;

  it("prod's Shinken files pass every monitoring judge", () => {
    expect(shinken.files.filter((f) => f.path.startsWith(`${P.engine.shinkenDir}/`) && f.path.endsWith(".cfg") && f.host === "mon-1").length).toBeGreaterThan(6);
    for (const judge of JUDGES) expect(findings(judge(shinken)), judge.name).toEqual([]);
  });

  it("master and spare daemons on one node fail, every kind named", () => {
    const found = findings(judgeEngineDeployed(placeOn(shinken, "mon-2", "pve1")));
    expect(found.map((f) => f.subject)).toEqual(["arbiter", "scheduler", "poller", "reactionner", "broker", "receiver"].map((k) => `Shinken ${k}s`));
    expect(found[1]).toEqual({ subject: "Shinken schedulers", observed: "master scheduler-mon-1 on mon-1 (pve1), spare scheduler-mon-2 on mon-2 (pve1)", expected: "a spare on another node than its master (losing one node loses no monitoring)", urn: expect.stringContaining("scheduler-mon-2.cfg"), location: `${SCHEDULERS}/scheduler-mon-2.cfg` });
  });

  it("a kind without a spare fails", () => {
    const input = editFile(shinken, ["mon-1", "mon-2"], `${SCHEDULERS}/scheduler-mon-2.cfg`, (t) => t.replace(/(\n\s+spare\s+)1\n/, "$10\n"));
    expect(findings(judgeEngineDeployed(input))).toEqual([
      expect.objectContaining({ subject: "Shinken schedulers", observed: "2 master and 0 spare", expected: "a scheduler master (spare 0) and a spare (spare 1) on monitoring VMs" }),
    ]);
  });

  it("a daemon on an address that is no monitoring VM fails", () => {
    const input = editFile(shinken, ["mon-1", "mon-2"], `${P.engine.shinkenDir}/pollers/poller-mon-2.cfg`, (t) => t.replace(/(\n\s+address\s+)\S+\n/, "$110.99.0.1\n"));
    expect(findings(judgeEngineDeployed(input)).map((f) => [f.subject, f.observed])).toEqual([
      ["Shinken poller poller-mon-2", "address 10.99.0.1, not a monitoring VM"],
      ["Shinken pollers", "1 master and 0 spare"],
    ]);
  });
});

describe("monitoring-every-node (IBAC-MON-004): a monitoring engine on every cluster node", () => {
  it("a node without a monitoring VM fails, naming where the engines run", () => {
    expect(findings(judgeMonitoringEveryNode(placeOn(prod, "mon-2", "pve1")))).toEqual([
      { subject: "monitoring on node pve2", observed: "no monitoring VM with the engine's configuration runs there (engines: mon-1 on pve1, mon-2 on pve1)", expected: "a monitoring engine on every cluster node, so each node keeps one and losing any node leaves the rest monitored", urn: prod.urn, location: P.engine.mainConfig },
    ]);
  });
});

describe("the monitoring policies' declarations", () => {
  it("declares the names and requirement ids the catalogue refers to", () => {
    expect([monitoringCoveragePolicy(), engineDeployedPolicy(), monitoringEveryNodePolicy()].map(({ name, requirements, severity, enforcementLevel, declaredOnly }) => ({ name, requirements, severity, enforcementLevel, declaredOnly }))).toEqual([
      { name: "monitoring-coverage", requirements: ["IBAC-MON-001"], severity: "high", enforcementLevel: "mandatory", declaredOnly: undefined },
      { name: "monitoring-engine-deployed", requirements: ["IBAC-MON-002"], severity: "high", enforcementLevel: "mandatory", declaredOnly: undefined },
      { name: "monitoring-every-node", requirements: ["IBAC-MON-004"], severity: "medium", enforcementLevel: "advisory", declaredOnly: undefined },
    ]);
  });
});
