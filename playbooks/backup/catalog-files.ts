// The file versions a restore gives back, read from the director's SQLite catalog itself: the runbooks' named
// console may not send SQL (its CommandACL leaves out .sql and sqlquery, which can also write), and no console
// command prints the digests of a whole tree. `sqlite3 -readonly` on the director's VM reads the catalog
// Bacula keeps, and cannot change it. Bacula 9.6's schema: Path, Filename, File (11.0 and later dropped Filename).
import { UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import { jobIdOf } from "./bconsole";

/** One file version the catalog holds: where it was, its FileIndex (0 or less: deleted in that job), its job and digest. */
export interface CatalogFile {
  path: string;
  name: string;
  fileIndex: number;
  jobId: number;
  /** Bacula's base64 of the file's digest, or "0" when none was taken (directories, links, deletions). */
  digest: string;
}

function refuse(where: string, expected: string, value: unknown): never {
  throw new UnsafeStateError(`${where}: expected ${expected}, found ${JSON.stringify(typeof value === "string" ? value.slice(0, 80) : value) ?? "nothing"}`);
}

/** A string as SQLite's blob literal: no path text ever needs quoting inside SQL. */
function sqlText(value: string): string {
  return `CAST(X'${Buffer.from(value, "utf8").toString("hex").toUpperCase()}' AS TEXT)`;
}

/** The query for the versions of `path` (the file itself, or everything below a directory) in the given jobs. */
export function fileVersionsSql(path: string, jobIds: readonly number[]): string {
  const slash = path.lastIndexOf("/");
  const below = `${path.replace(/\/$/, "")}/`;
  // Names come back hex-encoded: the bytes exactly, whatever JSON or a terminal would make of them.
  return `SELECT hex(p.Path) AS path, hex(n.Name) AS name, f.FileIndex AS fileIndex, f.JobId AS jobId, f.MD5 AS digest FROM File f JOIN Path p ON p.PathId = f.PathId JOIN Filename n ON n.FilenameId = f.FilenameId WHERE f.JobId IN (${jobIds.map((id) => String(id)).join(",")}) AND ((p.Path = ${sqlText(path.slice(0, slash + 1))} AND n.Name = ${sqlText(path.slice(slash + 1))}) OR substr(p.Path, 1, ${Buffer.byteLength(below, "utf8")}) = ${sqlText(below)})`;
}

export function fileVersionsCommand(catalogFile: string, path: string, jobIds: readonly number[]): string {
  return `sqlite3 -readonly -json ${shellQuote(catalogFile)} ${shellQuote(fileVersionsSql(path, jobIds))}`;
}

/** sqlite3 -json's rows (nothing at all when there are none), every field checked. */
export function parseFileVersions(stdout: string, where: string): CatalogFile[] {
  if (stdout.trim() === "") return [];
  let rows: unknown;
  try {
    rows = JSON.parse(stdout);
  } catch (e) {
    throw new UnsafeStateError(`${where}: expected sqlite3's JSON rows, found a syntax error (${(e as Error).message})`);
  }
  if (!Array.isArray(rows)) refuse(where, "a JSON array of rows", rows);
  const text = (hex: unknown, what: string): string => {
    if (typeof hex !== "string" || !/^([0-9A-F]{2})*$/.test(hex)) refuse(`${where}: ${what}`, "hex text", hex);
    const value = Buffer.from(hex, "hex").toString("utf8");
    if (/[\u0000-\u001f\u007f]/.test(value) || value.includes("\ufffd")) refuse(`${where}: ${what}`, "a name without control characters, in UTF-8", value);
    return value;
  };
  return rows.map((row: unknown, i) => {
    const r = (row ?? {}) as Record<string, unknown>;
    const path = text(r.path, `row ${i}: path`);
    if (!path.startsWith("/") || !path.endsWith("/")) refuse(`${where}: row ${i}: path`, "an absolute directory path ending in /", path);
    if (typeof r.fileIndex !== "number" || !Number.isSafeInteger(r.fileIndex)) refuse(`${where}: row ${i}: fileIndex`, "an integer", r.fileIndex);
    if (typeof r.digest !== "string" || !/^[A-Za-z0-9+/]{1,200}$/.test(r.digest)) refuse(`${where}: row ${i}: digest`, "Bacula's base64 digest or 0", r.digest);
    return { path, name: text(r.name, `row ${i}: name in ${path}`), fileIndex: r.fileIndex, jobId: jobIdOf(String(r.jobId), `${where}: row ${i}: jobId`), digest: r.digest };
  });
}
