import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fileVersionsCommand, fileVersionsSql, parseFileVersions } from "./catalog-files";

// samples/catalog-files.json: what bookworm's sqlite3 printed for fileVersionsCommand on a catalog made by Debian's
// make_sqlite3_tables (Bacula 9.6's schema) holding a saved file, another deleted in the next job (FileIndex -2,
// as Accurate mode records it) and a directory entry.
const SAMPLE = fs.readFileSync(path.join(__dirname, "samples", "catalog-files.json"), "utf8");

describe("the catalog's file versions (sqlite3 -readonly -json on the director's VM)", () => {
  it("reads the rows, names decoded from hex, deletions kept (FileIndex -2)", () => {
    expect(parseFileVersions(SAMPLE, "cat")).toEqual([
      { path: "/srv/photos/2026/", name: "a.jpg", fileIndex: 1, jobId: 1, digest: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg" },
      { path: "/srv/photos/2026/", name: "b.jpg", fileIndex: 2, jobId: 1, digest: "lxK78OC8RAjE2bKuC+bA2VlPnlha+HB9l7Udpv0d5pE" },
      { path: "/srv/photos/2026/", name: "", fileIndex: 3, jobId: 1, digest: "0" },
      { path: "/srv/photos/2026/", name: "b.jpg", fileIndex: -2, jobId: 2, digest: "0" },
    ]);
    expect(parseFileVersions("", "cat")).toEqual([]);
  });

  it("a hostile or broken row stops the reading, named", () => {
    expect(() => parseFileVersions(SAMPLE.replace('"612E6A7067"', '"610A6A7067"'), "backup-1: catalog")).toThrow('backup-1: catalog: row 0: name in /srv/photos/2026/: expected a name without control characters, in UTF-8, found "a\\njpg"');
    expect(() => parseFileVersions(SAMPLE.replace('"digest":"0"}]', '"digest":"0;reboot"}]'), "cat")).toThrow('cat: row 3: digest: expected Bacula\'s base64 digest or 0, found "0;reboot"');
    expect(() => parseFileVersions(SAMPLE.replace('"jobId":2', '"jobId":"2$(id)"'), "cat")).toThrow('cat: row 3: jobId: expected a job id (a positive integer), found "2$(id)"');
    expect(() => parseFileVersions("Error: unable to open database", "cat")).toThrow("cat: expected sqlite3's JSON rows, found a syntax error");
  });

  it("the path reaches SQL only hex-encoded, the SQL the shell only single-quoted, read-only", () => {
    const sql = fileVersionsSql("/srv/x'; DROP TABLE File; --/a b.jpg", [11, 12]);
    expect(sql).not.toContain("DROP");
    expect(sql).toContain("f.JobId IN (11,12)");
    expect(sql).toContain(`CAST(X'${Buffer.from("/srv/x'; DROP TABLE File; --/").toString("hex").toUpperCase()}' AS TEXT)`);
    expect(fileVersionsCommand("/srv/bacula/director/bacula.db", "/srv/a", [1])).toMatch(/^sqlite3 -readonly -json \/srv\/bacula\/director\/bacula\.db 'SELECT .*'$/);
  });
});
