import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { planDatabase, type DatabaseTopology } from "../../components/database/topology";
import { replicationSettings } from "../../components/database/settings";
import { tlsFiles, renderCredentialsCnf, type DatabasePaths } from "../../components/database/paths";
import { renderServerCnf, renderRoleCnf, renderAdminCnf } from "../../components/database/render-my-cnf";
import { renderPrimarySetupSql, renderReplicaSetupSql, type AccountPasswords } from "../../components/database/render-setup-sql";
import { REPLICATION_USER } from "../../components/database/users";
import { renderNonlocalBindSysctl } from "../../components/network/vrrp/render-nonlocal-bind-sysctl";
import { parseCidr, intToIpv4 } from "../../components/model/addresses";
import { loadInventoryFile, type Inventory } from "../../playbooks/engine/inventory";
import { requireTool } from "../support/require-tool";
import { createLabNetwork } from "./network";
import { commandLine, run, runChecked, sleep, type RunOptions, type RunResult } from "./run";
import { renderServiceScript, shellQuote } from "./service-script";
import { makeLabCa, makeServerCertificate, signLabCrl, type LabCa } from "./tls";

export type { RunOptions, RunResult } from "./run";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const STACK = "lab";
/** The only sizing the lab changes: a small buffer pool, so that two servers start in about a second. */
export const LAB_BUFFER_POOL_MIB = 64;
/** The OS user mariadbd runs as, as under Debian's mariadb.service. */
const MARIADB_OS_USER = "mysql";
const SSH_USER = "root";
/** keepalived's script user in the lab (and so the role check's MariaDB account): an OS user every Debian has. */
export const LAB_VIP_CHECK_USER = "nobody";
const SSH_PORT = 22;

export interface DatabaseLabOptions {
  /** Semi-synchronous replication on or off; default: what the lab stack's spec says. */
  semiSync?: boolean;
}

/** One database host of the lab: a network namespace with its own sshd and mariadbd. */
export interface LabHost {
  /** The VM's name in the model (db-1, db-2). */
  name: string;
  fqdn: string;
  /** The VM's service address in the model, configured inside `netns`. */
  address: string;
  netns: string;
  serverId: number;
  /** The role the stack's model gives it (runbooks may change the real one later). */
  role: "primary" | "replica";
  /** `<root>/<name>`: everything this host has lives under it. */
  dir: string;
  paths: DatabasePaths;
  /** `<dir>/bin/mariadb-service`: start | stop | kill9 | status. */
  serviceScript: string;
  /** mariadbd's TMPDIR (its tmpdir): one per server, see renderServiceScript. */
  tmpdir: string;
  /** mariadbd's standard output and error. */
  mariadbLog: string;
  sshdLog: string;
}

export interface SqlAsOptions {
  /** Over TCP from the control namespace (default); false: over the host's socket. */
  tcp?: boolean;
  /** TCP only: TLS with the lab CA and the server certificate verified (default true); false: plain TCP. */
  tls?: boolean;
  database?: string;
}

export interface DatabaseLab {
  root: string;
  /** Primary first, then the replicas, as the model orders them. */
  hosts: LabHost[];
  controlNetns: string;
  controlAddress: string;
  /** Every namespace the lab made (hosts, control, switch). */
  namespaces: string[];
  /** Private key that logs in as root on every host (its public key is the hosts' authorized_keys). */
  sshKeyFile: string;
  /** known_hosts with every host's key under its address: SSH from the lab can check host keys strictly. */
  knownHostsFile: string;
  inventoryFile: string;
  inventory: Inventory;
  /** The lab CA's certificate (the same file as every host's tlsFiles(paths).ca). */
  caFile: string;
  /** The lab CA itself (certificate and key), to issue client certificates and sign CRLs in tests. */
  ca: LabCa;
  /** This lab's account passwords (random per lab). */
  passwords: AccountPasswords;
  topology: DatabaseTopology;
  semiSync: boolean;
  host(name: string): LabHost;
  /** Runs SQL as the local administrator (root over the socket); rejects with the client's error. */
  sql(host: LabHost | string, sql: string): Promise<string>;
  /** `SHOW SLAVE STATUS` on a host, by field name (empty when it is not a replica). */
  slaveStatus(host: LabHost | string): Promise<Record<string, string>>;
  /** A global status variable (`Rpl_semi_sync_master_status`, `Ssl_finished_accepts`, ...), as text. */
  globalStatus(host: LabHost | string, name: string): Promise<string>;
  /** Runs SQL as an account, by default over TCP+TLS from the control namespace; rejects with the client's error. */
  sqlAs(host: LabHost | string, user: string, password: string, sql: string, options?: SqlAsOptions): Promise<string>;
  /** Runs the host's service script in its namespace, as a runbook's `service.start` does over SSH. */
  startServer(host: LabHost | string): Promise<void>;
  stopServer(host: LabHost | string): Promise<void>;
  /** SIGKILL to the PID in the host's pid file: a crash, not a shutdown. */
  killServer(host: LabHost | string): Promise<void>;
  /** `ip netns exec <control> argv...` */
  runInControl(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** `ip netns exec <host's namespace> argv...` */
  runInHost(host: LabHost | string, argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Runs a command on a host over SSH from the control namespace (strict host key checking). */
  ssh(host: LabHost | string, command: string, options?: RunOptions): Promise<RunResult>;
  /** Stops every process the lab started or that runs in its namespaces, deletes the namespaces and (unless IBAC_LAB_KEEP=1) the directory. */
  stop(): Promise<void>;
}

/** A lab host's DatabasePaths: production's set of files, each under the host's own directory. */
export function labDatabasePaths(hostDir: string): DatabasePaths {
  return {
    serverCnf: `${hostDir}/etc/server.cnf`,
    roleCnf: `${hostDir}/etc/role.cnf`,
    datadir: `${hostDir}/data`,
    socket: `${hostDir}/run/mysqld.sock`,
    pidFile: `${hostDir}/run/mysqld.pid`,
    binlogDir: `${hostDir}/binlog`,
    tlsDir: `${hostDir}/tls`,
    adminCnf: `${hostDir}/etc/admin.cnf`,
    replicationCnf: `${hostDir}/etc/replication.cnf`,
    backupCnf: `${hostDir}/etc/backup.cnf`,
    binlogCnf: `${hostDir}/etc/binlog.cnf`,
    backupDir: `${hostDir}/backup`,
    stateDir: `${hostDir}/state`,
    setupSql: `${hostDir}/etc/setup.sql`,
  };
}

interface Tools {
  ip: string;
  mariadbd: string;
  installDb: string;
  mariadb: string;
  sshd: string;
  ssh: string;
  sshKeygen: string;
  openssl: string;
}

function requireTools(): Tools {
  requireTool("setsid", "util-linux");
  requireTool("bash", "bash");
  requireTool("chown", "coreutils");
  requireTool("sysctl", "procps");
  return {
    ip: requireTool("ip", "iproute2"),
    mariadbd: requireTool("mariadbd", "mariadb-server"),
    installDb: requireTool("mariadb-install-db", "mariadb-server"),
    mariadb: requireTool("mariadb", "mariadb-client"),
    sshd: requireTool("sshd", "openssh-server"),
    ssh: requireTool("ssh", "openssh-client"),
    sshKeygen: requireTool("ssh-keygen", "openssh-client"),
    openssl: requireTool("openssl", "openssl"),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Teardown: by PID and by namespace, also from the process's 'exit' event when a caller never got to stop().

interface TeardownRecord {
  root: string;
  namespaces: string[];
  /** PIDs of the processes the lab spawned itself (sshd). */
  pids: number[];
  pidFiles: string[];
  stopped: boolean;
}

const liveLabs = new Set<TeardownRecord>();
let exitHookInstalled = false;

function keepRoot(): boolean {
  return process.env.IBAC_LAB_KEEP === "1";
}

function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function namespacePids(netns: string): number[] {
  const r = spawnSync("ip", ["netns", "pids", netns], { encoding: "utf8" });
  if (r.status !== 0) return [];
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1);
}

/** PIDs from pid files, each only if /proc says the process was started with that host's files. */
function pidFilePids(record: TeardownRecord): number[] {
  const pids: number[] = [];
  for (const file of record.pidFiles) {
    try {
      const pid = Number(fs.readFileSync(file, "utf8").trim());
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (Number.isInteger(pid) && pid > 1 && cmdline.includes(record.root)) pids.push(pid);
    } catch {
      // no pid file or no such process: nothing to stop
    }
  }
  return pids;
}

function labPids(record: TeardownRecord): number[] {
  const all = new Set<number>([...record.pids, ...pidFilePids(record), ...record.namespaces.flatMap(namespacePids)]);
  all.delete(process.pid);
  return [...all].filter(processAlive);
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

function removeNamespacesAndRoot(record: TeardownRecord): string[] {
  const problems: string[] = [];
  for (const netns of [...record.namespaces].reverse()) {
    const r = spawnSync("ip", ["netns", "del", netns], { encoding: "utf8" });
    if (r.status !== 0) problems.push(`ip netns del ${netns}: ${r.stderr.trim()}`);
  }
  record.namespaces.length = 0;
  if (!keepRoot()) fs.rmSync(record.root, { recursive: true, force: true });
  return problems;
}

/** The synchronous last resort, for the 'exit' event: SIGKILL, no grace. */
function teardownSync(record: TeardownRecord): void {
  if (record.stopped) return;
  record.stopped = true;
  signal(labPids(record), "SIGKILL");
  const deadline = Date.now() + 3000;
  while (labPids(record).length && Date.now() < deadline) spawnSync("sleep", ["0.05"]);
  removeNamespacesAndRoot(record);
  liveLabs.delete(record);
}

async function teardown(record: TeardownRecord): Promise<void> {
  if (record.stopped) return;
  record.stopped = true;
  // SIGTERM first: mariadbd shuts down cleanly in about a second, which leaves a kept lab readable.
  signal(labPids(record), "SIGTERM");
  for (let i = 0; i < 100 && labPids(record).length; i++) await sleep(100);
  const stubborn = labPids(record);
  signal(stubborn, "SIGKILL");
  for (let i = 0; i < 50 && labPids(record).length; i++) await sleep(100);
  const left = labPids(record);
  const problems = removeNamespacesAndRoot(record);
  liveLabs.delete(record);
  if (left.length) problems.unshift(`processes still alive after SIGKILL: ${left.join(", ")}`);
  if (problems.length) throw new Error(`database lab teardown (${record.root}):\n${problems.join("\n")}`);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const record of [...liveLabs]) teardownSync(record);
  });
}

// ---------------------------------------------------------------------------------------------------------

function randomHex(bytes: number): string {
  return crypto.randomBytes(bytes).toString("hex");
}

function writeFile(file: string, content: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/** A free address for the control namespace in the service subnet: .250 unless the model uses it. */
function controlAddressFor(cidr: string, used: ReadonlySet<string>): string {
  const subnet = parseCidr(cidr);
  const size = 2 ** (32 - subnet.prefix);
  for (let offset = Math.min(250, size - 2); offset >= 1; offset--) {
    const candidate = intToIpv4(subnet.network + offset);
    if (!used.has(candidate)) return candidate;
  }
  throw new Error(`no free address for the lab's control namespace in ${cidr}`);
}

function hostSuffix(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "").slice(-5) || "host";
}

function renderSshdConfig(host: LabHost, authorizedKeys: string, hostKey: string, pidFile: string): string {
  return `# Written by the iBac database lab (test/lab) for ${host.name}.
ListenAddress ${host.address}:${SSH_PORT}
HostKey ${hostKey}
PidFile ${pidFile}
AuthorizedKeysFile ${authorizedKeys}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The lab lives under /tmp, whose modes StrictModes rejects.
StrictModes no
PrintMotd no
PermitUserEnvironment no
X11Forwarding no
LogLevel VERBOSE
Subsystem sftp internal-sftp
`;
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<string | true>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const result = await probe();
    if (result === true) return;
    last = result;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s; last: ${last}`);
    await sleep(100);
  }
}

/** The fields of `SHOW SLAVE STATUS\G` (vertical output), by name. */
export function parseVerticalStatus(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*(\w+): ?(.*)$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return fields;
}

/**
 * Starts a lab of real database hosts: one network namespace per database VM of the lab stack, at the
 * VM's service address, running sshd and a mariadbd started from the files the toolkit renders (only the
 * paths and the buffer pool differ from production), replicating with GTID over TLS. Needs root.
 */
export async function startDatabaseLab(options: DatabaseLabOptions = {}): Promise<DatabaseLab> {
  const tools = requireTools();
  if (process.getuid?.() !== 0) throw new Error("the database lab needs root: network namespaces, sshd, mariadbd --user=mysql");

  const { spec, model } = loadStackFile(stackFilePath(PROJECT_DIR, STACK), `stacks/Pulumi.${STACK}.yaml`);
  const planned = planDatabase(model, spec);
  const settings = replicationSettings(spec);
  const semiSync = options.semiSync ?? settings.semiSync.enabled;
  // The role check's account is named after the OS user keepalived runs it as (unix_socket): the VMs create
  // keepalived_script, this machine has none, so the lab runs the check as LAB_VIP_CHECK_USER instead.
  const topology: DatabaseTopology = { ...planned, vipCheckUser: LAB_VIP_CHECK_USER, replication: { ...planned.replication, semiSync: { ...planned.replication.semiSync, enabled: semiSync } } };
  const prefixLength = parseCidr(spec.networks.service.cidr).prefix;

  // Namespace names are global: pick an id no other lab (another test file running in parallel) is using.
  let id = randomHex(2);
  while (fs.existsSync("/run/netns") && fs.readdirSync("/run/netns").some((ns) => ns.startsWith(`il${id}-`))) id = randomHex(2);
  const root = fs.mkdtempSync("/tmp/ibac-lab-");
  // mariadbd runs as mysql and must reach its directories through the lab root.
  fs.chmodSync(root, 0o755);
  const record: TeardownRecord = { root, namespaces: [], pids: [], pidFiles: [], stopped: false };
  installExitHook();
  liveLabs.add(record);

  const hosts: LabHost[] = [topology.primary, ...topology.replicas].map((s) => {
    const dir = path.join(root, s.name);
    return {
      name: s.name,
      fqdn: s.fqdn,
      address: s.address,
      netns: `il${id}-${hostSuffix(s.name)}`,
      serverId: s.serverId,
      role: s.role,
      dir,
      paths: labDatabasePaths(dir),
      serviceScript: `${dir}/bin/mariadb-service`,
      tmpdir: `${dir}/tmp`,
      mariadbLog: `${dir}/mariadbd.log`,
      sshdLog: `${dir}/sshd.log`,
    };
  });
  record.pidFiles.push(...hosts.map((h) => h.paths.pidFile));
  const controlNetns = `il${id}-ctl`;
  const switchNetns = `il${id}-sw`;
  const usedAddresses = new Set(model.vms.flatMap((vm) => vm.nics.map((n) => n.address)));
  const controlAddress = controlAddressFor(spec.networks.service.cidr, usedAddresses);
  const passwords: AccountPasswords = {
    replication: randomHex(16),
    application: randomHex(16),
    backup: randomHex(16),
    binlogCapture: randomHex(16),
    monitoring: randomHex(16),
  };
  const sshDir = path.join(root, "ssh");
  const sshKeyFile = path.join(sshDir, "id_ed25519");
  const authorizedKeys = path.join(sshDir, "authorized_keys");
  const knownHostsFile = path.join(sshDir, "known_hosts");
  const caDir = path.join(root, "ca");
  const inventoryFile = path.join(root, "inventory.json");
  const caFile = path.join(caDir, "ca.pem");

  const resolve = (h: LabHost | string): LabHost => {
    if (typeof h !== "string") return h;
    const found = hosts.find((x) => x.name === h);
    if (!found) throw new Error(`no lab host "${h}" (hosts: ${hosts.map((x) => x.name).join(", ")})`);
    return found;
  };
  const inNetns = (netns: string, argv: readonly string[], runOptions: RunOptions = {}): Promise<RunResult> => run(tools.ip, ["netns", "exec", netns, ...argv], runOptions);
  const service = async (h: LabHost | string, action: "start" | "stop" | "kill9"): Promise<void> => {
    const host = resolve(h);
    const r = await inNetns(host.netns, [host.serviceScript, action], { timeoutMs: 90_000 });
    if (r.code !== 0) throw new Error(`${host.name}: ${host.serviceScript} ${action}: exit ${r.code}\n${r.stdout}${r.stderr}`.trimEnd());
  };
  const sshArgs = (host: LabHost, command: string): string[] => [
    tools.ssh, "-i", sshKeyFile, "-p", String(SSH_PORT),
    "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${knownHostsFile}`,
    "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR", `${SSH_USER}@${host.address}`, command,
  ];
  const mariadbError = (what: string, args: readonly string[], r: RunResult): Error =>
    new Error(`${what}: ${commandLine(tools.mariadb, args.map((a) => a.replace(/^--password=.*/, "--password=***")))}: exit ${r.code}\n${r.stderr}${r.stdout}`.trimEnd());
  const sql = async (h: LabHost | string, statement: string): Promise<string> => {
    const host = resolve(h);
    const args = [`--defaults-file=${host.paths.adminCnf}`, "-N", "-B", "-e", statement];
    const r = await run(tools.mariadb, args);
    if (r.code !== 0) throw mariadbError(host.name, args, r);
    return r.stdout;
  };
  const slaveStatus = async (h: LabHost | string): Promise<Record<string, string>> => {
    const host = resolve(h);
    const args = [`--defaults-file=${host.paths.adminCnf}`, "-e", "SHOW SLAVE STATUS\\G"];
    const r = await run(tools.mariadb, args);
    if (r.code !== 0) throw mariadbError(host.name, args, r);
    return parseVerticalStatus(r.stdout);
  };
  const globalStatus = async (h: LabHost | string, name: string): Promise<string> => {
    const value = await sql(h, `SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = '${name.toUpperCase().replace(/[^A-Z0-9_]/g, "")}'`);
    return value.trim();
  };
  const sqlAs = async (h: LabHost | string, user: string, password: string, statement: string, o: SqlAsOptions = {}): Promise<string> => {
    const host = resolve(h);
    const common = ["-u", user, `--password=${password}`, "-N", "-B", ...(o.database ? ["-D", o.database] : []), "-e", statement];
    if (o.tcp === false) {
      const args = ["--no-defaults", "-S", host.paths.socket, ...common];
      const r = await run(tools.mariadb, args);
      if (r.code !== 0) throw mariadbError(`${host.name} (socket, as ${user})`, args, r);
      return r.stdout;
    }
    const tls = o.tls === false ? ["--skip-ssl"] : ["--ssl", `--ssl-ca=${caFile}`, "--ssl-verify-server-cert"];
    const args = ["--no-defaults", "-h", host.address, "-P", String(topology.port), "--protocol=TCP", ...tls, "--connect-timeout=5", ...common];
    const r = await inNetns(controlNetns, [tools.mariadb, ...args]);
    if (r.code !== 0) throw mariadbError(`${host.name} (TCP${o.tls === false ? "" : "+TLS"} from ${controlNetns}, as ${user})`, args, r);
    return r.stdout;
  };
  const started = Date.now();
  const timings: string[] = [];
  const mark = (what: string): void => {
    timings.push(`${what} ${Date.now() - started} ms`);
  };
  try {
    // sshd refuses to start without its privilege separation directory, which systemd creates in production.
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

    await createLabNetwork(
      switchNetns,
      [...hosts.map((h) => ({ netns: h.netns, address: h.address, port: `p-${hostSuffix(h.name)}` })), { netns: controlNetns, address: controlAddress, port: "p-ctl" }],
      prefixLength,
      record.namespaces,
    );
    // As the VMs' sysctl.d file does: mariadbd binds the databasePrimary address before keepalived holds it.
    for (const host of hosts) {
      const file = `${host.dir}/etc/sysctl-database-vip.conf`;
      writeFile(file, renderNonlocalBindSysctl());
      await runChecked(tools.ip, ["netns", "exec", host.netns, "sysctl", "-q", "-p", file]);
    }
    mark("network");

    // Files: everything rendered by the toolkit, then the lab's own (keys, certificates, sshd, service script).
    for (const host of hosts) {
      const p = host.paths;
      const server = host.role === "primary" ? topology.primary : topology.replicas.find((r) => r.name === host.name);
      if (!server) throw new Error(`${host.name} is not in the topology`);
      for (const dir of [p.datadir, p.binlogDir, path.dirname(p.socket), p.tlsDir, p.backupDir, p.stateDir, path.dirname(p.serverCnf), host.tmpdir, `${host.dir}/bin`, `${host.dir}/ssh`]) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      }
      writeFile(p.serverCnf, renderServerCnf(server, topology, p, { bufferPoolMiB: LAB_BUFFER_POOL_MIB }));
      writeFile(p.roleCnf, renderRoleCnf(host.role, { semiSyncEnabled: semiSync }));
      writeFile(p.adminCnf, renderAdminCnf(p), 0o600);
      writeFile(p.replicationCnf, renderCredentialsCnf(REPLICATION_USER, passwords.replication, p.socket), 0o600);
      writeFile(p.backupCnf, renderCredentialsCnf(userOf(topology, "backup"), passwords.backup, p.socket), 0o600);
      writeFile(p.binlogCnf, renderCredentialsCnf(userOf(topology, "binlogCapture"), passwords.binlogCapture, p.socket), 0o600);
      writeFile(host.serviceScript, renderServiceScript({
        serverCnf: p.serverCnf, adminCnf: p.adminCnf, pidFile: p.pidFile, log: host.mariadbLog, tmpdir: host.tmpdir,
        mariadbd: tools.mariadbd, mariadb: tools.mariadb, user: MARIADB_OS_USER, startTimeoutSeconds: 20, stopTimeoutSeconds: 60,
      }), 0o755);
      writeFile(`${host.dir}/ssh/sshd_config`, renderSshdConfig(host, authorizedKeys, `${host.dir}/ssh/ssh_host_ed25519_key`, `${host.dir}/ssh/sshd.pid`));
    }

    fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    const ca = await makeLabCa(caDir, tools.openssl);
    await Promise.all([
      runChecked(tools.sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", `ibac-lab-${id}`, "-f", sshKeyFile]),
      ...hosts.map((h) => runChecked(tools.sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", `${h.name}-lab-host`, "-f", `${h.dir}/ssh/ssh_host_ed25519_key`])),
      ...hosts.map(async (h) => {
        const tls = tlsFiles(h.paths);
        // The names and addresses the component's certificate carries: the server's, and the service's
        // (db.<domain> at the databasePrimary address, which keepalived moves to the primary).
        await makeServerCertificate(ca, {
          commonName: h.fqdn,
          dnsNames: [h.fqdn, h.name, topology.service.serverName],
          ipAddresses: [h.address, topology.service.address],
          certFile: tls.cert,
          keyFile: tls.key,
        }, tools.openssl);
        fs.copyFileSync(ca.cert, tls.ca);
        // ssl_crl and MASTER_SSL_CRL name it: the CA's CRL, signed by the toolkit's script, nothing revoked.
        await signLabCrl(ca, [], tls.crl);
      }),
    ]);
    writeFile(authorizedKeys, fs.readFileSync(`${sshKeyFile}.pub`, "utf8"), 0o600);
    writeFile(knownHostsFile, hosts.map((h) => `${h.address} ${fs.readFileSync(`${h.dir}/ssh/ssh_host_ed25519_key.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ")}\n`).join(""), 0o644);
    // mariadbd runs as mysql (as in production): it owns its data, binary logs, socket directory and TLS key.
    await runChecked("chown", ["-R", `${MARIADB_OS_USER}:${MARIADB_OS_USER}`, ...hosts.flatMap((h) => [h.paths.datadir, h.paths.binlogDir, path.dirname(h.paths.socket), h.paths.tlsDir, h.tmpdir])]);
    mark("files, keys, certificates");

    await Promise.all(hosts.map((h) =>
      inNetns(h.netns, [tools.installDb, `--defaults-file=${h.paths.serverCnf}`, `--user=${MARIADB_OS_USER}`, "--auth-root-authentication-method=socket", "--skip-test-db"], { timeoutMs: 60_000, env: { ...process.env, TMPDIR: h.tmpdir } }).then((r) => {
        if (r.code !== 0) throw new Error(`${h.name}: mariadb-install-db: exit ${r.code}\n${r.stdout}${r.stderr}`);
        fs.appendFileSync(h.mariadbLog, `=== mariadb-install-db\n${r.stdout}${r.stderr}`);
      }),
    ));
    mark("mariadb-install-db");

    await Promise.all([
      ...hosts.map((h) => service(h, "start")),
      ...hosts.map((h) => startSshd(h, tools, record)),
    ]);
    mark("mariadbd + sshd started");

    const primary = hosts[0];
    const primarySql = renderPrimarySetupSql(topology, passwords);
    writeFile(primary.paths.setupSql, primarySql, 0o600);
    // With no replica connected yet, the primary's first commit would wait rpl_semi_sync_master_timeout
    // (10 s) for an ack nobody can send. The lab turns the wait off at run time (not in the files) while it
    // applies the setup, and back on before the replicas connect.
    if (semiSync) await sql(primary, "SET GLOBAL rpl_semi_sync_master_enabled = OFF");
    await runAdminSql(tools, primary, primarySql);
    if (semiSync) await sql(primary, "SET GLOBAL rpl_semi_sync_master_enabled = ON");
    for (const replica of hosts.slice(1)) {
      const replicaSql = renderReplicaSetupSql(topology, passwords.replication, tlsFiles(replica.paths).ca, tlsFiles(replica.paths).crl);
      writeFile(replica.paths.setupSql, replicaSql, 0o600);
      await runAdminSql(tools, replica, replicaSql);
    }
    for (const replica of hosts.slice(1)) {
      await waitFor(`${replica.name}: replication running`, 30_000, async () => {
        const s = await slaveStatus(replica);
        return (s.Slave_IO_Running === "Yes" && s.Slave_SQL_Running === "Yes") || `IO ${s.Slave_IO_Running} (${s.Last_IO_Error}), SQL ${s.Slave_SQL_Running} (${s.Last_SQL_Error})`;
      });
    }
    if (semiSync) {
      await waitFor(`${primary.name}: semi-sync replicas connected`, 15_000, async () => {
        const clients = await globalStatus(primary, "Rpl_semi_sync_master_clients");
        return Number(clients) === hosts.length - 1 || `Rpl_semi_sync_master_clients = ${clients}`;
      });
    }
    mark("replication running");

    await Promise.all(hosts.map((h) =>
      waitFor(`${h.name}: sshd answers ${h.address}:${SSH_PORT} from ${controlNetns}`, 15_000, async () => {
        const r = await inNetns(controlNetns, sshArgs(h, "true"), { timeoutMs: 10_000 });
        return r.code === 0 || `exit ${r.code}: ${r.stderr.trim()}`;
      }),
    ));
    mark("sshd answers");

    const inventory: Inventory = {
      stack: STACK,
      mariadbPort: topology.port,
      maxLagSeconds: settings.maxLagSeconds,
      semiSync,
      hosts: hosts.map((h) => ({
        name: h.name,
        address: h.address,
        role: h.role,
        serverId: h.serverId,
        ssh: { port: SSH_PORT, user: SSH_USER, sudo: false },
        paths: { ...h.paths },
        service: { start: `${shellQuote(h.serviceScript)} start`, stop: `${shellQuote(h.serviceScript)} stop` },
      })),
    };
    writeFile(inventoryFile, JSON.stringify(inventory, null, 2) + "\n");
    // The lab is only useful to runbooks if the engine accepts its inventory: check with the engine's own loader.
    loadInventoryFile(inventoryFile, STACK);
    mark("inventory");
    writeFile(path.join(root, "timings.txt"), timings.join("\n") + "\n");
  } catch (err) {
    const logs = hosts.map((h) => tailOf(h.mariadbLog, `${h.name} mariadbd`) + tailOf(h.sshdLog, `${h.name} sshd`)).join("");
    try {
      await teardown(record);
    } catch (teardownError) {
      throw new Error(`${(err as Error).message}\n${logs}\nand then: ${(teardownError as Error).message}`);
    }
    const e = err as Error;
    e.message = `database lab: ${e.message}${keepRoot() ? `\n(kept: ${root})` : ""}${logs}`;
    throw e;
  }

  return {
    root,
    hosts,
    controlNetns,
    controlAddress,
    namespaces: [...record.namespaces],
    sshKeyFile,
    knownHostsFile,
    inventoryFile,
    inventory: JSON.parse(fs.readFileSync(inventoryFile, "utf8")) as Inventory,
    caFile,
    ca: { cert: caFile, key: path.join(caDir, "ca-key.pem") },
    passwords,
    topology,
    semiSync,
    host: resolve,
    sql,
    slaveStatus,
    globalStatus,
    sqlAs,
    startServer: (h) => service(h, "start"),
    stopServer: (h) => service(h, "stop"),
    killServer: (h) => service(h, "kill9"),
    runInControl: (argv, o) => inNetns(controlNetns, argv, o),
    runInHost: (h, argv, o) => inNetns(resolve(h).netns, argv, o),
    ssh: (h, command, o) => inNetns(controlNetns, sshArgs(resolve(h), command), o),
    stop: () => teardown(record),
  };
}

function userOf(topology: DatabaseTopology, id: keyof AccountPasswords): string {
  const account = topology.accounts.find((a) => a.id === id);
  if (!account) throw new Error(`the topology has no ${id} account`);
  return account.user;
}

async function runAdminSql(tools: Tools, host: LabHost, sqlText: string): Promise<void> {
  const r = await run(tools.mariadb, [`--defaults-file=${host.paths.adminCnf}`], { input: sqlText });
  if (r.code !== 0) throw new Error(`${host.name}: applying ${host.paths.setupSql}: exit ${r.code}\n${r.stderr}${r.stdout}`);
}

function tailOf(file: string, label: string): string {
  try {
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    return `\n--- ${label} (${file}), last lines:\n${lines.slice(-15).join("\n")}`;
  } catch {
    return "";
  }
}

/** Starts the host's sshd in its namespace (`sshd -D -e`, log to sshdLog) and records its PID for teardown. */
async function startSshd(host: LabHost, tools: Tools, record: TeardownRecord): Promise<void> {
  const log = fs.openSync(host.sshdLog, "a");
  try {
    const child = spawn(tools.ip, ["netns", "exec", host.netns, tools.sshd, "-D", "-e", "-f", `${host.dir}/ssh/sshd_config`], { stdio: ["ignore", log, log] });
    if (child.pid === undefined) throw new Error(`${host.name}: sshd could not be started`);
    // `ip netns exec` execs sshd in place: the child's PID is sshd's.
    record.pids.push(child.pid);
    child.unref();
    let exited: string | undefined;
    child.on("exit", (code, sig) => (exited = `exit ${code ?? sig ?? "?"}`));
    child.on("error", (e) => (exited = e.message));
    // Listening is checked with a real SSH login later; here, only that it did not die on its config.
    await sleep(150);
    if (exited !== undefined) throw new Error(`${host.name}: sshd ${exited}${tailOf(host.sshdLog, "sshd")}`);
  } finally {
    fs.closeSync(log);
  }
}
