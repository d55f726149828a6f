import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildModel } from "../../../components/model/build";
import type { PlatformModel } from "../../../components/model/types";
import type { PlatformSpec } from "../../../components/spec/schema";
import { deriveMonitoringPlan } from "../../../monitoring/plan/derive-monitoring-plan";
import { monitoringPathsUnder, type MonitoringPaths } from "../../../monitoring/paths";
import type { MonitoringPlan } from "../../../monitoring/plan/types";
import { renderEngineFiles } from "../../../monitoring/nagios/render-engine-files";
import { engineDirectories } from "../../../monitoring/nagios/render-main-cfg";
import { renderAgentFiles } from "../../../monitoring/agent/render-agent-files";
import { agentTlsPaths } from "../../../monitoring/agent/tls-files";
import { requireTool } from "../../support/require-tool";
import { startDatabaseLab, type DatabaseLab } from "../database-lab";
import { makeLabCa, makeServerCertificate } from "../tls";
import { httpsDaemon, labDaemon, type LabDaemon } from "./daemon";
import { labSubset } from "./lab-subset";
import { LAB_MONITORING_VMS, LAB_NODES, LAB_RELAY_ADDRESS, labHosts, LAB_RELAY_PORT, labMonitoringSpec, labServes, labTlsEndpoints, type CheckTiming } from "./lab-spec";
import { startNagios, type NagiosEngine } from "./nagios-runner";
import { startSmtpSink, type SmtpSink } from "./smtp-sink";
import { createTopology, type Topology } from "./topology";
import { labDir, writeMonitoringFiles } from "./write-files";

// The monitoring lab: the lab stack's monitoring plan, cut down to the hosts the lab has (lab-subset.ts), its
// engine and agent files rendered by the toolkit's renderers and run for real:
//
//   core:  mon-1 (nagios4, active), mon-2 (nagios4, standby), the SMTP sink at LAB_RELAY_ADDRESS
//   pve1:  db-1 (the database lab's primary: mariadbd, sshd), api-1 (HTTPS health on 8443)
//   pve2:  db-2 (the database lab's replica), api-2
//
// Every host with an agent runs Debian's nrpe with the rendered main file and drop-in (TLS from the lab's
// internal CA, which is the database lab's CA); every node answers the Proxmox API check (401 over TLS) with a
// stand-in. What differs from a VM (nothing of it is in the rendered text):
// - the spec: the relay is LAB_RELAY_ADDRESS (the sink's namespace), the check timing is the test's;
// - every path is under the host's lab root (monitoringPathsUnder), the plan derived with those paths;
// - the relay's trust file is the sink's throwaway CA (on a VM: the system bundle);
// - the services are stand-ins where the lab runs no real one (the API's health path, pveproxy).

export interface MonitoringLabOptions {
  timing: CheckTiming;
  /** The monitoring VMs to run (default both: active and standby). */
  monitoringVms?: readonly string[];
}

export interface MonitoringLab {
  root: string;
  spec: PlatformSpec;
  model: PlatformModel;
  /** The plan the engines run (the lab subset, with mon-1's paths). */
  plan: MonitoringPlan;
  topology: Topology;
  sink: SmtpSink;
  db: DatabaseLab;
  engines: Map<string, NagiosEngine>;
  /** Stand-in services by `<host>/<port>`; agents by host. */
  services: Map<string, LabDaemon>;
  agents: Map<string, LabDaemon>;
  /** The VMs the lab routes through a node's namespace. */
  behindNode(node: string): string[];
  /**
   * Resolves when every engine has checked every host and service, every host UP and every service OK in a
   * hard state, except the services `ignore` names (which must still be in a hard state, so their one
   * notification has gone out).
   */
  allGreen(timeoutMs: number, ignore?: (host: string, service: string) => boolean): Promise<void>;
  /** Resolves once the sink got no message for `ms` (at most `timeoutMs`). */
  sinkQuiet(ms: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Longer than the expiry checks' warning threshold (the lab stack: 30 days). */
const LAB_CERTIFICATE_DAYS = 90;

const hostRoot = (root: string, host: string): string => path.join(root, host);

export async function startMonitoringLab(o: MonitoringLabOptions): Promise<MonitoringLab> {
  if (process.getuid?.() !== 0) throw new Error("the monitoring lab needs root: network namespaces, nagios4 and nrpe dropping to nagios");
  const tools = {
    nagios: requireTool("/usr/sbin/nagios4", "nagios4-core"),
    nrpe: requireTool("/usr/sbin/nrpe", "nagios-nrpe-server"),
    checkNrpe: requireTool("/usr/lib/nagios/plugins/check_nrpe", "nagios-nrpe-plugin"),
    checkCurl: requireTool("/usr/lib/nagios/plugins/check_curl", "monitoring-plugins-standard"),
    msmtp: requireTool("msmtp", "msmtp"),
    openssl: requireTool("openssl", "openssl"),
  };
  const monVms = o.monitoringVms ?? LAB_MONITORING_VMS;
  const spec = labMonitoringSpec(o.timing);
  const built = buildModel(spec);
  if (!built.model) throw new Error(`the lab spec builds no model: ${JSON.stringify(built.problems)}`);
  const model = built.model;
  const tls = labTlsEndpoints(spec, model);
  const hosts = labHosts(monVms);
  const planUnder = (root: string): MonitoringPlan => labSubset(deriveMonitoringPlan(spec, model, tls, monitoringPathsUnder(root)), hosts, labServes);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-mon-lab-"));
  // nagios4 and nrpe run as nagios and must get through to their files.
  fs.chmodSync(root, 0o755);
  const daemons: LabDaemon[] = [];
  const engines = new Map<string, NagiosEngine>();
  let db: DatabaseLab | undefined;
  let topology: Topology | undefined;
  let sink: SmtpSink | undefined;
  const onExit = (): void => {
    for (const n of topology?.created ?? []) {
      try {
        for (const pid of execFileSync("ip", ["netns", "pids", n], { encoding: "utf8" }).split(/\s+/).filter(Boolean)) process.kill(Number(pid), "SIGKILL");
        execFileSync("ip", ["netns", "delete", n]);
      } catch {
        // best effort at exit
      }
    }
  };
  process.once("exit", onExit);
  const stop = async (): Promise<void> => {
    for (const e of engines.values()) await e.stop().catch(() => undefined);
    for (const d of daemons) await d.stop().catch(() => undefined);
    await sink?.stop().catch(() => undefined);
    await topology?.destroy();
    await db?.stop();
    process.removeListener("exit", onExit);
    if (process.env.IBAC_LAB_KEEP !== "1") fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    db = await startDatabaseLab();
    const dbLab = db;
    const dbNetns = (name: string): string => dbLab.host(name).netns;
    const vmAddress = (name: string): string => {
      const a = model.vms.find((v) => v.name === name)?.nics[0]?.address;
      if (!a) throw new Error(`the lab model has no VM ${name}`);
      return a;
    };
    const nodeAddress = (name: string): string => model.nodes.find((n) => n.name === name)?.managementAddress ?? "";
    topology = await createTopology({
      core: [...monVms.map((vm) => ({ name: vm, address: vmAddress(vm) })), { name: "sink", address: LAB_RELAY_ADDRESS }],
      nodes: Object.entries(LAB_NODES).map(([node, vms]) => ({
        name: node,
        address: nodeAddress(node),
        vms: vms.map((vm) => ({ name: vm, address: vmAddress(vm), ...(vm.startsWith("db-") ? { netns: dbNetns(vm) } : {}) })),
      })),
    });
    const topo = topology;

    // The relay: its own throwaway CA (the relay is outside the platform).
    const relayCa = await makeLabCa(path.join(root, "relay-ca"), tools.openssl);
    const sinkCert = { commonName: "relay.lab", dnsNames: ["relay.lab"], ipAddresses: [LAB_RELAY_ADDRESS], certFile: path.join(root, "relay-ca", "sink.pem"), keyFile: path.join(root, "relay-ca", "sink-key.pem") };
    await makeServerCertificate(relayCa, sinkCert, tools.openssl);
    sink = await startSmtpSink({ netns: topo.netns("sink"), address: LAB_RELAY_ADDRESS, port: LAB_RELAY_PORT, tls: sinkCert });

    const internalCa = dbLab.ca;
    const certFor = async (dir: string, name: string, address: string, fqdn: string): Promise<{ certFile: string; keyFile: string }> => {
      labDir(root, dir);
      // Valid beyond the plan's expiry thresholds (30/14 days): a lab certificate must not be a standing problem.
      const c = { commonName: fqdn, dnsNames: [fqdn, name], ipAddresses: [address], certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}-key.pem`), days: LAB_CERTIFICATE_DAYS };
      await makeServerCertificate(internalCa, c, tools.openssl);
      return c;
    };
    const place = (from: string, to: string, mode: number, owner = "root:nagios"): void => {
      labDir(root, path.dirname(to));
      writeMonitoringFiles(root, [{ path: to, content: fs.readFileSync(from, "utf8"), mode: mode.toString(8).padStart(4, "0"), owner }]);
    };

    // Agents: every host with one, its plan derived with its own root's paths.
    for (const host of hosts) {
      const hr = hostRoot(root, host);
      const paths: MonitoringPaths = monitoringPathsUnder(hr);
      const agent = planUnder(hr).agents.find((a) => a.host === host);
      if (!agent) continue;
      writeMonitoringFiles(root, renderAgentFiles(agent, paths.agent));
      const t = agentTlsPaths(paths.agent);
      const c = await certFor(path.join(hr, "lab-certs"), host, agent.address, agent.tlsName);
      place(internalCa.cert, t.ca, 0o644);
      place(c.certFile, t.cert, 0o644);
      place(c.keyFile, t.key, 0o640);
      labDir(root, path.dirname(paths.agent.pidFile), "nagios:nagios");
      const d = labDaemon({
        what: `nrpe on ${host}`,
        netns: topo.netns(host),
        argv: [tools.nrpe, "-c", paths.agent.mainConfig, "-f"],
        log: path.join(hr, "nrpe.log"),
        ready: { address: agent.address, port: agent.port },
      });
      daemons.push(d);
      await d.start();
    }
    const agents = new Map(hosts.filter((h) => daemons.some((d) => d.what === `nrpe on ${h}`)).map((h) => [h, daemons.find((d) => d.what === `nrpe on ${h}`) as LabDaemon]));

    // Stand-in services: the API's health path, the nodes' Proxmox API.
    const services = new Map<string, LabDaemon>();
    const plan = planUnder(hostRoot(root, monVms[0]));
    for (const check of plan.checks) {
      const c = check.command;
      const key = `${check.host}/${"port" in c ? c.port : ""}`;
      if (services.has(key) || (c.kind !== "https" && c.kind !== "proxmox-api")) continue;
      const host = plan.hosts.find((h) => h.name === check.host);
      if (!host) continue;
      const fqdn = c.kind === "https" ? c.serverName : `${host.name}.${model.site.domain}`;
      const cert = await certFor(path.join(hostRoot(root, host.name), "lab-certs"), `${host.name}-${c.port}`, host.address, fqdn);
      fs.chmodSync(cert.keyFile, 0o600);
      const d = httpsDaemon({
        what: `${c.kind} on ${host.name}:${c.port}`,
        netns: topo.netns(host.name),
        address: host.address,
        port: c.port,
        certFile: cert.certFile,
        keyFile: cert.keyFile,
        routes: c.kind === "https" ? { [c.path]: 200 } : { "/api2/json/version": 401 },
        log: path.join(hostRoot(root, host.name), `service-${c.port}.log`),
      });
      daemons.push(d);
      services.set(key, d);
      await d.start();
    }

    // Engines.
    for (const vm of monVms) {
      const hr = hostRoot(root, vm);
      const paths = monitoringPathsUnder(hr);
      const vmPlan = planUnder(hr);
      for (const dir of engineDirectories(paths.engine)) labDir(root, dir.path, dir.owner, parseInt(dir.mode, 8));
      const server = vmPlan.servers.find((s) => s.vm === vm);
      if (!server) throw new Error(`lab plan: ${vm} is no monitoring server`);
      const client = await certFor(path.join(hr, "lab-certs"), `${vm}-client`, server.address, `${vm}.${model.site.domain}`);
      place(internalCa.cert, paths.engine.caFile, 0o644);
      place(client.certFile, paths.engine.clientCertFile, 0o644);
      place(client.keyFile, paths.engine.clientKeyFile, 0o640);
      place(relayCa.cert, paths.engine.relayTrustFile, 0o644);
      writeMonitoringFiles(root, renderEngineFiles(vmPlan, vm, paths.engine, { mysqlPassword: dbLab.passwords.monitoring }));
      engines.set(vm, await startNagios(topo.netns(vm), paths.engine.mainConfig));
    }

    const sinkNow = sink;
    const lab: MonitoringLab = {
      root,
      spec,
      model,
      plan,
      topology: topo,
      sink,
      db: dbLab,
      engines,
      services,
      agents,
      behindNode: (node) => [...((LAB_NODES as Record<string, readonly string[]>)[node] ?? [])],
      async allGreen(timeoutMs, ignore = () => false) {
        for (const e of engines.values()) {
          await e.waitForStatus(
            "every host UP and every service OK",
            (s) =>
              s.hosts.length === plan.hosts.length &&
              s.services.length === plan.checks.length &&
              s.hosts.every((h) => h.checked && h.hard && h.state === 0) &&
              s.services.every((v) => v.checked && v.hard && (v.state === 0 || ignore(v.host, v.service))),
            timeoutMs,
          );
        }
      },
      async sinkQuiet(ms, timeoutMs) {
        const end = Date.now() + timeoutMs;
        let count = -1;
        let since = Date.now();
        while (Date.now() < end) {
          const n = sinkNow.messages().length;
          if (n !== count) {
            count = n;
            since = Date.now();
          } else if (Date.now() - since >= ms) return;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`the sink did not stay quiet for ${ms} ms within ${timeoutMs} ms`);
      },
      stop,
    };
    return lab;
  } catch (err) {
    await stop();
    throw err;
  }
}
