import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { renderDatabaseKeepalivedConf } from "../../components/database/render-database-keepalived";
import { renderRoleCheckScript, ROLE_CHECK_TIMEOUT_SECONDS } from "../../components/database/render-role-check";
import { keepalivedArguments, type KeepalivedPaths } from "../../components/network/vrrp/keepalived-paths";
import { KEEPALIVED_SCRIPT_USER } from "../../components/network/vrrp/render-keepalived-conf";
import { renderKeepalivedNotify } from "../../components/network/vrrp/render-keepalived-notify";
import { SERVICE_INTERFACE } from "../../components/vm/guest-interfaces";
import { requireTool } from "../support/require-tool";
import { processAlive } from "../support/process-alive";
import { LAB_VIP_CHECK_USER, type DatabaseLab, type LabHost } from "./database-lab";
import { run, sleep, type RunResult } from "./run";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/** One database host's keepalived: the rendered files under `<host>/keepalived`, and its process once started. */
export interface LabKeepalivedHost {
  paths: KeepalivedPaths;
  /** The rendered role check (the VMs' /usr/local/sbin/ibac-db-role-check), with the host's socket and role file. */
  roleCheck: string;
  /** keepalived's console log (`--log-console --log-detail`). */
  log: string;
  pid?: number;
}

export interface LabKeepalived {
  hosts: Map<string, LabKeepalivedHost>;
  /** Starts keepalived in the host's namespace from the rendered keepalived.conf. */
  start(host: LabHost | string): Promise<void>;
  /** SIGTERM to that keepalived (by PID), waiting until it has exited. */
  stop(host: LabHost | string): Promise<void>;
  /** The hosts whose eth0 holds the databasePrimary address now. */
  holders(): Promise<string[]>;
  /** Every line the notify scripts logged so far (what they hand to syslog), in arrival order. */
  notifications(): string[];
  /**
   * A client in the control namespace dialling db.<domain> (resolved to the address by a hosts file in a
   * private mount namespace: nothing outside it changes), TLS with the name verified against the lab CA.
   */
  sqlByServiceName(user: string, password: string, sql: string, options?: { timeoutSeconds?: number; serverName?: string }): Promise<RunResult>;
  /** A second name the hosts file gives the address, which no certificate carries (to show the name is verified). */
  unlistedName: string;
  /** Stops every keepalived it started and the notify log socket. lab.stop() still tears the namespaces down. */
  close(): Promise<void>;
}

function withLabScriptUser(conf: string): string {
  const line = `    script_user ${KEEPALIVED_SCRIPT_USER}\n`;
  if (conf.split(line).length !== 2) throw new Error(`expected one "script_user ${KEEPALIVED_SCRIPT_USER}" line in keepalived.conf`);
  return conf.replace(line, `    script_user ${LAB_VIP_CHECK_USER}\n`);
}

/**
 * keepalived for the database lab: each host gets the files the database VMs get (renderDatabaseKeepalivedConf,
 * renderRoleCheckScript, renderKeepalivedNotify) with the lab's paths. Differences from the VMs: the paths; the
 * script user (LAB_VIP_CHECK_USER, in keepalived.conf's one `script_user` line and the check's account, since
 * this machine has no keepalived_script user); the notify script logs to a socket this process reads instead
 * of /dev/log.
 */
export async function prepareLabKeepalived(lab: DatabaseLab): Promise<LabKeepalived> {
  const keepalived = requireTool("keepalived", "keepalived");
  const ip = requireTool("ip", "iproute2");
  requireTool("unshare", "util-linux");
  requireTool("logger", "bsdutils");
  const { spec, model } = loadStackFile(stackFilePath(PROJECT_DIR, lab.inventory.stack), `stacks/Pulumi.${lab.inventory.stack}.yaml`);
  const service = lab.topology.service;

  // The notify scripts' syslog: a stream socket (logger -u falls back to stream when datagrams are refused).
  const notifySocket = path.join(lab.root, "keepalived-notify.sock");
  const lines: string[] = [];
  const server = net.createServer((conn) => {
    let buffered = "";
    conn.on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      const parts = buffered.split(/[\n\0]/);
      buffered = parts.pop() ?? "";
      lines.push(...parts.filter(Boolean));
    });
    conn.on("end", () => {
      if (buffered) lines.push(buffered);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(notifySocket, () => resolve());
  });
  // The notify script runs as the script user.
  fs.chmodSync(notifySocket, 0o777);

  const hosts = new Map<string, LabKeepalivedHost>();
  for (const host of lab.hosts) {
    const dir = path.join(host.dir, "keepalived");
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const paths: KeepalivedPaths = { configFile: path.join(dir, "keepalived.conf"), notifyScript: path.join(dir, "notify"), pidFile: path.join(dir, "keepalived.pid"), vrrpPidFile: path.join(dir, "vrrp.pid") };
    const roleCheck = path.join(dir, "ibac-db-role-check");
    fs.writeFileSync(roleCheck, renderRoleCheckScript(host.paths, { user: lab.topology.vipCheckUser, timeoutSeconds: ROLE_CHECK_TIMEOUT_SECONDS }), { mode: 0o755 });
    fs.writeFileSync(paths.notifyScript, renderKeepalivedNotify({ target: notifySocket }), { mode: 0o755 });
    fs.writeFileSync(paths.configFile, withLabScriptUser(renderDatabaseKeepalivedConf(model, spec, host.name, paths, roleCheck)), { mode: 0o644 });
    hosts.set(host.name, { paths, roleCheck, log: path.join(dir, "keepalived.log") });
  }
  const hostsFile = path.join(lab.root, "control-hosts");
  const unlistedName = `not-in-any-certificate.${service.serverName}`;
  fs.writeFileSync(hostsFile, `127.0.0.1 localhost\n${service.address} ${service.serverName} ${unlistedName}\n`);

  const entry = (h: LabHost | string): { host: LabHost; ka: LabKeepalivedHost } => {
    const host = lab.host(typeof h === "string" ? h : h.name);
    const ka = hosts.get(host.name);
    if (!ka) throw new Error(`no keepalived files for ${host.name}`);
    return { host, ka };
  };

  const stop = async (h: LabHost | string): Promise<void> => {
    const { host, ka } = entry(h);
    const pid = ka.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // gone already
    }
    for (let i = 0; i < 100 && processAlive(pid); i++) await sleep(50);
    if (processAlive(pid)) throw new Error(`${host.name}: keepalived (pid ${pid}) still runs 5 s after SIGTERM`);
    ka.pid = undefined;
  };

  return {
    hosts,
    async start(h) {
      const { host, ka } = entry(h);
      if (ka.pid !== undefined && processAlive(ka.pid)) throw new Error(`${host.name}: keepalived runs already (pid ${ka.pid})`);
      const log = fs.openSync(ka.log, "a");
      try {
        const child = spawn(ip, ["netns", "exec", host.netns, keepalived, ...keepalivedArguments(ka.paths), "--dont-fork", "--log-console", "--log-detail"], { stdio: ["ignore", log, log] });
        if (child.pid === undefined) throw new Error(`${host.name}: keepalived could not be started`);
        // `ip netns exec` execs keepalived in place: the child's PID is keepalived's parent process.
        ka.pid = child.pid;
        child.unref();
        let exited: string | undefined;
        child.on("exit", (code, sig) => (exited = `exit ${code ?? sig ?? "?"}`));
        await sleep(300);
        if (exited !== undefined) throw new Error(`${host.name}: keepalived ${exited}\n${fs.readFileSync(ka.log, "utf8")}`);
      } finally {
        fs.closeSync(log);
      }
    },
    stop,
    async holders() {
      const found: string[] = [];
      for (const host of lab.hosts) {
        const r = await run(ip, ["-n", host.netns, "-o", "-4", "addr", "show", "dev", SERVICE_INTERFACE]);
        if (r.code !== 0) throw new Error(`${host.name}: ip addr: ${r.stderr}`);
        if (r.stdout.includes(` ${service.address}/`)) found.push(host.name);
      }
      return found;
    },
    notifications: () => [...lines],
    unlistedName,
    sqlByServiceName(user, password, sql, options = {}) {
      const timeoutSeconds = options.timeoutSeconds ?? 3;
      const client = [
        "mariadb", "--no-defaults", "-h", options.serverName ?? service.serverName, "-P", String(service.port), "--protocol=TCP",
        "--ssl", `--ssl-ca=${lab.caFile}`, "--ssl-verify-server-cert", `--connect-timeout=${timeoutSeconds}`,
        "-u", user, `--password=${password}`, "-N", "-B", "-e", sql,
      ];
      const script = `mount --bind "$1" /etc/hosts && shift && exec "$@"`;
      return run(ip, ["netns", "exec", lab.controlNetns, "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", hostsFile, ...client], { timeoutMs: (timeoutSeconds + 5) * 1000 });
    },
    async close() {
      const problems: string[] = [];
      for (const name of hosts.keys()) {
        try {
          await stop(name);
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (problems.length) throw new Error(problems.join("\n"));
    },
  };
}
