import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildModel } from "../../../components/model/build";
import { monitoringPathsUnder, type EnginePaths } from "../../../monitoring/paths";
import { deriveMonitoringPlan } from "../../../monitoring/plan/derive-monitoring-plan";
import type { MonitoringPlan } from "../../../monitoring/plan/types";
import { renderEngineFiles } from "../../../monitoring/nagios/render-engine-files";
import { NOTIFY_SCRIPT } from "../../../monitoring/nagios/render-commands";
import type { PlatformSpec } from "../../../components/spec/schema";
import { requireTool } from "../../support/require-tool";
import { run, type RunResult } from "../run";
import { makeLabCa, makeServerCertificate, type LabCa } from "../tls";
import { LAB_MONITORING_VMS, LAB_RELAY_ADDRESS, LAB_RELAY_PORT, labHosts, labMonitoringSpec, labServes, labTlsEndpoints } from "./lab-spec";
import { labSubset } from "./lab-subset";
import { startSmtpSink, type SmtpSink } from "./smtp-sink";
import { createTopology, type Topology } from "./topology";
import { writeMonitoringFiles } from "./write-files";

// The relay proof's lab: the active monitoring VM's namespace with its rendered msmtprc and notification script
// (nothing else of the engine), and a sink namespace at the relay address the spec names. The sink can be
// started with STARTTLS (a certificate from the relay's throwaway CA), without it, or with a certificate from
// another CA than the engine's relayTrustFile.

export interface RelayLab {
  spec: PlatformSpec;
  plan: MonitoringPlan;
  paths: EnginePaths;
  monAddress: string;
  topology: Topology;
  /** Starts a sink at the relay address (stopping the previous one). */
  sink(kind: "starttls" | "no-starttls" | "untrusted-certificate"): Promise<SmtpSink>;
  /** The rendered ibac-notify, as Nagios runs it (user nagios, environment macros), in mon-1's namespace. */
  notify(kind: "host" | "service", env: Record<string, string>): Promise<RunResult>;
  /** msmtp with a given config file in mon-1's namespace, as nagios. */
  msmtp(config: string, recipient: string, message: string): Promise<RunResult>;
  root: string;
  stop(): Promise<void>;
}

export async function startRelayLab(): Promise<RelayLab> {
  const openssl = requireTool("openssl", "openssl");
  requireTool("msmtp", "msmtp");
  requireTool("setpriv", "util-linux");
  const spec = labMonitoringSpec({ intervalSeconds: 10, retryIntervalSeconds: 2, attempts: 2 });
  const model = buildModel(spec).model;
  if (!model) throw new Error("the lab spec builds no model");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-relay-lab-"));
  fs.chmodSync(root, 0o755);
  const hr = path.join(root, "mon-1");
  const paths = monitoringPathsUnder(hr).engine;
  const plan = labSubset(deriveMonitoringPlan(spec, model, labTlsEndpoints(spec, model), monitoringPathsUnder(hr)), labHosts(LAB_MONITORING_VMS), labServes);
  const mon = plan.servers.find((s) => s.role === "active");
  if (!mon) throw new Error("the lab plan has no active monitoring VM");
  let topology: Topology | undefined;
  let current: SmtpSink | undefined;
  const stop = async (): Promise<void> => {
    await current?.stop();
    await topology?.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const files = renderEngineFiles(plan, mon.vm, paths, { mysqlPassword: "not-used-by-the-relay-proof" });
    writeMonitoringFiles(root, files.filter((f) => f.path === paths.msmtpConfig || f.path === `${paths.scriptDir}/${NOTIFY_SCRIPT}`));
    const ca: LabCa = await makeLabCa(path.join(root, "relay-ca"), openssl);
    const other: LabCa = await makeLabCa(path.join(root, "other-ca"), openssl);
    writeMonitoringFiles(root, [{ path: paths.relayTrustFile, content: fs.readFileSync(ca.cert, "utf8"), mode: "0644", owner: "root:root" }]);
    const certOf = async (issuer: LabCa, name: string): Promise<{ certFile: string; keyFile: string }> => {
      const c = { commonName: "relay.lab", dnsNames: ["relay.lab"], ipAddresses: [LAB_RELAY_ADDRESS], certFile: path.join(root, `${name}.pem`), keyFile: path.join(root, `${name}-key.pem`) };
      await makeServerCertificate(issuer, c, openssl);
      return c;
    };
    const trusted = await certOf(ca, "sink");
    const untrusted = await certOf(other, "sink-other");
    topology = await createTopology({ core: [{ name: mon.vm, address: mon.address }, { name: "sink", address: LAB_RELAY_ADDRESS }], nodes: [] });
    const topo = topology;
    const asNagios = (argv: string[], env: Record<string, string>, input?: string): Promise<RunResult> =>
      run("ip", ["netns", "exec", topo.netns(mon.vm), "setpriv", "--reuid", "nagios", "--regid", "nagios", "--init-groups", "env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], { input, timeoutMs: 60_000 });
    return {
      spec,
      plan,
      paths,
      monAddress: mon.address,
      topology: topo,
      root,
      async sink(kind) {
        await current?.stop();
        current = undefined;
        const tls = kind === "starttls" ? trusted : kind === "untrusted-certificate" ? untrusted : undefined;
        current = await startSmtpSink({ netns: topo.netns("sink"), address: LAB_RELAY_ADDRESS, port: LAB_RELAY_PORT, tls, requireStartTls: true });
        return current;
      },
      notify: (kind, env) => asNagios([`${paths.scriptDir}/${NOTIFY_SCRIPT}`, kind], env),
      msmtp: (config, recipient, message) => asNagios(["/usr/bin/msmtp", "-C", config, "--", recipient], {}, message),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
