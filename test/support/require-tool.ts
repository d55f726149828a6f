import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";

// Daemons and admin tools live in sbin, which a non-root PATH (and many CI images) leave out.
const EXTRA_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/**
 * The absolute path of `command`, or an Error telling how to install it. Tests call this instead of
 * skipping: a validator that is missing must turn the run red, or "green" would mean "never checked".
 */
export function requireTool(command: string, debianPackage: string): string {
  const found = findTool(command);
  if (!found) {
    throw new Error(`"${command}" is not installed: apt-get install -y --no-install-recommends ${debianPackage}`);
  }
  return found;
}

/** The absolute path of `command` on PATH or in the sbin directories, or undefined. */
export function findTool(command: string): string | undefined {
  if (command.includes("/")) return isExecutableFile(command) ? path.resolve(command) : undefined;
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.resolve(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ToolResult {
  /** Exit status; null when the tool was killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The command line, for assertion messages that say what was run. */
  commandLine: string;
}

export interface RunToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Milliseconds; a validator that hangs should fail the test, not the whole run. */
  timeout?: number;
  uid?: number;
  gid?: number;
}

/** Runs a tool synchronously with captured text output; throws only when it cannot be started at all. */
export function runTool(file: string, args: readonly string[], options: RunToolOptions = {}): ToolResult {
  const spawnOptions: SpawnSyncOptions = {
    encoding: "utf8",
    timeout: options.timeout ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  };
  const result = spawnSync(file, [...args], spawnOptions);
  if (result.error && (result.error as NodeJS.ErrnoException).code !== "ETIMEDOUT") throw result.error;
  return {
    status: result.status,
    signal: result.signal,
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    commandLine: [file, ...args].join(" "),
  };
}

/** A one-line summary of a run for assertion messages: what ran, how it ended, what it said. */
export function describeRun(result: ToolResult): string {
  const ending = result.signal ? `killed by ${result.signal}` : `exit ${result.status}`;
  return `${result.commandLine}: ${ending}\n${result.stdout}${result.stderr}`;
}
