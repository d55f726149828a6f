import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { run } from "../run";

// A service of a lab VM: one program run in the VM's namespace (`ip netns exec` execs it, so the child's PID is
// the program's), that a test stops and starts again. start() waits until the port answers from inside the
// namespace; stop() signals the PID only.

export interface LabDaemon {
  what: string;
  pid(): number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  what: string;
  netns: string;
  argv: string[];
  cwd?: string;
  log: string;
  /** The address and port that answer once it runs. */
  ready: { address: string; port: number };
}

/** Whether a TCP connect to address:port succeeds from inside netns (bash's /dev/tcp, no extra tool). */
export async function tcpOpen(netns: string, address: string, port: number): Promise<boolean> {
  if (!net.isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  const r = await run("ip", ["netns", "exec", netns, "timeout", "2", "bash", "-c", `exec 3<>/dev/tcp/${address}/${port}`], { timeoutMs: 5_000 });
  return r.code === 0;
}

export function labDaemon(o: DaemonOptions): LabDaemon {
  let child: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  return {
    what: o.what,
    pid: () => child?.pid,
    async start() {
      if (child) return;
      const log = fs.openSync(o.log, "a");
      const c = spawn("ip", ["netns", "exec", o.netns, ...o.argv], { stdio: ["ignore", log, log], cwd: o.cwd });
      fs.closeSync(log);
      child = c;
      let gone = false;
      exited = new Promise((r) =>
        c.once("exit", () => {
          gone = true;
          r();
        }),
      );
      const end = Date.now() + 15_000;
      while (!(await tcpOpen(o.netns, o.ready.address, o.ready.port))) {
        if (gone || Date.now() > end) {
          child = undefined;
          throw new Error(`${o.what} did not answer on ${o.ready.address}:${o.ready.port} in ${o.netns}:\n${fs.readFileSync(o.log, "utf8").slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      const c = child;
      if (!c?.pid) return;
      child = undefined;
      if (c.exitCode === null && c.signalCode === null) {
        process.kill(c.pid, "SIGTERM");
        const t = setTimeout(() => c.exitCode === null && c.signalCode === null && c.pid && process.kill(c.pid, "SIGKILL"), 5_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** An HTTPS service (https-child.ts), paths answered with fixed statuses, with a certificate of the lab's CA. */
export function httpsDaemon(o: { what: string; netns: string; address: string; port: number; certFile: string; keyFile: string; routes: Record<string, number>; log: string }): LabDaemon {
  const config = { address: o.address, port: o.port, certFile: o.certFile, keyFile: o.keyFile, routes: o.routes };
  return labDaemon({
    what: o.what,
    netns: o.netns,
    argv: [process.execPath, "--import", "tsx", path.join(__dirname, "https-child.ts"), JSON.stringify(config)],
    cwd: path.resolve(__dirname, "../../.."),
    log: o.log,
    ready: { address: o.address, port: o.port },
  });
}
