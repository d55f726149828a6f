import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunbookInputError } from "./errors";

/** One line of the runbook audit log. */
export interface AuditEntry {
  time: string;
  /** Who ran it, from the login session (see loginOperator), never from an environment variable. */
  operator: string;
  runbook: string;
  runId: string;
  stack: string;
  step: number | null;
  stepName: string | null;
  host: string | null;
  /**
   * The command as it was sent to the host, every value substituted; secrets are read from files on the
   * host, so none is in it.
   */
  command: string | null;
  /** What the operator was shown for it, when that is shorter than the command (a role file written). */
  as?: string;
  /** What the command was given on its standard input (a role file, SQL with the password's placeholder). */
  stdin?: string;
  result: "ok" | "failed" | "dry-run" | "refused" | "note" | "started" | "finished" | "aborted";
  exitCode?: number;
  durationMs?: number;
  detail?: string;
}

/**
 * Where the log goes unless told otherwise: the operator's state directory (XDG Base Directory), outside
 * any checkout, so it is neither committed nor lost with a clean clone.
 */
export function defaultAuditLogPath(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const state = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(home, ".local", "state");
  return path.join(state, "ibac", "audit", "runbooks.jsonl");
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Appends JSON lines, one write per entry with O_APPEND, so concurrent runs interleave whole lines and a
 * crash never leaves a half-written entry behind an intact one. The log must be a regular file it can
 * append to: /dev/null, a FIFO or a directory would lose the record of what ran, so they are refused
 * before anything connects. Directories it creates are 0700 and the file 0600: the log names hosts and
 * the commands run on them.
 */
export class AuditLog {
  readonly file: string;
  private readonly fd: number;

  constructor(file: string, option = "--audit-log") {
    this.file = file;
    function refuse(found: string): never {
      throw new RunbookInputError(`${option} ${file}: expected a regular file the audit log can be appended to, found ${found}`);
    }
    let existing: fs.Stats | undefined;
    try {
      existing = fs.statSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") refuse(`that it cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (existing && !existing.isFile()) refuse(kindOf(existing));
    let fd: number;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NONBLOCK, 0o600);
    } catch (e) {
      refuse(`that it cannot be appended to (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    this.fd = fd;
    // Between the check and the open the path could have been swapped for something else.
    const opened = fs.fstatSync(this.fd);
    if (!opened.isFile()) {
      fs.closeSync(this.fd);
      refuse(kindOf(opened));
    }
  }

  append(entry: AuditEntry): void {
    fs.writeSync(this.fd, JSON.stringify(entry) + "\n");
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
