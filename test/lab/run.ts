import { spawn } from "node:child_process";

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

/** Runs a program with an argument array (no shell) and resolves with how it ended; never rejects for a non-zero exit. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { stdio: ["pipe", "pipe", "pipe"], env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 60_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[lab] ${file} ${args.join(" ")}: killed after ${options.timeoutMs ?? 60_000} ms`;
      resolve({ code: timedOut || code === null ? -1 : code, stdout, stderr });
    });
    // A program that exits without reading its input closes the pipe: that is not an error of ours.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
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
