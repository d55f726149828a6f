import { DAEMON_KINDS } from "../../monitoring/shinken/check-daemons";
import { reportJudgement } from "../backup/backup-judgement";
import { stackPolicy } from "../kit/define-policy";
import type { Finding, IbacStackPolicy } from "../kit/types";
import { fileKey } from "../kit/pending-files";
import { lastValue } from "./line-configs";
import { monitoringAddresses, monitoringJudgeInput, monitoringVms, noEngine, pathsOf, readMonitoringEvidence, unreadableFinding, type AgentEvidence, type EngineEvidence, type Judgement, type MonitoringEvidence, type MonitoringJudgeInput } from "./monitoring-evidence";
import type { NagiosObject } from "./nagios-objects";
import { expandUserMacros, textRunBy } from "./notification-path";

/** What the standby's takeover handler writes to its command file (Nagios manual, "Redundant and Failover Network Monitoring"). */
export const TAKEOVER_COMMAND = "ENABLE_NOTIFICATIONS";
/** NRPE's settings that make TLS with client certificates the only way in (design: NRPE). */
const NRPE_REQUIRED: readonly { key: string; ok: (v: string) => boolean; expected: string }[] = [
  { key: "ssl_client_certs", ok: (v) => v === "2", expected: "ssl_client_certs=2 (a client certificate from the internal CA required)" },
  { key: "ssl_use_adh", ok: (v) => v === "0", expected: "ssl_use_adh=0 (no anonymous Diffie-Hellman: the agent proves who it is)" },
  { key: "ssl_version", ok: (v) => /^TLSv1\.[23]\+?$/.test(v), expected: "ssl_version=TLSv1.2+ (no SSL, TLS 1.0 or 1.1)" },
  { key: "dont_blame_nrpe", ok: (v) => v === "0", expected: "dont_blame_nrpe=0 (commands take no arguments from the network)" },
];

/** The files NRPE's TLS needs: the CA client certificates chain to, its certificate and its key. */
const TLS_FILE_KEYS = ["ssl_cacert_file", "ssl_cert_file", "ssl_privatekey_file"] as const;

/** Nagios's default for a main-configuration flag when the file does not set it. */
function flag(engine: EngineEvidence, key: string, byDefault: boolean): boolean {
  const v = lastValue(engine.main.lines, key)?.value;
  return v === undefined ? byDefault : v === "1";
}

function objectsFindings(engine: EngineEvidence): Finding[] {
  const out: Finding[] = engine.missing.map((m) => ({ subject: `object files of ${engine.vm}`, observed: `${m} names nothing the stack delivers`, expected: "every cfg_file and cfg_dir of the main configuration delivered", urn: engine.main.urn, location: engine.main.path }));
  const hosts = engine.objects.registered("host").length;
  const services = engine.objects.registered("service").length;
  if (!hosts || !services) out.push({ subject: `objects of ${engine.vm}`, observed: `${hosts} host and ${services} service objects read through cfg_dir/cfg_file`, expected: "the hosts and services of IBAC-MON-001 in the engine's object files", urn: engine.main.urn, location: engine.main.path });
  return out;
}

/** The standby's objects that turn its notifications on when the active VM fails: on the active VM's host, writing ENABLE_NOTIFICATIONS. */
function takeoverHandlers(engine: EngineEvidence, active: string, evidence: MonitoringEvidence): NagiosObject[] {
  const { objects } = engine;
  const filesOnVm = evidence.files.filter((f) => f.host === engine.vm);
  const resourceFile = filesOnVm.find((f) => f.path === lastValue(engine.main.lines, "resource_file")?.value);
  return [...objects.registered("host"), ...objects.registered("service")].filter((o) => {
    const on = o.type === "host" ? objects.value(o, "host_name") === active : objects.hostsOf(o).has(active);
    const line = objects.commandLine(objects.value(o, "event_handler"));
    return on && objects.value(o, "event_handler_enabled") !== "0" && line !== undefined && textRunBy(expandUserMacros(line, resourceFile), filesOnVm).includes(TAKEOVER_COMMAND);
  });
}

/** nagios4: one active engine (notifying) and a standby (silent, with the takeover handler) on another node. */
function nagiosRoleFindings(input: MonitoringJudgeInput, evidence: MonitoringEvidence): Finding[] {
  const out: Finding[] = [];
  const active = evidence.engines.filter((e) => flag(e, "enable_notifications", true));
  const standby = evidence.engines.filter((e) => !active.includes(e));
  const urn = input.urn;
  const mainConfig = pathsOf(input).engine.mainConfig;
  if (active.length !== 1) {
    out.push({ subject: "the notifying monitoring engine", observed: active.length ? `enable_notifications on ${active.map((e) => e.vm).join(", ")}: every problem is mailed ${active.length} times` : "enable_notifications=0 on every engine: nothing notifies", expected: "enable_notifications=1 on the active engine only", urn: active[1]?.main.urn ?? urn, location: mainConfig });
  }
  if (!standby.length) out.push({ subject: "the standby monitoring engine", observed: evidence.engines.length > 1 ? "every engine notifies" : `only ${evidence.engines[0]?.vm ?? "no VM"} runs the engine`, expected: "a second engine with enable_notifications=0 that takes over when the active one fails", urn, location: mainConfig });
  const [primary] = active;
  for (const s of primary ? standby : []) {
    const at = s.main.path;
    if (s.node !== undefined && s.node === primary.node) out.push({ subject: `monitoring engines ${primary.vm} (active) and ${s.vm} (standby)`, observed: `both on ${s.node}`, expected: "the active and the standby engine on different nodes (losing one node loses no monitoring)", urn: input.hostUrn(s.vm), location: "inputs.nodeName" });
    if (!flag(s, "check_external_commands", true)) out.push({ subject: `external commands of the standby ${s.vm}`, observed: "check_external_commands=0", expected: "check_external_commands=1 (the takeover handler enables notifications through the command file)", urn: s.main.urn, location: at });
    if (!flag(s, "enable_event_handlers", true)) out.push({ subject: `event handlers of the standby ${s.vm}`, observed: "enable_event_handlers=0", expected: "enable_event_handlers=1 (the takeover handler runs)", urn: s.main.urn, location: at });
    if (!takeoverHandlers(s, primary.vm, evidence).length) out.push({ subject: `takeover of the standby ${s.vm}`, observed: `no host or service on ${primary.vm} with an event_handler that writes ${TAKEOVER_COMMAND}`, expected: `an event handler on the active VM's host and engine check that enables the standby's notifications while ${primary.vm} is down`, urn: s.main.urn, location: pathsOf(input).engine.objectsDir });
  }
  return out;
}

/** shinken: every daemon kind has a master and a spare, on VMs of different nodes. */
function shinkenFindings(input: MonitoringJudgeInput, evidence: MonitoringEvidence): Finding[] {
  const out: Finding[] = [];
  const vms = monitoringVms(input.model);
  const vmAt = (address: string | undefined): string | undefined => vms.find((v) => v.name === address || v.fqdn === address || v.nics.some((n) => n.address === address))?.name;
  const shinkenDir = pathsOf(input).engine.shinkenDir;
  // Every Shinken daemon kind needs a master and a spare on another node.
  for (const kind of DAEMON_KINDS) {
    // Both VMs may get the same daemon files: a daemon is its name.
    const daemons = new Map<string, { name: string; spare: boolean; vm: string | undefined; address: string | undefined; file: string; urn: string }>();
    for (const f of evidence.shinken) {
      for (const o of f.objects.filter((x) => x.type === kind && x.own.get("register") !== "0")) {
        const name = o.own.get(`${kind}_name`) ?? `(line ${o.line})`;
        const address = o.own.get("address");
        daemons.set(name, { name, spare: o.own.get("spare") === "1", vm: vmAt(address), address, file: f.path, urn: f.urn });
      }
    }
    const all = [...daemons.values()];
    for (const d of all.filter((x) => !x.vm)) out.push({ subject: `Shinken ${kind} ${d.name}`, observed: `address ${d.address ?? "(none)"}, not a monitoring VM`, expected: "every daemon on a monitoring VM", urn: d.urn, location: d.file });
    const masters = all.filter((d) => !d.spare && d.vm);
    const spares = all.filter((d) => d.spare && d.vm);
    if (!masters.length || !spares.length) {
      out.push({ subject: `Shinken ${kind}s`, observed: all.length ? `${masters.length} master and ${spares.length} spare` : `no ${kind} definition`, expected: `a ${kind} master (spare 0) and a spare (spare 1) on monitoring VMs`, urn: all[0]?.urn ?? input.urn, location: all[0]?.file ?? shinkenDir });
      continue;
    }
    const masterNodes = new Set(masters.map((d) => input.nodeOf(d.vm ?? "")));
    if (spares.every((d) => masterNodes.has(input.nodeOf(d.vm ?? "")))) {
      out.push({ subject: `Shinken ${kind}s`, observed: `master ${masters.map((d) => `${d.name} on ${d.vm} (${input.nodeOf(d.vm ?? "") ?? "no node"})`).join(", ")}, spare ${spares.map((d) => `${d.name} on ${d.vm} (${input.nodeOf(d.vm ?? "") ?? "no node"})`).join(", ")}`, expected: "a spare on another node than its master (losing one node loses no monitoring)", urn: spares[0].urn, location: spares[0].file });
    }
  }
  return out;
}

/** Every NRPE agent: TLS with client certificates, only the monitoring VMs allowed, no arguments from the network. */
function agentFindings(input: MonitoringJudgeInput, agent: AgentEvidence): Finding[] {
  const out: Finding[] = [];
  const subject = `NRPE agent of ${agent.host}`;
  for (const req of NRPE_REQUIRED) {
    const line = lastValue(agent.lines, req.key);
    if (!line || !req.ok(line.value)) out.push({ subject, observed: line ? `${req.key}=${line.value}` : `no ${req.key}`, expected: req.expected, urn: agent.urn, location: agent.path });
  }
  for (const key of TLS_FILE_KEYS) {
    const file = lastValue(agent.lines, key)?.value;
    if (!file) out.push({ subject, observed: `no ${key}`, expected: "ssl_cacert_file (the CA client certificates are verified against), ssl_cert_file and ssl_privatekey_file", urn: agent.urn, location: agent.path });
    else if (!input.files.some((f) => f.host === agent.host && f.path === file) && !input.pending.has(fileKey(agent.host, file))) {
      out.push({ subject, observed: `${key}=${file}, which is not delivered to ${agent.host}`, expected: "the TLS files the agent names delivered with it (NRPE does not start without them)", urn: agent.urn, location: agent.path });
    }
  }
  const allowed = agent.allowedHosts;
  const addresses = new Set(monitoringAddresses(input.model));
  const strangers = allowed.filter((a) => !addresses.has(a.replace(/\/32$/, "")));
  const unlisted = monitoringVms(input.model).filter((v) => !v.nics.some((n) => allowed.some((a) => a.replace(/\/32$/, "") === n.address))).map((v) => v.name);
  if (!allowed.length || strangers.length || unlisted.length) {
    out.push({
      subject,
      observed: !allowed.length ? "no allowed_hosts (NRPE then answers any host)" : [strangers.length ? `allowed_hosts lets in ${strangers.join(", ")}` : "", unlisted.length ? `allowed_hosts leaves out ${unlisted.join(", ")}` : ""].filter(Boolean).join("; "),
      expected: `allowed_hosts=${[...addresses].join(",")} (the monitoring VMs only, every one of them)`,
      urn: agent.urn,
      location: agent.path,
    });
  }
  return out;
}

/** IBAC-MON-002 from the delivered engine, Shinken and agent files (see the policy). */
export function judgeEngineDeployed(input: MonitoringJudgeInput): Judgement {
  const evidence = readMonitoringEvidence(input);
  const findings = evidence.unreadable.map(unreadableFinding);
  const shinken = input.spec.monitoring.engine === "shinken";
  if (!evidence.engines.length && !(shinken && evidence.shinken.length)) return findings.length ? { findings } : { notApplicable: noEngine(input) };
  for (const vm of evidence.withoutEngine) findings.push({ subject: `monitoring engine of ${vm}`, observed: `no ${pathsOf(input).engine.mainConfig} delivered`, expected: "the engine's main configuration and objects on every monitoring VM", urn: input.hostUrn(vm), location: pathsOf(input).engine.mainConfig });
  for (const engine of evidence.engines) findings.push(...objectsFindings(engine));
  // The roles are judged only when every engine could be read (one unreadable is not one missing).
  if (shinken) findings.push(...shinkenFindings(input, evidence));
  else if (!evidence.unreadableEngines.length) findings.push(...nagiosRoleFindings(input, evidence));
  for (const agent of evidence.agents) findings.push(...agentFindings(input, agent));
  return { findings };
}

/**
 * Seed design, "Monitoring services": the monitoring is Shinken, or a Nagios-compatible engine, configured to
 * carry out the checks. Judged from the delivered files: every monitoring VM gets the engine's main
 * configuration and the object files it names; with nagios4, one engine notifies and the other, on another
 * node, is a silent standby whose event handler on the active VM enables its notifications (Nagios's
 * redundant monitoring); with shinken, every daemon kind has a master and a spare on different nodes; every
 * NRPE agent requires TLS 1.2+ with a client certificate, no ADH, allows only the monitoring VMs and takes no
 * arguments from the network.
 */
export function engineDeployedPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "monitoring-engine-deployed",
    description:
      "Every monitoring VM gets the engine's main configuration and objects; nagios4 runs one notifying engine and a silent standby with a takeover handler on another node, shinken a master and a spare of every daemon on different nodes; every NRPE agent requires TLS with client certificates (no ADH), allows only the monitoring VMs and takes no arguments (dont_blame_nrpe=0).",
    requirements: ["IBAC-MON-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report, notApplicable) => {
    reportJudgement(judgeEngineDeployed(await monitoringJudgeInput(view, resources)), report, notApplicable);
  });
}
