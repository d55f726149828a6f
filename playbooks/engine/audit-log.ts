import * as fs from "node:fs";
import * as path from "node:path";

/** One line of the runbook audit log. */
export interface AuditEntry {
  time: string;
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
 * Appends JSON lines, one write per entry with O_APPEND, so concurrent runs interleave whole lines and a
 * crash never leaves a half-written entry behind an intact one.
 */
export class AuditLog {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  append(entry: AuditEntry): void {
    fs.appendFileSync(this.file, JSON.stringify(entry) + "\n", { mode: 0o640 });
  }
}
