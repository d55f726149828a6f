import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import type { SinkChildConfig, SinkEvent, SinkMessage } from "./smtp-sink-types";

export type { SinkMessage } from "./smtp-sink-types";

// The lab's mail relay: an SMTP server (npm smtp-server) inside a network namespace, at the address the test
// spec names as `notifications.smtpRelay.host`. It offers STARTTLS with a certificate from the lab's throwaway
// CA and refuses MAIL FROM before it (530), as a relay that requires STARTTLS does; without `tls` it offers no
// STARTTLS at all (the msmtp refusal proof). Every accepted message is recorded: envelope, headers, body.

export interface SmtpSinkOptions {
  netns: string;
  address: string;
  port: number;
  tls?: { certFile: string; keyFile: string };
  /** Default true when `tls` is given. */
  requireStartTls?: boolean;
}

export interface SmtpSink {
  address: string;
  port: number;
  pid: number;
  messages(): SinkMessage[];
  /** MAIL FROM commands refused because the session was not under STARTTLS. */
  rejections(): { from: string; remote: string }[];
  /** Resolves with the first message (after `since`, index into messages()) matching `match`; rejects after timeoutMs. */
  waitFor(match: (m: SinkMessage) => boolean, timeoutMs: number, since?: number): Promise<SinkMessage>;
  stderr(): string;
  stop(): Promise<void>;
}

const CHILD = path.join(__dirname, "smtp-sink-child.ts");

export async function startSmtpSink(o: SmtpSinkOptions): Promise<SmtpSink> {
  const config: SinkChildConfig = { address: o.address, port: o.port, tls: o.tls, requireStartTls: o.requireStartTls ?? o.tls !== undefined };
  // `ip netns exec` execs the program, so the child's PID is node's: stop() signals exactly that PID.
  const child: ChildProcess = spawn("ip", ["netns", "exec", o.netns, process.execPath, "--import", "tsx", CHILD, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: path.resolve(__dirname, "../../.."),
  });
  const messages: SinkMessage[] = [];
  const rejected: { from: string; remote: string }[] = [];
  const waiters = new Set<() => void>();
  let err = "";
  let exited = false;
  child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
  const listening = new Promise<void>((resolve, reject) => {
    child.once("exit", (code, signal) => {
      exited = true;
      reject(new Error(`SMTP sink in ${o.netns} exited (${code ?? signal}) before listening: ${err.trim()}`));
    });
    readline.createInterface({ input: child.stdout ?? process.stdin }).on("line", (line) => {
      let e: SinkEvent;
      try {
        e = JSON.parse(line) as SinkEvent;
      } catch {
        err += `${line}\n`;
        return;
      }
      if (e.kind === "listening") resolve();
      else if (e.kind === "rejected") rejected.push({ from: e.from, remote: e.remote });
      else messages.push(e);
      for (const w of waiters) w();
    });
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    await listening;
  } finally {
    clearTimeout(timer);
  }
  child.removeAllListeners("exit");
  child.once("exit", () => (exited = true));
  const pid = child.pid ?? -1;
  return {
    address: o.address,
    port: o.port,
    pid,
    messages: () => [...messages],
    rejections: () => [...rejected],
    stderr: () => err,
    waitFor(match, timeoutMs, since = 0) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const m = messages.slice(since).find(match);
          if (m) {
            cleanup();
            resolve(m);
          }
          return m !== undefined;
        };
        const t = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching message at the sink within ${timeoutMs} ms; it has ${messages.length}: ${messages.map((m) => m.headers.subject ?? "(no subject)").join(" | ")}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(t);
          waiters.delete(w);
        };
        const w = (): void => void check();
        waiters.add(w);
        check();
      });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(t);
    },
  };
}
