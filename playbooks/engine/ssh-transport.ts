import * as fs from "node:fs";
import { NodeSSH } from "node-ssh";
import type { CommandResult, EngineHost, HostTransport } from "./types";
import { RunbookInputError } from "./errors";
import { shellQuote } from "./shell-quote";
import { checkHostKey, readKnownHosts } from "./known-hosts";

export interface SshTransportOptions {
  /** Private key file of the operator. */
  identityFile: string;
  /** known_hosts file; every host's key must be in it (nothing runs on a host that cannot be identified). */
  knownHostsFile: string;
  /** Seconds to wait for a host to answer before it counts as unreachable. */
  connectTimeoutSeconds?: number;
}

/** Why a connection failed, in the words an operator needs at 3 a.m. */
export function describeSshFailure(host: EngineHost, error: Error & { code?: unknown; level?: unknown }, identityFile: string): string {
  const where = `${host.name} (${host.ssh.user}@${host.address}:${host.ssh.port})`;
  const code = typeof error.code === "string" ? error.code : "";
  if (error.level === "client-authentication" || /authentication methods failed/i.test(error.message)) {
    return `${where}: SSH login refused: the key ${identityFile} is not accepted for user ${host.ssh.user}`;
  }
  if (["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ENOTFOUND"].includes(code) || /timed out/i.test(error.message)) {
    return `${where}: unreachable (${code || error.message})`;
  }
  return `${where}: SSH connection failed: ${error.message}`;
}

/** Commands over SSH with node-ssh: one connection per host, opened once and reused by every step. */
export class SshTransport implements HostTransport {
  private readonly connections = new Map<string, NodeSSH>();
  private readonly privateKey: string;
  private readonly options: SshTransportOptions;
  private readonly knownHosts: ReturnType<typeof readKnownHosts>;

  constructor(options: SshTransportOptions) {
    this.options = options;
    try {
      this.privateKey = fs.readFileSync(options.identityFile, "utf8");
    } catch (e) {
      throw new RunbookInputError(`--identity ${options.identityFile}: expected a readable SSH private key, found: ${(e as Error).message}`);
    }
    try {
      this.knownHosts = readKnownHosts(options.knownHostsFile);
    } catch (e) {
      throw new RunbookInputError(`--known-hosts ${options.knownHostsFile}: expected a readable known_hosts file, found: ${(e as Error).message}`);
    }
  }

  async connect(host: EngineHost): Promise<void> {
    if (this.connections.get(host.name)?.isConnected()) return;
    const ssh = new NodeSSH();
    let keyProblem: string | undefined;
    try {
      await ssh.connect({
        host: host.address,
        port: host.ssh.port,
        username: host.ssh.user,
        privateKey: this.privateKey,
        readyTimeout: (this.options.connectTimeoutSeconds ?? 5) * 1000,
        keepaliveInterval: 2000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          keyProblem = checkHostKey(this.knownHosts, host.address, host.ssh.port, key, this.options.knownHostsFile);
          return keyProblem === undefined;
        },
      });
    } catch (e) {
      ssh.dispose();
      if (keyProblem) throw new RunbookInputError(`${host.name} (${host.address}:${host.ssh.port}): host key refused: ${keyProblem}`);
      throw new RunbookInputError(describeSshFailure(host, e as Error, this.options.identityFile));
    }
    this.connections.set(host.name, ssh);
  }

  async exec(host: EngineHost, command: string, options: { stdin?: string } = {}): Promise<CommandResult> {
    await this.connect(host);
    const ssh = this.connections.get(host.name);
    if (!ssh) throw new Error(`no connection to ${host.name}`);
    const wrapped = host.ssh.sudo ? `sudo -n sh -c ${shellQuote(command)}` : command;
    try {
      const result = await ssh.execCommand(wrapped, { ...(options.stdin !== undefined ? { stdin: options.stdin } : {}), noTrim: true });
      return { code: result.code ?? 255, stdout: result.stdout, stderr: result.stderr };
    } catch (e) {
      // A connection that died mid-run (the host went away): drop it so the next command reconnects.
      this.connections.delete(host.name);
      ssh.dispose();
      return { code: 255, stdout: "", stderr: `SSH connection to ${host.name} lost: ${(e as Error).message}` };
    }
  }

  async pipe(from: EngineHost, fromCommand: string, to: EngineHost, toCommand: string): Promise<{ from: CommandResult; to: CommandResult }> {
    await this.connect(from);
    await this.connect(to);
    const source = this.connections.get(from.name)?.connection;
    const sink = this.connections.get(to.name)?.connection;
    if (!source || !sink) throw new Error(`no connection to ${from.name} or ${to.name}`);
    const wrap = (host: EngineHost, command: string): string => (host.ssh.sudo ? `sudo -n sh -c ${shellQuote(command)}` : command);
    return new Promise((resolve, reject) => {
      sink.exec(wrap(to, toCommand), (sinkError, sinkChannel) => {
        if (sinkError) return reject(sinkError);
        source.exec(wrap(from, fromCommand), (sourceError, sourceChannel) => {
          if (sourceError) return reject(sourceError);
          const results = { from: { code: 255, stdout: "", stderr: "" }, to: { code: 255, stdout: "", stderr: "" } };
          let open = 2;
          const done = (): void => {
            open -= 1;
            if (open === 0) resolve(results);
          };
          sourceChannel.stderr.on("data", (d: Buffer) => { results.from.stderr = (results.from.stderr + d.toString()).slice(-8000); });
          sourceChannel.on("exit", (code: number | null) => { results.from.code = code ?? 255; });
          sourceChannel.on("close", done);
          sourceChannel.pipe(sinkChannel);
          sinkChannel.on("data", (d: Buffer) => { results.to.stdout = (results.to.stdout + d.toString()).slice(-8000); });
          sinkChannel.stderr.on("data", (d: Buffer) => { results.to.stderr = (results.to.stderr + d.toString()).slice(-8000); });
          sinkChannel.on("exit", (code: number | null) => { results.to.code = code ?? 255; });
          sinkChannel.on("close", done);
        });
      });
    });
  }

  async close(): Promise<void> {
    for (const ssh of this.connections.values()) ssh.dispose();
    this.connections.clear();
    await Promise.resolve();
  }
}
