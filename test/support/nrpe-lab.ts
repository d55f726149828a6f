// The NRPE agent under test: the rendered files under a temporary root, nrpe run as nagios (as Debian's unit
// does) inside a network namespace of its own, and a second namespace for the monitoring side with one
// address that allowed_hosts lists and one that it does not. Everything is removed by `stop`.
import { spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderAgentFiles } from "../../monitoring/agent/render-agent-files";
import type { AgentPaths } from "../../monitoring/paths";
import type { AgentPlan } from "../../monitoring/plan/types";
import { agentTlsPaths } from "../../monitoring/agent/tls-files";
import { runChecked, sleep } from "../lab/run";
import { makeLabCa, makeServerCertificate, type LabCa } from "../lab/tls";
import { requireTool } from "./require-tool";
import { processAlive } from "./process-alive";

export interface NrpeLab {
  agentNetns: string;
  clientNetns: string;
  /** What the agent logs (a test-only log_file drop-in: no syslog here). */
  log(): string;
  stop(): Promise<void>;
}

export const NRPE_LAB_NET = { agent: "10.215.0.1", allowedClient: "10.215.0.2", otherClient: "10.215.0.3", prefix: 24 };

function owner(spec: string): { uid: number; gid: number } {
  const [user, group] = spec.split(":");
  const id = (db: string, name: string): number => {
    const line = fs.readFileSync(db, "utf8").split("\n").find((l) => l.startsWith(`${name}:`));
    if (!line) throw new Error(`no ${name} in ${db}: apt-get install -y --no-install-recommends nagios-nrpe-server`);
    return Number(line.split(":")[2]);
  };
  return { uid: id("/etc/passwd", user!), gid: id("/etc/group", group!) };
}

/** Writes every rendered file with its mode and owner, as the component delivers them. */
export function writeAgentFiles(agent: AgentPlan, paths: AgentPaths): void {
  for (const f of renderAgentFiles(agent, paths)) {
    fs.mkdirSync(path.dirname(f.path), { recursive: true, mode: 0o755 });
    fs.writeFileSync(f.path, f.content, { mode: Number.parseInt(f.mode, 8) });
    fs.chmodSync(f.path, Number.parseInt(f.mode, 8));
    const o = owner(f.owner);
    fs.chownSync(f.path, o.uid, o.gid);
  }
}

export interface KeyPair {
  cert: string;
  key: string;
}

export interface NrpeLabCertificates {
  ca: LabCa;
  /** The monitoring VM's client certificate, from `ca`. */
  client: KeyPair;
  /** A client certificate from another CA (`ca` is that CA's certificate). */
  foreign: KeyPair & { ca: string };
}

async function clientCertificate(issuer: LabCa, dir: string, openssl: string): Promise<KeyPair> {
  fs.mkdirSync(dir, { recursive: true });
  const pair = { cert: path.join(dir, "client.pem"), key: path.join(dir, "client-key.pem") };
  await makeServerCertificate(issuer, { commonName: "mon-1.ibac.internal", dnsNames: ["mon-1.ibac.internal"], ipAddresses: [NRPE_LAB_NET.allowedClient], certFile: pair.cert, keyFile: pair.key }, openssl);
  return pair;
}

/**
 * A throwaway CA, the agent's certificate in paths.tlsDir under the names the drop-in uses (key 0640
 * root:nagios, as the component delivers it), a client certificate from the CA and one from another CA.
 * The agent's certificate names the host by DNS only (no IP SAN): a connection by address that succeeds
 * shows that check_nrpe does not compare the name.
 */
export async function makeNrpeLabCertificates(root: string, paths: AgentPaths, tlsName: string): Promise<NrpeLabCertificates> {
  const openssl = requireTool("openssl", "openssl");
  const ca = await makeLabCa(path.join(root, "pki", "ca"), openssl);
  const client = await clientCertificate(ca, path.join(root, "pki", "client"), openssl);
  const otherCa = await makeLabCa(path.join(root, "pki", "other-ca"), openssl);
  const foreign = { ...(await clientCertificate(otherCa, path.join(root, "pki", "foreign"), openssl)), ca: otherCa.cert };
  const tls = agentTlsPaths(paths);
  fs.mkdirSync(paths.tlsDir, { recursive: true, mode: 0o755 });
  await makeServerCertificate(ca, { commonName: tlsName, dnsNames: [tlsName], ipAddresses: [], certFile: tls.cert, keyFile: tls.key }, openssl);
  fs.copyFileSync(ca.cert, tls.ca);
  fs.chmodSync(tls.cert, 0o644);
  fs.chmodSync(tls.ca, 0o644);
  fs.chmodSync(tls.key, 0o640);
  fs.chownSync(tls.key, 0, owner("root:nagios").gid);
  return { ca, client, foreign };
}

export interface NrpeLabOptions {
  /** Edits the rendered main nrpe.cfg before nrpe starts (to show what Debian's own file would do). */
  editMainConfig?: (text: string) => string;
}

export async function startNrpeLab(agent: AgentPlan, paths: AgentPaths, root: string, options: NrpeLabOptions = {}): Promise<NrpeLab> {
  const nrpe = requireTool("nrpe", "nagios-nrpe-server");
  const ip = requireTool("ip", "iproute2");
  const setpriv = requireTool("setpriv", "util-linux");
  const suffix = crypto.randomBytes(4).toString("hex");
  const agentNetns = `ibac-nrpe-a-${suffix}`;
  const clientNetns = `ibac-nrpe-c-${suffix}`;
  const created: string[] = [];
  let daemon: ChildProcess | undefined;
  const logFile = path.join(root, "nrpe.log");

  const stop = async (): Promise<void> => {
    if (daemon?.pid && processAlive(daemon.pid)) {
      process.kill(daemon.pid, "SIGTERM");
      for (let i = 0; i < 50 && processAlive(daemon.pid); i++) await sleep(100);
      if (processAlive(daemon.pid)) process.kill(daemon.pid, "SIGKILL");
    }
    for (const ns of created.reverse()) await runChecked(ip, ["netns", "del", ns]).catch(() => undefined);
  };

  try {
    for (const ns of [agentNetns, clientNetns]) {
      await runChecked(ip, ["netns", "add", ns]);
      created.push(ns);
      await runChecked(ip, ["-n", ns, "link", "set", "lo", "up"]);
    }
    await runChecked(ip, ["-n", agentNetns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", clientNetns]);
    await runChecked(ip, ["-n", agentNetns, "addr", "add", `${NRPE_LAB_NET.agent}/${NRPE_LAB_NET.prefix}`, "dev", "eth0"]);
    for (const a of [NRPE_LAB_NET.allowedClient, NRPE_LAB_NET.otherClient]) {
      await runChecked(ip, ["-n", clientNetns, "addr", "add", `${a}/${NRPE_LAB_NET.prefix}`, "dev", "eth0"]);
    }
    for (const ns of [agentNetns, clientNetns]) await runChecked(ip, ["-n", ns, "link", "set", "eth0", "up"]);

    writeAgentFiles(agent, paths);
    if (options.editMainConfig) fs.writeFileSync(paths.mainConfig, options.editMainConfig(fs.readFileSync(paths.mainConfig, "utf8")));
    // The test's own drop-in, read after ibac.cfg: a log file to read the agent's reasons from, and
    // ssl_logging 0x20 (client certificate details) so a refused handshake says why.
    fs.writeFileSync(logFile, "");
    const nagios = owner("nagios:nagios");
    fs.chownSync(logFile, nagios.uid, nagios.gid);
    fs.writeFileSync(path.join(path.dirname(paths.config), "zz-test-log.cfg"), `log_file=${logFile}\nssl_logging=0x20\n`, { mode: 0o644 });
    fs.mkdirSync(path.dirname(paths.pidFile), { recursive: true });
    fs.chownSync(path.dirname(paths.pidFile), nagios.uid, nagios.gid);

    // ip netns exec and setpriv exec in place: the PID spawned is nrpe's own, which `stop` signals.
    daemon = spawn(ip, ["netns", "exec", agentNetns, setpriv, "--reuid=nagios", "--regid=nagios", "--init-groups", "--", nrpe, "-c", paths.mainConfig, "-f"], { stdio: "ignore" });
    for (let i = 0; i < 50 && !fs.readFileSync(logFile, "utf8").includes("Listening for connections"); i++) await sleep(100);
    if (!fs.readFileSync(logFile, "utf8").includes("Listening for connections")) {
      throw new Error(`nrpe did not start listening:\n${fs.readFileSync(logFile, "utf8")}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { agentNetns, clientNetns, log: () => fs.readFileSync(logFile, "utf8"), stop };
}

/** A temporary root for the agent's files that the nagios user can traverse. */
export function nrpeLabRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-nrpe-"));
  fs.chmodSync(root, 0o755);
  return root;
}
