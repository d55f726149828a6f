import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { hostBackupDir, hostBinlogName, hostBinlogPosition, hostGtidList, hostTimestamp } from "../engine/host-values";

/** What a point-in-time restore aims at: every transaction up to and including a GTID, or a second. */
export type PitrTarget = { kind: "gtid"; gtid: string; domain: number; server: number; seq: number } | { kind: "time"; time: Date };

/**
 * `--to`: a GTID (`0-1101-42`), or a time: ISO 8601 with a zone (`2026-11-22T10:00:05Z`,
 * `2026-11-22T12:00:05+02:00`) or `YYYY-MM-DD HH:MM:SS`, read as UTC (the servers' time zone).
 */
export function parsePitrTarget(value: string): PitrTarget {
  const gtid = /^(\d+)-(\d+)-(\d+)$/.exec(value);
  if (gtid) return { kind: "gtid", gtid: value, domain: Number(gtid[1]), server: Number(gtid[2]), seq: Number(gtid[3]) };
  const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value);
  const iso = plain ? `${plain[1]}T${plain[2]}Z` : value;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(iso)) {
    const time = new Date(iso);
    if (!Number.isNaN(time.getTime())) return { kind: "time", time };
  }
  throw new RunbookInputError(`--to: expected a GTID such as 0-1101-42 or a time such as "2026-11-22 10:00:05" (UTC) or 2026-11-22T12:00:05+02:00, found "${value}"`);
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as mariadb-binlog reads it with TZ=UTC. */
export function binlogDatetime(time: Date): string {
  return time.toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

/** One finished backup, as its `ibac-backup.json` manifest says. */
export interface BackupManifest {
  kind: "full" | "incremental";
  dir: string;
  started: string;
  finished: string;
  gtid: string;
  /** The backup an incremental applies on. */
  base?: string;
  /** The server's binary log file at the backup's position: replay starts in it. */
  binlogFile?: string | null;
  /** The byte offset in `binlogFile` where the backup ends. */
  binlogPosition?: number | null;
}

/**
 * One line of the manifest listing (`<dir>\t<ibac-backup.json on one line>`), every field checked: the
 * manifest is written on the host, and its directory names, GTIDs and positions end up in commands.
 */
export function parseManifestLine(line: string, where: string): BackupManifest {
  const tab = line.indexOf("\t");
  const dir = hostBackupDir(tab < 0 ? line : line.slice(0, tab), `${where}: a backup directory`);
  const at = `${where}/${dir}/ibac-backup.json`;
  let raw: unknown;
  try {
    raw = JSON.parse(line.slice(tab + 1));
  } catch (e) {
    throw new UnsafeStateError(`${at}: expected a JSON object, found a syntax error (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UnsafeStateError(`${at}: expected a JSON object, found ${JSON.stringify(raw)}`);
  const m = raw as Record<string, unknown>;
  const kind = m.kind;
  if (kind !== "full" && kind !== "incremental") throw new UnsafeStateError(`${at}: kind: expected "full" or "incremental", found ${JSON.stringify(kind) ?? "nothing"}`);
  if ((kind === "full") !== dir.startsWith("full/")) throw new UnsafeStateError(`${at}: kind: expected "${dir.startsWith("full/") ? "full" : "incremental"}" for a backup under ${dir.split("/")[0]}/, found "${kind}"`);
  const text = (field: string): string => {
    const v = m[field];
    if (typeof v !== "string") throw new UnsafeStateError(`${at}: ${field}: expected a string, found ${JSON.stringify(v) ?? "nothing"}`);
    return v;
  };
  const manifest: BackupManifest = {
    kind,
    dir,
    started: hostTimestamp(m.started, `${at}: started`),
    finished: hostTimestamp(m.finished, `${at}: finished`),
    gtid: hostGtidList(text("gtid"), `${at}: gtid`),
  };
  if (kind === "incremental") manifest.base = hostBackupDir(text("base"), `${at}: base`);
  if (m.binlogFile !== undefined && m.binlogFile !== null) manifest.binlogFile = hostBinlogName(text("binlogFile"), `${at}: binlogFile`);
  if (m.binlogPosition !== undefined && m.binlogPosition !== null) manifest.binlogPosition = hostBinlogPosition(m.binlogPosition, `${at}: binlogPosition`);
  return manifest;
}

/**
 * The captured binary-log files a replay from `backup` must read: from the file the backup ends in (the
 * capture keeps the server's file names), or every file when the backup does not say.
 */
export function binlogFilesFrom(files: string[], backup: Pick<BackupManifest, "binlogFile">): string[] {
  const name = backup.binlogFile;
  const base = (f: string): string => f.slice(f.lastIndexOf("/") + 1);
  if (!name || !files.some((f) => base(f) === name)) return files;
  return files.filter((f) => base(f) >= name);
}

/** The GTID sequence of `gtid` list's entry in `domain` (0 when the list has none). */
export function seqInDomain(list: string, domain: number): number {
  for (const g of list.split(",").map((s) => s.trim())) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(g);
    if (m && Number(m[1]) === domain) return Number(m[3]);
  }
  return 0;
}

/**
 * The newest full backup taken before the target, and the incrementals of its chain that also end before
 * it: a backup is a consistent point at its GTID, and binary logs only replay forward from there.
 */
export function chooseBackups(manifests: BackupManifest[], target: PitrTarget): { full: BackupManifest; incrementals: BackupManifest[] } | undefined {
  const before = (m: BackupManifest): boolean =>
    target.kind === "time" ? Date.parse(m.finished) <= target.time.getTime() : seqInDomain(m.gtid, target.domain) <= target.seq;
  const fulls = manifests.filter((m) => m.kind === "full" && before(m)).sort((a, b) => a.finished.localeCompare(b.finished));
  const full = fulls.at(-1);
  if (!full) return undefined;
  const incrementals: BackupManifest[] = [];
  let base = full.dir;
  for (;;) {
    const next = manifests.find((m) => m.kind === "incremental" && m.base === base && before(m));
    if (!next) break;
    incrementals.push(next);
    base = next.dir;
  }
  return { full, incrementals };
}

/**
 * Where mariadb-binlog starts reading for a replay from `backup`: at the backup's byte offset in its own
 * file when the capture has that file (it keeps the server's names and bytes), so nothing before the
 * backup is decoded again; else at the backup's GTID, reading every file from the start.
 */
export function replayStart(files: string[], backup: Pick<BackupManifest, "binlogFile" | "binlogPosition" | "gtid">): { option: string; files: string[] } {
  const from = binlogFilesFrom(files, backup);
  const base = (f: string): string => f.slice(f.lastIndexOf("/") + 1);
  if (backup.binlogFile && backup.binlogPosition && from.length && base(from[0]) === backup.binlogFile) {
    return { option: `--start-position=${backup.binlogPosition}`, files: from };
  }
  return { option: `--start-position=${backup.gtid}`, files };
}
