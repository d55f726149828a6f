import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { run } from "../run";
import { requireTool } from "../../support/require-tool";
import { engineStatus, type EngineStatus } from "./status-dat";

// One nagios4 engine of the lab: Debian's /usr/sbin/nagios4 in the foreground (no -d: the child's PID is the
// engine's, `ip netns exec` execs it), in the monitoring VM's namespace, reading a rendered main config. It is
// stopped by that PID (SIGTERM, or SIGKILL for a crash); its check workers exit when their parent goes.

export interface NagiosEngine {
  netns: string;
  mainConfig: string;
  pid: number;
  /** The main config's status_file, log_file and command_file. */
  statusFile: string;
  logFile: string;
  commandFile: string;
  /** status.dat now (empty when not written yet). */
  status(): EngineStatus;
  /** The engine's log (nagios.log) now. */
  log(): string;
  /** Resolves when `ok(status)` holds; rejects after timeoutMs with the last status's summary. */
  waitForStatus(what: string, ok: (s: EngineStatus) => boolean, timeoutMs: number): Promise<EngineStatus>;
  /** An external command (`[time] COMMAND;args`) written to the command pipe. */
  command(line: string): void;
  running(): boolean;
  kill9(): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

/** `key=value` of a Nagios main config (the last one wins, as in Nagios). */
export function mainConfigValue(text: string, key: string): string | undefined {
  let found: string | undefined;
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)=(.*)$/.exec(line.trim());
    if (m && m[1] === key) found = m[2];
  }
  return found;
}

export const NAGIOS4 = "/usr/sbin/nagios4";

/** `nagios4 -v <main config>` (pre-flight check): its exit status and output. */
export async function verifyNagiosConfig(mainConfig: string): Promise<{ code: number; output: string }> {
  requireTool(NAGIOS4, "nagios4-core");
  const r = await run(NAGIOS4, ["-v", mainConfig], { timeoutMs: 30_000 });
  return { code: r.code, output: r.stdout + r.stderr };
}

export async function startNagios(netns: string, mainConfig: string): Promise<NagiosEngine> {
  requireTool(NAGIOS4, "nagios4-core");
  const text = fs.readFileSync(mainConfig, "utf8");
  const need = (key: string): string => {
    const v = mainConfigValue(text, key);
    if (!v) throw new Error(`${mainConfig}: no ${key}=`);
    return v;
  };
  const statusFile = need("status_file");
  const logFile = need("log_file");
  const commandFile = need("command_file");
  const child: ChildProcess = spawn("ip", ["netns", "exec", netns, NAGIOS4, mainConfig], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let exited = false;
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const exit = new Promise<void>((r) =>
    child.once("exit", () => {
      exited = true;
      r();
    }),
  );
  const read = (f: string): string => {
    try {
      return fs.readFileSync(f, "utf8");
    } catch {
      return "";
    }
  };
  const status = (): EngineStatus => engineStatus(read(statusFile));
  const engine: NagiosEngine = {
    netns,
    mainConfig,
    pid: child.pid ?? -1,
    statusFile,
    logFile,
    commandFile,
    status,
    log: () => read(logFile),
    output: () => out,
    running: () => !exited,
    async waitForStatus(what, ok, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        if (exited) throw new Error(`nagios4 in ${netns} exited while waiting for ${what}:\n${out}\n${read(logFile).split("\n").slice(-20).join("\n")}`);
        const s = status();
        if (ok(s)) return s;
        if (Date.now() > end) {
          const summary = [...s.hosts.map((h) => `${h.host}=${h.state}${h.hard ? "H" : "S"}`), ...s.services.map((v) => `${v.host}/${v.service}=${v.state}${v.hard ? "H" : "S"} (${v.output.slice(0, 80)})`)];
          throw new Error(`nagios4 in ${netns}: not ${what} within ${timeoutMs} ms; status: ${summary.join("; ")}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    command(line) {
      fs.writeFileSync(commandFile, `[${Math.floor(Date.now() / 1000)}] ${line}\n`, { flag: "a" });
    },
    async kill9() {
      if (exited) return;
      process.kill(child.pid ?? -1, "SIGKILL");
      await exit;
    },
    async stop() {
      if (exited) return;
      process.kill(child.pid ?? -1, "SIGTERM");
      const t = setTimeout(() => !exited && process.kill(child.pid ?? -1, "SIGKILL"), 10_000);
      await exit;
      clearTimeout(t);
    },
  };
  // Started means: status.dat written by this process (the engine read its objects and scheduled its checks).
  const started = Date.now();
  while (!exited && !(fs.existsSync(statusFile) && fs.statSync(statusFile).mtimeMs >= started - 1000 && status().hosts.length > 0)) {
    if (Date.now() - started > 30_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (exited || status().hosts.length === 0) {
    await engine.stop();
    throw new Error(`nagios4 in ${netns} did not start with ${mainConfig}:\n${out}\n${read(logFile).split("\n").slice(-30).join("\n")}`);
  }
  return engine;
}
