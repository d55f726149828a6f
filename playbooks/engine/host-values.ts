import { UnsafeStateError } from "./errors";

/**
 * Values read from a host (SHOW SLAVE STATUS, a backup manifest, a directory listing) are as hostile as
 * any input: a compromised or broken server could answer with `'; DROP ...` or `$(...)`. Each is checked
 * against what it means before a runbook puts it into SQL or a shell command; a value that is not what it
 * should be stops the run (UnsafeStateError: the state is not what the runbook can act on).
 */
function refuse(where: string, expected: string, value: unknown): never {
  throw new UnsafeStateError(`${where}: expected ${expected}, found ${value === undefined ? "nothing" : JSON.stringify(value)}`);
}

const GTID = /^\d{1,10}-\d{1,10}-\d{1,20}$/;

/** One GTID, `domain-server-sequence`. */
export function hostGtid(value: string, where: string): string {
  if (!GTID.test(value)) refuse(where, "a GTID such as 0-1101-42", value);
  return value;
}

/** A GTID position: comma-separated GTIDs, one per domain, or empty (nothing logged yet). */
export function hostGtidList(value: string, where: string): string {
  const trimmed = value.trim();
  if (trimmed === "") return "";
  const parts = trimmed.split(",").map((p) => p.trim());
  if (!parts.every((p) => GTID.test(p))) refuse(where, "a GTID list such as 0-1101-42,1-1102-7 (or nothing)", value);
  return parts.join(",");
}

/** A binary log file's name as the server writes it (`mariadb-bin.000042`): no directory, no `..`. */
export function hostBinlogName(value: string, where: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}\.[0-9]{6,}$/.test(value) || value.includes("..")) refuse(where, "a binary log file name such as mariadb-bin.000042", value);
  return value;
}

/** A byte offset in a binary log. */
export function hostBinlogPosition(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 4) refuse(where, "a binary log position (an integer of at least 4)", value);
  return value;
}

/** A backup's directory under the server's backup root, as the backup scripts name it: `full/<stamp>` or `inc/<stamp>`. */
export function hostBackupDir(value: string, where: string): string {
  if (!/^(full|inc)\/[A-Za-z0-9_][A-Za-z0-9_.:-]{0,100}$/.test(value) || value.includes("..")) refuse(where, "full/<name> or inc/<name> (letters, digits, . _ : -)", value);
  return value;
}

/** A timestamp in a manifest: ISO 8601 with a zone, a real instant. */
export function hostTimestamp(value: unknown, where: string): string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    refuse(where, "an ISO 8601 time with a zone such as 2026-11-22T10:00:05Z", value);
  }
  return value;
}

/**
 * A schema or table name as information_schema gives it, quoted as an SQL identifier (backticks doubled).
 * Control characters (line breaks, tabs) and backslashes are refused: batch output escapes them, so the
 * name read back would not be the table's.
 */
export function sqlIdentifier(value: string, where: string): string {
  if (value.length === 0 || value.length > 64 || /[\u0000-\u001f\u007f\\]/.test(value)) refuse(where, "a schema or table name without control characters or backslashes", value);
  return `\`${value.replace(/`/g, "``")}\``;
}

/** A cluster node's or VM's host name as Pacemaker and DRBD print it (`s3-1`): one DNS label, lower case. */
export function hostNodeName(value: string | undefined, where: string): string {
  if (value === undefined || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) refuse(where, "a node name such as s3-1", value === undefined ? undefined : value.slice(0, 80));
  return value;
}

/** A byte count a command printed (`blockdev --getsize64`, `df --output=avail -B1`, `stat -c %s`): digits only. */
export function hostByteCount(text: string, where: string): number {
  const value = text.trim();
  if (!/^\d{1,18}$/.test(value)) refuse(where, "a byte count", value.slice(0, 60));
  return Number(value);
}
