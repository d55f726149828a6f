import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { processAlive } from "../../support/process-alive";
import { listening } from "../drbd/guest";
import { runChecked, sleep } from "../run";

// Bacula daemons as the lab runs them: `-t` first (a config Bacula rejects fails here with its message), then in
// the foreground (-f) with an absolute -c path and TZ=UTC, output to a log file, ready once the port listens;
// stopped by PID (SIGTERM, SIGKILL after 5 s).

interface Daemon {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  logFile: string;
}

const everyPid = new Set<number>();
process.once("exit", () => {
  for (const pid of everyPid) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
});

/** The SQL of Debian's make_sqlite3_tables (the heredoc it feeds to sqlite3): the catalog is made in the lab root. */
export function catalogSchema(script = "/usr/share/bacula-director/make_sqlite3_tables"): string {
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: apt-get install -y --no-install-recommends bacula-director-sqlite3`);
  const m = /<<END-OF-DATA\n([\s\S]*?)\nEND-OF-DATA/.exec(fs.readFileSync(script, "utf8"));
  if (!m) throw new Error(`${script}: no END-OF-DATA heredoc (the schema script changed)`);
  return m[1];
}

export class DaemonSet {
  private readonly daemons = new Map<string, Daemon>();

  constructor(private readonly logDir: string) {}

  has(name: string): boolean {
    return this.daemons.has(name);
  }

  async start(name: string, binary: string, conf: string, port: number): Promise<void> {
    if (!path.isAbsolute(conf)) throw new Error(`${name}: ${conf}: expected an absolute path (a relative -c silently reads /etc/bacula)`);
    await runChecked(binary, ["-t", "-c", conf]).catch((e: Error) => {
      throw new Error(`${name}: Bacula rejects its config ${conf}:\n${e.message}`);
    });
    const logFile = path.join(this.logDir, `${name}.out`);
    const out = fs.openSync(logFile, "a");
    const child = spawn(binary, ["-f", "-c", conf], { env: { ...process.env, TZ: "UTC" }, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    if (child.pid !== undefined) everyPid.add(child.pid);
    this.daemons.set(name, { name, child, exited, logFile });
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${fs.readFileSync(logFile, "utf8")}`);
      if (listening(port)) return;
      await sleep(50);
    }
    throw new Error(`${name} did not listen on 127.0.0.1:${port} within 10 s:\n${fs.readFileSync(logFile, "utf8")}`);
  }

  async stop(name: string): Promise<void> {
    const d = this.daemons.get(name);
    if (!d) return;
    const pid = d.child.pid;
    if (pid !== undefined && d.child.exitCode === null && d.child.signalCode === null) {
      process.kill(pid, "SIGTERM");
      const gone = await Promise.race([d.exited.then(() => true), sleep(5000).then(() => false)]);
      if (!gone && processAlive(pid)) {
        process.kill(pid, "SIGKILL");
        await d.exited;
      }
    }
    if (pid !== undefined) everyPid.delete(pid);
    this.daemons.delete(name);
  }

  /** Stops `first` (the director: it would log the others' going away as job errors), then the rest. */
  async stopAll(first?: string): Promise<void> {
    if (first) await this.stop(first);
    for (const name of [...this.daemons.keys()]) await this.stop(name);
  }

  /** The last lines of every daemon's output, for failure messages. */
  logs(): string {
    return [...this.daemons.values()].map((d) => `--- ${d.name}\n${fs.existsSync(d.logFile) ? fs.readFileSync(d.logFile, "utf8").slice(-6000) : ""}`).join("\n");
  }
}
