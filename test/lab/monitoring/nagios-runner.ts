import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../run";
import { requireTool } from "../../support/require-tool";
import { engineStatus, type EngineStatus } from "./status-dat";

// One nagios4 engine of the lab: Debian's /usr/sbin/nagios4 -d in the monitoring VM's namespace, reading a
// rendered main config; its PID is read from the config's lock_file and checked in /proc (nagios4 with this
// main config) before every signal. It is stopped by that PID (SIGTERM, or SIGKILL for a crash); its check
// workers exit when their parent goes, and the topology's teardown kills whatever is left in the namespace.

export interface NagiosEngine {
  netns: string;
  mainConfig: string;
  /** The main config's cfg_dir: the rendered object files. */
  objectsDir: string;
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

/** Whether `pid` runs nagios4 with this main config (so a stale or reused PID is never signalled). */
function runsEngine(pid: number, mainConfig: string): boolean {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.includes(mainConfig) && path.basename(argv[0] ?? "") === "nagios4";
  } catch {
    return false;
  }
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
  const lockFile = need("lock_file");
  const read = (f: string): string => {
    try {
      return fs.readFileSync(f, "utf8");
    } catch {
      return "";
    }
  };
  const status = (): EngineStatus => engineStatus(read(statusFile));
  const started = Date.now();
  // -d as on a VM: the daemon writes its PID to lock_file (the standby's engine check reads it there).
  const launch = await run("ip", ["netns", "exec", netns, NAGIOS4, "-d", mainConfig], { timeoutMs: 30_000 });
  const out = launch.stdout + launch.stderr;
  let pid = -1;
  while (Date.now() - started < 30_000) {
    const p = Number(read(lockFile).trim());
    if (p > 0 && runsEngine(p, mainConfig)) {
      pid = p;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const running = (): boolean => pid > 0 && runsEngine(pid, mainConfig);
  const gone = async (ms: number): Promise<boolean> => {
    const end = Date.now() + ms;
    while (running()) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  };
  const signal = (sig: NodeJS.Signals): void => {
    if (running()) process.kill(pid, sig);
  };
  const engine: NagiosEngine = {
    netns,
    mainConfig,
    objectsDir: need("cfg_dir"),
    pid,
    statusFile,
    logFile,
    commandFile,
    status,
    log: () => read(logFile),
    output: () => out,
    running,
    async waitForStatus(what, ok, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        if (!running()) throw new Error(`nagios4 in ${netns} is not running while waiting for ${what}:\n${out}\n${read(logFile).split("\n").slice(-20).join("\n")}`);
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
      signal("SIGKILL");
      await gone(5_000);
    },
    async stop() {
      signal("SIGTERM");
      if (!(await gone(10_000))) {
        signal("SIGKILL");
        await gone(5_000);
      }
    },
  };
  // Started means: status.dat written by this engine with its hosts (it read its objects and scheduled checks).
  while (running() && !(fs.existsSync(statusFile) && fs.statSync(statusFile).mtimeMs >= started - 1000 && status().hosts.length > 0)) {
    if (Date.now() - started > 30_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!running() || status().hosts.length === 0) {
    await engine.stop();
    throw new Error(`nagios4 -d in ${netns} did not start with ${mainConfig} (exit ${launch.code}):\n${out}\n${read(logFile).split("\n").slice(-30).join("\n")}`);
  }
  return engine;
}
