import { $ } from "zx";

/** How a lab command ended, with its text output. */
export interface RunResult {
  /** Exit status; -1 when the program was killed by a signal or timed out. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text written to the program's standard input (closed after it). */
  input?: string;
  /** Milliseconds before the program is killed (SIGKILL) and the run reports code -1; default 60 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a program with an argument array and resolves with how it ended; never rejects for a non-zero exit.
 * zx runs it: every argument is quoted for its shell, and the timeout kills with SIGKILL.
 */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const result = await $({
    input: options.input ?? "",
    env: options.env ?? process.env,
    nothrow: true,
    quiet: true,
    timeout: timeoutMs,
    timeoutSignal: "SIGKILL",
  })`${file} ${[...args]}`;
  const killed = result.exitCode === null || result.signal !== null;
  const stderr = killed ? `${result.stderr}\n[lab] ${commandLine(file, args)}: killed (${result.signal ?? "timeout"}) after at most ${timeoutMs} ms` : result.stderr;
  return { code: killed ? -1 : (result.exitCode ?? -1), stdout: result.stdout, stderr };
}

/** The command line of a run, for error messages. */
export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

/** Runs a program and rejects, naming the command and what it printed, unless it exits 0. */
export async function runChecked(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new Error(`${commandLine(file, args)}: exit ${result.code}\n${result.stdout}${result.stderr}`.trimEnd());
  }
  return result.stdout;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
