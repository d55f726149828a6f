import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";
import { buildModel } from "../../../components/model/build";
import type { PlatformModel, VmPlan } from "../../../components/model/types";
import type { PlatformSpec } from "../../../components/spec/schema";
import { holdsAddress, parseShowStat, type StatRow } from "../../../playbooks/loadbalancer/haproxy-stat";
import { requireTool } from "../../support/require-tool";
import { createLabNetwork } from "../network";
import { run, runChecked, sleep, type RunResult } from "../run";
import { makeLabCa, makeServerCertificate, signLabCrl, type LabCa } from "../tls";
import { keepalivedArguments } from "../../../components/network/vrrp/keepalived-paths";
import { renderLbHost, type LbHostLayout, type RenderedLbHost } from "./rendered";

// A lab of the load-balancer tier on one machine (see README.md beside this file): a client, two load
// balancers and two API instances, each a network namespace on one bridge with the model's service address;
// HAProxy and keepalived run from the files the toolkit renders for the spec's lb-N VMs; the API instances are
// a stand-in HTTPS service (standin-api.ts). Every process the lab starts runs inside one of its namespaces.

const HERE = __dirname;
const LAB_PARENT = "/run";
const TSX_LOADER = pathToFileURL(require.resolve("tsx")).href;

export interface LbLabTools {
  ip: string;
  haproxy: string;
  keepalived: string;
  openssl: string;
  python3: string;
  sysctl: string;
}

export function lbLabTools(): LbLabTools {
  return {
    ip: requireTool("ip", "iproute2"),
    haproxy: requireTool("haproxy", "haproxy"),
    keepalived: requireTool("keepalived", "keepalived"),
    openssl: requireTool("openssl", "openssl"),
    python3: requireTool("python3", "python3"),
    sysctl: requireTool("sysctl", "procps"),
  };
}

/** One namespace of the lab: a VM of the model (or the client) with its service address on eth0. */
export interface LbLabHost {
  name: string;
  fqdn: string;
  address: string;
  netns: string;
  /** The bridge port of this host in the switch namespace (down = the VM is off the wire). */
  port: string;
  dir: string;
}

export interface LbLabBalancer extends LbLabHost {
  vm: VmPlan;
  layout: LbHostLayout;
  /** What HAProxy and the notify script logged, as the log sink received it: "<ms> <syslog text>". */
  logFile: string;
}

export interface LbLabApi extends LbLabHost {
  certFile: string;
  keyFile: string;
}

/** One ended request of the closed-loop client. */
export interface ClientResult {
  startMs: number;
  endMs: number;
  ok: boolean;
  /** The instance that answered (ok), or why it failed (timeout, ECONNRESET, http-503, ...). */
  detail: string;
}

export interface ClientRun {
  /** What has ended so far (read from the client's file). */
  results(): ClientResult[];
  /** SIGTERM to the client, waits for it to exit, returns every result. */
  stop(): Promise<ClientResult[]>;
}

export interface ClientOptions {
  /** Concurrent request loops (default 4). */
  workers?: number;
  /** A request that has not ended by then counts as failed and the loop goes on (default 5000 ms). */
  timeoutMs?: number;
  /** The CA the client trusts (default the lab CA). */
  caFile?: string;
  /** The name the client expects in the certificate and sends as SNI (default the spec's first public name). */
  servername?: string;
}

export type { StatRow } from "../../../playbooks/loadbalancer/haproxy-stat";

export interface LbLab {
  root: string;
  spec: PlatformSpec;
  model: PlatformModel;
  /** The API's virtual address (model.virtualIps.loadBalancer) and HTTPS port. */
  apiAddress: string;
  apiPort: number;
  publicName: string;
  ca: LabCa;
  client: LbLabHost;
  balancers: LbLabBalancer[];
  apis: LbLabApi[];
  namespaces: string[];
  balancer(name: string): LbLabBalancer;
  api(name: string): LbLabApi;
  /** The load balancer whose eth0 holds the API's address now; undefined when none or both (reported). */
  activeBalancer(): Promise<LbLabBalancer | undefined>;
  /** Balancers that hold the API address on eth0 now. */
  holders(): Promise<LbLabBalancer[]>;
  /** Waits until exactly one balancer holds the API address and returns it. */
  waitForActive(timeoutMs?: number): Promise<LbLabBalancer>;
  /** SIGKILL to the stand-in API service of an instance (the namespace and its address stay). */
  killApi(name: string): void;
  startApi(name: string): Promise<void>;
  /**
   * The balancer VM dies: every process in its namespace (keepalived's and HAProxy) stopped at once, its bridge
   * port down (a dead VM takes its addresses off the wire, while a namespace would keep answering ARP for
   * them), then SIGKILL to them all. Returns the time it was off the wire and frozen (Date.now()).
   */
  killBalancer(name: string): number;
  /** The balancer boots again: port up, no stale virtual address, log sink, HAProxy and keepalived started. */
  bootBalancer(name: string): Promise<void>;
  /** SIGKILL to HAProxy's processes (master and worker) on a balancer; keepalived and the rest stay. */
  killHaproxy(name: string): number;
  /** Starts HAProxy again on a balancer (as systemd's Restart= would). */
  startHaproxy(name: string): Promise<void>;
  /** HAProxy's `show stat` over the balancer's stats socket. */
  showStat(name: string): Promise<StatRow[]>;
  /** Any command on the stats socket (`show info`, ...). */
  statsCommand(name: string, command: string): Promise<string>;
  haproxyLog(name: string): string[];
  startClient(options?: ClientOptions): Promise<ClientRun>;
  runInClient(argv: readonly string[], input?: string): Promise<RunResult>;
  /** Kills everything the lab started, deletes its namespaces and (unless IBAC_LAB_KEEP=1) its directory. */
  stop(): Promise<void>;
}

export interface LbLabOptions {
  /** The spec to render for (default: the lab stack's, from test/fixtures: pass stackSpec("lab")). */
  spec: PlatformSpec;
}

// ---------------------------------------------------------------------------------------------------------
// Teardown: every process in the lab's namespaces and every process it spawned, by PID; also on process exit.

interface TeardownRecord {
  root: string;
  namespaces: string[];
  children: Set<ChildProcess>;
  stopped: boolean;
}

const liveLabs = new Set<TeardownRecord>();
let exitHookInstalled = false;

function namespacePids(netns: string): number[] {
  const r = spawnSync("ip", ["netns", "pids", netns], { encoding: "utf8" });
  if (r.status !== 0) return [];
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function labPids(record: TeardownRecord): number[] {
  const pids = new Set<number>(record.namespaces.flatMap(namespacePids));
  for (const c of record.children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) pids.add(c.pid);
  return [...pids].filter(alive);
}

function killAll(pids: readonly number[]): void {
  signalAll(pids, "SIGKILL");
}

function signalAll(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

function teardownSync(record: TeardownRecord): string[] {
  if (record.stopped) return [];
  record.stopped = true;
  killAll(labPids(record));
  const deadline = Date.now() + 5000;
  while (labPids(record).length && Date.now() < deadline) spawnSync("sleep", ["0.05"]);
  const problems: string[] = [];
  const left = labPids(record);
  if (left.length) problems.push(`processes still alive after SIGKILL: ${left.join(", ")}`);
  for (const netns of [...record.namespaces].reverse()) {
    const r = spawnSync("ip", ["netns", "del", netns], { encoding: "utf8" });
    if (r.status !== 0) problems.push(`ip netns del ${netns}: ${r.stderr.trim()}`);
  }
  record.namespaces.length = 0;
  if (process.env.IBAC_LAB_KEEP !== "1") fs.rmSync(record.root, { recursive: true, force: true });
  liveLabs.delete(record);
  return problems;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const record of [...liveLabs]) teardownSync(record);
  });
}

// ---------------------------------------------------------------------------------------------------------

function writeFile(file: string, content: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<string | true> | string | true, log?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const result = await probe();
    if (result === true) return;
    last = result;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s; last: ${last}${log ? `\n${log()}` : ""}`);
    await sleep(50);
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function tail(file: string, chars = 3000): string {
  try {
    return fs.readFileSync(file, "utf8").slice(-chars);
  } catch {
    return "(no file)";
  }
}

function serviceAddress(vm: VmPlan): { address: string; prefix: number } {
  const nic = vm.nics.find((n) => n.network === "service");
  if (!nic) throw new Error(`${vm.name} has no service address`);
  return { address: nic.address, prefix: nic.prefix };
}

/** A service-subnet address the model does not use, for the client namespace (.250 down). */
function freeAddress(model: PlatformModel, sample: string): string {
  const used = new Set<string>([...model.vms.flatMap((v) => v.nics.map((n) => n.address)), ...Object.values(model.virtualIps)]);
  const base = sample.split(".").slice(0, 3).join(".");
  for (let host = 250; host > 1; host--) if (!used.has(`${base}.${host}`)) return `${base}.${host}`;
  throw new Error("no free address for the lab's client namespace");
}

/** Starts a long-running program inside a namespace (`ip netns exec` execs it: the child's PID is the program's). */
function spawnIn(record: TeardownRecord, netns: string, argv: readonly string[], logFile: string): ChildProcess {
  const log = fs.openSync(logFile, "a");
  const child = spawn("ip", ["netns", "exec", netns, ...argv], { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  record.children.add(child);
  child.on("exit", () => record.children.delete(child));
  return child;
}

function statsRequest(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let text = "";
    sock.setEncoding("utf8");
    sock.setTimeout(3000, () => sock.destroy(new Error(`stats socket ${socketPath}: no answer to "${command}" within 3 s`)));
    sock.on("connect", () => sock.write(`${command}\n`));
    sock.on("data", (d: string) => (text += d));
    sock.on("end", () => resolve(text));
    sock.on("error", reject);
  });
}

function parseClientLine(line: string): ClientResult | undefined {
  const m = /^(\d+) (\d+) (ok|fail) (\S+)$/.exec(line);
  return m ? { startMs: Number(m[1]), endMs: Number(m[2]), ok: m[3] === "ok", detail: m[4] } : undefined;
}

/** Builds the lab. A failed start tears down what it built before it throws. */
export async function startLbLab(options: LbLabOptions): Promise<LbLab> {
  const tools = lbLabTools();
  const spec = options.spec;
  const built = buildModel(spec);
  if (!built.model) throw new Error("the lab's spec does not build a model");
  const model = built.model;
  // Not under /tmp: keepalived's script security refuses a script below a directory others may write to (/tmp
  // is 1777). /run is root's; the directory is 0755 so that the script user can run the notify script.
  const root = fs.mkdtempSync(path.join(LAB_PARENT, "ibac-lb-lab-"));
  fs.chmodSync(root, 0o755);
  const record: TeardownRecord = { root, namespaces: [], children: new Set(), stopped: false };
  liveLabs.add(record);
  installExitHook();
  try {
    return await build(record, tools, spec, model);
  } catch (e) {
    const problems = teardownSync(record);
    throw new Error(`${e instanceof Error ? e.message : String(e)}${problems.length ? `\nteardown: ${problems.join("; ")}` : ""}`);
  }
}

async function build(record: TeardownRecord, tools: LbLabTools, spec: PlatformSpec, model: PlatformModel): Promise<LbLab> {
  const root = record.root;
  const id = crypto.randomBytes(3).toString("hex");
  const apiAddress = model.virtualIps.loadBalancer;
  const apiPort = 443;
  const publicName = spec.loadBalancer.publicNames[0];
  const lbVms = model.vms.filter((v) => v.tier === "loadBalancer");
  const apiVms = model.vms.filter((v) => v.tier === "api");
  if (lbVms.length < 2 || apiVms.length < 2) throw new Error(`the lab needs 2 load balancers and 2 API instances; the model has ${lbVms.length} and ${apiVms.length}`);
  const prefix = serviceAddress(lbVms[0]).prefix;
  const host = (name: string, fqdn: string, address: string, short: string): LbLabHost => ({
    name, fqdn, address, netns: `ilb${id}-${short}`, port: `p${id}${short}`, dir: path.join(root, name),
  });
  const client = host("client", "client.lab", freeAddress(model, apiAddress), "cl");
  const renderedFiles = new Map<string, RenderedLbHost["files"]>();
  const balancers: LbLabBalancer[] = lbVms.map((vm, i) => {
    const h = host(vm.name, vm.fqdn, serviceAddress(vm).address, `l${i + 1}`);
    const rendered = renderLbHost({ spec, model, vm, dir: h.dir });
    renderedFiles.set(vm.name, rendered.files);
    return { ...h, vm, layout: rendered.layout, logFile: path.join(h.dir, "haproxy-log.txt") };
  });
  const apis: LbLabApi[] = apiVms.map((vm, i) => {
    const h = host(vm.name, vm.fqdn, serviceAddress(vm).address, `a${i + 1}`);
    return { ...h, certFile: path.join(h.dir, "tls", "server.pem"), keyFile: path.join(h.dir, "tls", "server-key.pem") };
  });
  const all: LbLabHost[] = [client, ...balancers, ...apis];
  for (const h of all) fs.mkdirSync(h.dir, { recursive: true, mode: 0o755 });

  await createLabNetwork(`ilb${id}-sw`, all.map((h) => ({ netns: h.netns, address: h.address, port: h.port })), prefix, record.namespaces);

  const ca = await makeLabCa(path.join(root, "ca"), tools.openssl);
  for (const a of apis) {
    fs.mkdirSync(path.dirname(a.certFile), { recursive: true });
    await makeServerCertificate(ca, { commonName: a.fqdn, dnsNames: [a.fqdn, a.name], ipAddresses: [a.address], certFile: a.certFile, keyFile: a.keyFile }, tools.openssl);
  }

  const processes = new Map<string, ChildProcess[]>();
  const track = (name: string, child: ChildProcess): void => {
    processes.set(name, [...(processes.get(name) ?? []), child]);
  };

  // The balancers' files: rendered once per VM, the front certificate and the backend CA where the layout says.
  for (const b of balancers) {
    for (const f of renderedFiles.get(b.name) ?? []) writeFile(f.path, f.content, f.mode);
    const certDir = path.join(b.dir, ".front-cert");
    fs.mkdirSync(certDir, { recursive: true });
    // The names component.ts asks the internal CA for: the public names and the API's address.
    const cert = { commonName: publicName, dnsNames: [...spec.loadBalancer.publicNames], ipAddresses: [apiAddress], certFile: path.join(certDir, "cert.pem"), keyFile: path.join(certDir, "key.pem") };
    await makeServerCertificate(ca, cert, tools.openssl);
    // HAProxy's `crt` takes certificate and key in one PEM file; the CA file verifies the API instances.
    writeFile(b.layout.haproxy.frontPem, fs.readFileSync(cert.certFile, "utf8") + fs.readFileSync(cert.keyFile, "utf8"), 0o600);
    fs.rmSync(certDir, { recursive: true, force: true });
    writeFile(b.layout.haproxy.caFile, fs.readFileSync(ca.cert, "utf8"));
    await signLabCrl(ca, [], b.layout.haproxy.crlFile);
    // The rendered drop-in, applied as systemd-sysctl would, inside the namespace (the setting is per namespace).
    await runChecked(tools.ip, ["netns", "exec", b.netns, tools.sysctl, "-q", "-p", b.layout.sysctlDropIn]);
  }

  const startApi = async (a: LbLabApi): Promise<void> => {
    const log = path.join(a.dir, "standin.log");
    const before = readText(log).length;
    track(a.name, spawnIn(record, a.netns, [process.execPath, "--import", TSX_LOADER, path.join(HERE, "standin-api.ts"), a.name, a.address, String(spec.api.port), spec.api.healthPath, a.certFile, a.keyFile], log));
    await waitFor(`stand-in API on ${a.name}`, 15_000, () => (readText(log).slice(before).includes("listening") ? true : "not yet"), () => tail(log));
  };

  const startHaproxy = async (b: LbLabBalancer): Promise<void> => {
    fs.mkdirSync(path.dirname(b.layout.haproxy.statsSocket), { recursive: true });
    for (const f of [b.layout.haproxy.statsSocket, b.layout.haproxyPidFile]) fs.rmSync(f, { force: true });
    const haproxyLog = path.join(b.dir, "haproxy.out");
    track(b.name, spawnIn(record, b.netns, [tools.haproxy, "-W", "-db", "-p", b.layout.haproxyPidFile, "-f", b.layout.haproxy.configFile], haproxyLog));
    await waitFor(`HAProxy on ${b.name}`, 10_000, async () => {
      try {
        return (await statsRequest(b.layout.haproxy.statsSocket, "show info")).includes("Name: HAProxy") ? true : "no info";
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    }, () => tail(haproxyLog));
  };

  const bootBalancer = async (b: LbLabBalancer): Promise<void> => {
    await runChecked(tools.ip, ["-n", `ilb${id}-sw`, "link", "set", b.port, "up"]);
    // A booting VM has no virtual address yet; a killed namespace still has the one keepalived added.
    await run(tools.ip, ["-n", b.netns, "addr", "del", `${apiAddress}/32`, "dev", "eth0"]);
    await run(tools.ip, ["-n", b.netns, "addr", "del", `${apiAddress}/${prefix}`, "dev", "eth0"]);
    const sinkLog = path.join(b.dir, "log-sink.log");
    const before = readText(sinkLog).length;
    track(b.name, spawnIn(record, b.netns, [tools.python3, path.join(HERE, "log-sink.py"), `unix:${b.layout.syslog.target}`, b.logFile], sinkLog));
    await waitFor(`log sink on ${b.name}`, 10_000, () => (readText(sinkLog).slice(before).includes("listening") ? true : "not yet"), () => tail(sinkLog));
    await startHaproxy(b);
    // A booting VM has an empty /run: a pid file left by a killed keepalived whose PID is reused would make
    // the new one refuse to start ("daemon is already running").
    for (const f of [b.layout.keepalived.pidFile, b.layout.keepalived.vrrpPidFile]) fs.rmSync(f, { force: true });
    const kaLog = path.join(b.dir, "keepalived.out");
    const kaBefore = readText(kaLog).length;
    track(b.name, spawnIn(record, b.netns, [
      // Production's arguments (keepalived-paths.ts) plus: stay in the foreground, log to the console (its file here).
      tools.keepalived, ...keepalivedArguments(b.layout.keepalived), "--dont-fork", "--log-console", "--no-syslog",
    ], kaLog));
    await waitFor(`keepalived on ${b.name} in its first VRRP state`, 10_000, () => (/Entering (BACKUP|MASTER) STATE/.test(readText(kaLog).slice(kaBefore)) ? true : "not yet"), () => tail(kaLog));
  };

  for (const a of apis) await startApi(a);
  for (const b of balancers) await bootBalancer(b);

  const find = <T extends LbLabHost>(list: T[], name: string): T => {
    const found = list.find((h) => h.name === name);
    if (!found) throw new Error(`the lab has no host ${name}`);
    return found;
  };
  // A killed balancer's namespace keeps the address keepalived added (a dead VM would not): it does not count.
  const dead = new Set<string>();
  const holders = async (): Promise<LbLabBalancer[]> => {
    const out: LbLabBalancer[] = [];
    for (const b of balancers.filter((x) => !dead.has(x.name))) {
      const r = await run(tools.ip, ["-n", b.netns, "-4", "-o", "addr", "show", "dev", "eth0"]);
      if (holdsAddress(r.stdout, apiAddress)) out.push(b);
    }
    return out;
  };
  const keepalivedLogs = (): string => balancers.map((b) => `--- ${b.name} keepalived ---\n${tail(path.join(b.dir, "keepalived.out"))}`).join("\n");
  const lab: LbLab = {
    root, spec, model, apiAddress, apiPort, publicName, ca, client, balancers, apis, namespaces: record.namespaces,
    balancer: (name) => find(balancers, name),
    api: (name) => find(apis, name),
    holders,
    activeBalancer: async () => {
      const h = await holders();
      return h.length === 1 ? h[0] : undefined;
    },
    waitForActive: async (timeoutMs = 15_000) => {
      let active: LbLabBalancer | undefined;
      await waitFor("one load balancer holding the API address", timeoutMs, async () => {
        const h = await holders();
        active = h.length === 1 ? h[0] : undefined;
        return active ? true : `holders: [${h.map((b) => b.name).join(", ")}]`;
      }, keepalivedLogs);
      return active as LbLabBalancer;
    },
    killApi: (name) => {
      const a = find(apis, name);
      killAll((processes.get(a.name) ?? []).map((c) => c.pid ?? 0).filter((p) => p > 1 && alive(p)));
      processes.set(a.name, []);
    },
    startApi: (name) => startApi(find(apis, name)),
    killBalancer: (name) => {
      const b = find(balancers, name);
      // As a crash: every process frozen at once (SIGSTOP: none of them sees the link go, so no FAULT transition
      // and no RST), the VM off the wire, then SIGKILL. The kill's time is when it is off the wire and frozen.
      const pids = namespacePids(b.netns);
      signalAll(pids, "SIGSTOP");
      spawnSync(tools.ip, ["-n", `ilb${id}-sw`, "link", "set", b.port, "down"]);
      const at = Date.now();
      signalAll(pids, "SIGKILL");
      signalAll(namespacePids(b.netns), "SIGKILL");
      dead.add(b.name);
      processes.set(b.name, []);
      return at;
    },
    bootBalancer: async (name) => {
      const b = find(balancers, name);
      await waitFor(`every process of ${b.name} gone`, 5000, () => (namespacePids(b.netns).length ? `pids ${namespacePids(b.netns).join(" ")}` : true));
      await bootBalancer(b);
      dead.delete(b.name);
    },
    killHaproxy: (name) => {
      const b = find(balancers, name);
      const pids = namespacePids(b.netns).filter((pid) => readText(`/proc/${pid}/comm`).trim() === "haproxy");
      if (pids.length === 0) throw new Error(`no HAProxy process runs on ${b.name}`);
      const at = Date.now();
      killAll(pids);
      return at;
    },
    startHaproxy: (name) => startHaproxy(find(balancers, name)),
    showStat: async (name) => parseShowStat(await statsRequest(find(balancers, name).layout.haproxy.statsSocket, "show stat"), `${name}'s stats socket`),
    statsCommand: (name, command) => statsRequest(find(balancers, name).layout.haproxy.statsSocket, command),
    haproxyLog: (name) => readText(find(balancers, name).logFile).split("\n").filter(Boolean),
    startClient: async (o = {}) => {
      const out = path.join(client.dir, `client-${crypto.randomBytes(4).toString("hex")}.txt`);
      fs.writeFileSync(out, "");
      const child = spawnIn(record, client.netns, [
        process.execPath, "--import", TSX_LOADER, path.join(HERE, "closed-loop-client.ts"),
        apiAddress, String(apiPort), o.servername ?? publicName, o.caFile ?? ca.cert, String(o.workers ?? 4), String(o.timeoutMs ?? 5000), out,
      ], path.join(client.dir, "client.log"));
      const results = (): ClientResult[] => fs.readFileSync(out, "utf8").split("\n").map(parseClientLine).filter((r): r is ClientResult => r !== undefined);
      await waitFor("the client's first ended request", 15_000, () => (results().length ? true : "none yet"), () => tail(path.join(client.dir, "client.log")));
      return {
        results,
        stop: async () => {
          const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
          child.kill("SIGTERM");
          await Promise.race([exited, sleep(10_000)]);
          return results();
        },
      };
    },
    runInClient: (argv, input) => run(tools.ip, ["netns", "exec", client.netns, ...argv], { ...(input !== undefined ? { input } : {}), timeoutMs: 60_000 }),
    stop: async () => {
      const problems = teardownSync(record);
      if (problems.length) throw new Error(`load-balancer lab teardown (${root}):\n${problems.join("\n")}`);
    },
  };
  await lab.waitForActive();
  return lab;
}
