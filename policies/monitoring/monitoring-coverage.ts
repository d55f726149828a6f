import { stackPolicy } from "../kit/define-policy";
import { fileKey } from "../kit/pending-files";
import type { Finding, IbacStackPolicy } from "../kit/types";
import { reportJudgement } from "../backup/backup-judgement";
import { lastValue, msmtpOn } from "./line-configs";
import { monitoringJudgeInput, noEngine, pathsOf, readMonitoringEvidence, unreadableFinding, type EngineEvidence, type Judgement, type MonitoringEvidence, type MonitoringJudgeInput } from "./monitoring-evidence";
import { nagiosList, type NagiosObjectSet } from "./nagios-objects";
import { expandUserMacros, msmtpCallOf, readMsmtpAccount } from "./notification-path";

export const MIN_MONITORING_VMS = 2;
/** What the objects say a check is (design: every service carries `_LAYER server|service`). */
export const LAYER_VAR = "_LAYER";
export const TIER_VAR = "_TIER";
/** A plausible mail address (the spec validates its own; this is about what reached the objects). */
const ADDRESS = /^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/;
/** msmtp's port when none is set and STARTTLS is used. */
const MSMTP_DEFAULT_PORT = 25;

/** The model's hosts the objects must have: every node, VM and the QDevice host. */
function expectedHosts(input: MonitoringJudgeInput): { name: string; what: string }[] {
  const { model } = input;
  return [
    ...model.nodes.map((n) => ({ name: n.name, what: "node" })),
    ...model.vms.map((v) => ({ name: v.name, what: "VM" })),
    ...(model.qdevice ? [{ name: model.qdevice.name, what: "QDevice host" }] : []),
  ];
}

/** What the judges ask of an engine's services: the layers each host is checked at, the hosts checked through NRPE. */
interface ServiceIndex {
  layers: Map<string, Set<string>>;
  viaAgent: Set<string>;
}

/** Every monitoring VM of a stack gets the same objects (one shared set): indexed once per set. */
const serviceIndexes = new WeakMap<NagiosObjectSet, ServiceIndex>();

function servicesOf(engine: EngineEvidence): ServiceIndex {
  const { objects } = engine;
  let index = serviceIndexes.get(objects);
  if (!index) {
    index = { layers: new Map(), viaAgent: new Set() };
    for (const s of objects.registered("service")) {
      const layer = objects.value(s, LAYER_VAR) ?? "";
      const nrpe = objects.commandLine(objects.value(s, "check_command"))?.includes("check_nrpe") === true;
      for (const h of objects.hostsOf(s)) {
        const set = index.layers.get(h) ?? new Set<string>();
        set.add(layer);
        index.layers.set(h, set);
        if (nrpe) index.viaAgent.add(h);
      }
    }
    serviceIndexes.set(objects, index);
  }
  return index;
}

function coverageFindings(input: MonitoringJudgeInput, engine: EngineEvidence): Finding[] {
  const out: Finding[] = [];
  const { objects, vm } = engine;
  const at = (file: string): Finding["location"] => `${engine.main.path} -> ${file}`;
  const objectsDir = pathsOf(input).engine.objectsDir;
  const hosts = new Map(objects.registered("host").flatMap((h) => { const n = objects.value(h, "host_name"); return n === undefined ? [] : [[n, h] as const]; }));
  const services = servicesOf(engine);

  for (const { name, what } of expectedHosts(input)) {
    if (!hosts.has(name)) {
      out.push({ subject: `monitoring of ${what} ${name} on ${vm}`, observed: "no host object with this host_name", expected: "a host object for every node, VM and the QDevice host", urn: engine.main.urn, location: at(objectsDir) });
    } else if (!services.layers.get(name)?.has("server")) {
      out.push({ subject: `server-layer checks of ${name} on ${vm}`, observed: `no service on ${name} with ${LAYER_VAR} server`, expected: "at least one server-layer check (load, memory, disks, time, updates) of every node, VM and the QDevice host", urn: engine.main.urn, location: at(hosts.get(name)?.file ?? objectsDir) });
    }
  }

  for (const tier of [...new Set(input.model.vms.map((v) => v.tier))]) {
    const tierHosts = [...hosts].filter(([, h]) => objects.value(h, TIER_VAR) === tier).map(([n]) => n);
    if (!tierHosts.some((h) => services.layers.get(h)?.has("service"))) {
      out.push({ subject: `service-layer checks of the ${tier} tier on ${vm}`, observed: tierHosts.length ? `no service with ${LAYER_VAR} service on ${tierHosts.join(", ")}` : `no host object with ${TIER_VAR} ${tier}`, expected: "at least one service-layer check of every tier", urn: engine.main.urn, location: at(objectsDir) });
    }
  }
  return out;
}

/** Every host the objects check through NRPE has the agent's configuration delivered. */
function agentFindings(input: MonitoringJudgeInput, engine: EngineEvidence, evidence: MonitoringEvidence): Finding[] {
  const config = pathsOf(input).agent.config;
  const { viaAgent } = servicesOf(engine);
  return [...viaAgent].sort().filter((host) => !evidence.agents.some((a) => a.host === host) && !input.pending.has(fileKey(host, config)) && !evidence.unreadable.some((u) => u.host === host && u.path === config)).map((host) => ({
    subject: `NRPE agent of ${host}`,
    observed: `${engine.vm}'s objects check ${host} through check_nrpe, but no ${config} is delivered to it`,
    expected: "the agent's configuration on every host checked through NRPE",
    urn: input.hostUrn(host),
    location: config,
  }));
}

/** Contacts have an address, the spec's addresses are contacts, and every notification command mails through msmtp over STARTTLS to the spec's relay. */
function notificationFindings(input: MonitoringJudgeInput, engine: EngineEvidence, evidence: MonitoringEvidence): Finding[] {
  const out: Finding[] = [];
  const { objects, vm } = engine;
  const urn = engine.main.urn;
  const contactsFile = (c: { file: string }): string => `${engine.main.path} -> ${c.file}`;
  const contacts = objects.registered("contact");
  const filesOnVm = evidence.files.filter((f) => f.host === vm);
  if (!contacts.length) out.push({ subject: `contacts on ${vm}`, observed: "no contact object", expected: "a contact for every address of spec.notifications.email", urn, location: pathsOf(input).engine.objectsDir });
  const emails = new Set<string>();
  const commands = new Map<string, string>();
  for (const c of contacts) {
    const name = objects.value(c, "contact_name") ?? `(line ${c.line})`;
    const email = objects.value(c, "email");
    if (email === undefined || !ADDRESS.test(email)) out.push({ subject: `address of contact ${name} on ${vm}`, observed: email === undefined ? "no email" : `email ${email}`, expected: "an e-mail address notifications go to", urn, location: contactsFile(c) });
    else emails.add(email);
    for (const key of ["host_notification_commands", "service_notification_commands"]) {
      const names = nagiosList(objects.value(c, key));
      if (!names.length) out.push({ subject: `notifications of contact ${name} on ${vm}`, observed: `no ${key}`, expected: "a notification command that mails through msmtp", urn, location: contactsFile(c) });
      for (const n of names) commands.set(n, contactsFile(c));
    }
  }
  for (const address of input.spec.notifications.email) {
    if (contacts.length && !emails.has(address)) out.push({ subject: `contact for ${address} on ${vm}`, observed: `contacts mail ${[...emails].join(", ") || "no address"}`, expected: "a contact for every address of spec.notifications.email", urn, location: pathsOf(input).engine.objectsDir });
  }

  const resourceFile = filesOnVm.find((f) => f.path === lastValue(engine.main.lines, "resource_file")?.value);
  const configs = new Map<string, string>();
  for (const [name, where] of commands) {
    const subject = `notification command ${name} on ${vm}`;
    const definition = objects.find("command", name);
    const line = definition ? objects.value(definition, "command_line") : undefined;
    if (line === undefined) {
      out.push({ subject, observed: definition ? "no command_line" : "no command object of this name", expected: "a command that mails through msmtp", urn, location: where });
      continue;
    }
    const call = msmtpCallOf(expandUserMacros(line, resourceFile), filesOnVm);
    if ("problem" in call) out.push({ subject, observed: call.problem, expected: `mail through msmtp -C ${pathsOf(input).engine.msmtpConfig} (STARTTLS to the relay)`, urn, location: `${definition?.file ?? where}: command ${name}` });
    else configs.set(call.config, call.via);
  }

  const relay = input.spec.notifications.smtpRelay;
  for (const [config, via] of configs) {
    const file = filesOnVm.find((f) => f.path === config);
    const subject = `mail relay settings of ${vm}`;
    if (!file) {
      if (!input.pending.has(fileKey(vm, config))) out.push({ subject, observed: `${via} calls msmtp -C ${config}, which is not delivered to ${vm}`, expected: "the msmtp configuration delivered with the engine", urn: input.hostUrn(vm), location: config });
      continue;
    }
    const account = readMsmtpAccount(file);
    if ("problem" in account) {
      out.push({ subject, observed: `unreadable: ${account.problem}`, expected: "an msmtprc msmtp reads", urn: file.urn, location: config });
      continue;
    }
    const s = account.settings;
    const observedOf = (key: string): string => (s.get(key) ? `${key} ${s.get(key)?.value}`.trim() : `no ${key}`);
    const location = `${config}: account ${account.name}`;
    if (msmtpOn(s.get("tls")) !== true) out.push({ subject, observed: observedOf("tls"), expected: "tls on (the relay's connection encrypted)", urn: file.urn, location });
    if (msmtpOn(s.get("tls_starttls")) !== true) out.push({ subject, observed: observedOf("tls_starttls"), expected: "tls_starttls on (msmtp refuses to send when the relay offers no STARTTLS)", urn: file.urn, location });
    if (msmtpOn(s.get("tls_certcheck")) === false) out.push({ subject, observed: "tls_certcheck off", expected: "the relay's certificate verified (tls_certcheck on)", urn: file.urn, location });
    const host = s.get("host")?.value;
    const port = Number(s.get("port")?.value ?? MSMTP_DEFAULT_PORT);
    if (host !== relay.host || port !== relay.port) out.push({ subject, observed: `host ${host ?? "(none)"} port ${port}`, expected: `the spec's relay, host ${relay.host} port ${relay.port}`, urn: file.urn, location });
  }
  return out;
}

/** IBAC-MON-001 from the delivered engine files and agents (see the policy). */
export function judgeMonitoringCoverage(input: MonitoringJudgeInput): Judgement {
  const evidence = readMonitoringEvidence(input);
  const findings = evidence.unreadable.map(unreadableFinding);
  if (!evidence.engines.length) return findings.length ? { findings } : { notApplicable: noEngine(input) };
  for (const engine of evidence.engines) findings.push(...coverageFindings(input, engine), ...agentFindings(input, engine, evidence), ...notificationFindings(input, engine, evidence));
  const nodes = new Set(evidence.engines.map((e) => e.node));
  // An engine whose files cannot be read is neither counted nor missed: its unreadable finding speaks for it.
  if (!evidence.unreadableEngines.length && (evidence.engines.length < MIN_MONITORING_VMS || nodes.size < MIN_MONITORING_VMS)) {
    findings.push({
      subject: "monitoring VMs",
      observed: `engine configuration on ${evidence.engines.map((e) => `${e.vm} (on ${e.node ?? "no node"})`).join(", ")}`,
      expected: `the engine on at least ${MIN_MONITORING_VMS} monitoring VMs on different nodes`,
      urn: input.hostUrn(evidence.engines[evidence.engines.length - 1].vm),
      location: pathsOf(input).engine.mainConfig,
    });
  }
  return { findings };
}

/**
 * Seed design, "Monitoring services": monitoring effective at the server and the service layer, notifying
 * through the RIK relay. Judged from what each monitoring VM's engine reads (its main configuration and the
 * object files of its cfg_dir): a host object for every node, VM and the QDevice host, each with a check
 * marked `_LAYER server`; a `_LAYER service` check of every tier (hosts marked `_TIER`); the NRPE agent's
 * configuration on every host checked through it; contacts with an address; notification commands that mail
 * through msmtp with `tls on`, `tls_starttls on` and the spec's relay; the engine on two VMs on different nodes.
 */
export function monitoringCoveragePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "monitoring-coverage",
    description:
      "Each monitoring VM's rendered objects have a host for every node, VM and the QDevice host with a server-layer check, a service-layer check of every tier, an NRPE agent configuration on every host checked through it, contacts with an address, and notifications mailed through msmtp over STARTTLS to the spec's relay; the engine runs on at least two VMs on different nodes.",
    requirements: ["IBAC-MON-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report, notApplicable) => {
    reportJudgement(judgeMonitoringCoverage(await monitoringJudgeInput(view, resources)), report, notApplicable);
  });
}
