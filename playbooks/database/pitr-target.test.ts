import { describe, expect, it } from "vitest";
import { binlogDatetime, chooseBackups, parseManifestLine, parsePitrTarget, replayStart, type BackupManifest } from "./pitr-target";
import { errantTransactions, parseGtidState } from "./mariadb";
import { stopOptions } from "./db-restore-pitr";
import { parseReplicationTimestamp } from "./db-failover";

const manifests: BackupManifest[] = [
  { kind: "full", dir: "full/20261122T000000Z", started: "2026-11-22T00:00:00Z", finished: "2026-11-22T00:01:00Z", gtid: "0-1101-100" },
  { kind: "incremental", dir: "inc/20261122T013000Z", base: "full/20261122T000000Z", started: "2026-11-22T01:30:00Z", finished: "2026-11-22T01:30:10Z", gtid: "0-1101-150" },
  { kind: "incremental", dir: "inc/20261122T023000Z", base: "inc/20261122T013000Z", started: "2026-11-22T02:30:00Z", finished: "2026-11-22T02:30:10Z", gtid: "0-1101-200" },
  { kind: "full", dir: "full/20261122T120000Z", started: "2026-11-22T12:00:00Z", finished: "2026-11-22T12:01:00Z", gtid: "0-1101-900" },
];

describe("parsePitrTarget", () => {
  it("reads a GTID, an ISO time with a zone, and a plain time as UTC", () => {
    expect(parsePitrTarget("0-1101-42")).toMatchObject({ kind: "gtid", domain: 0, server: 1101, seq: 42 });
    expect(parsePitrTarget("2026-11-22T12:00:05+02:00")).toEqual({ kind: "time", time: new Date("2026-11-22T10:00:05Z") });
    expect(parsePitrTarget("2026-11-22 10:00:05")).toEqual({ kind: "time", time: new Date("2026-11-22T10:00:05Z") });
  });

  it("rejects anything else with the expected forms", () => {
    expect(() => parsePitrTarget("yesterday")).toThrow('--to: expected a GTID such as 0-1101-42 or a time such as "2026-11-22 10:00:05" (UTC) or 2026-11-22T12:00:05+02:00, found "yesterday"');
  });
});

describe("chooseBackups", () => {
  it("takes the newest full before the target and the incrementals of its chain before it", () => {
    const chosen = chooseBackups(manifests, parsePitrTarget("2026-11-22 02:00:00"));
    expect(chosen?.full.dir).toBe("full/20261122T000000Z");
    expect(chosen?.incrementals.map((i) => i.dir)).toEqual(["inc/20261122T013000Z"]);
  });

  it("chooses by GTID sequence for a GTID target", () => {
    const chosen = chooseBackups(manifests, parsePitrTarget("0-1101-950"));
    expect(chosen?.full.dir).toBe("full/20261122T120000Z");
    expect(chooseBackups(manifests, parsePitrTarget("0-1101-199"))?.incrementals.map((i) => i.dir)).toEqual(["inc/20261122T013000Z"]);
  });

  it("finds nothing before the oldest full backup", () => {
    expect(chooseBackups(manifests, parsePitrTarget("2026-11-21 23:00:00"))).toBeUndefined();
  });
});

describe("stopOptions", () => {
  it("stops after the target GTID, or after the whole target second", () => {
    expect(stopOptions(parsePitrTarget("0-1101-42"))).toBe("--stop-position=0-1101-42");
    expect(stopOptions(parsePitrTarget("2026-11-22 10:00:05"))).toBe("--stop-datetime='2026-11-22 10:00:06'");
    expect(binlogDatetime(new Date("2026-11-22T10:00:05.700Z"))).toBe("2026-11-22 10:00:05");
  });
});

describe("errantTransactions", () => {
  it("finds what the returning server logged beyond the primary's copy of its history", () => {
    expect(errantTransactions("0-1101-105", "0-1101-103,0-1102-7")).toEqual([{ domainServer: "0-1101", afterSeq: 103, lastSeq: 105 }]);
  });

  it("finds none when the primary has everything", () => {
    expect(errantTransactions("0-1101-103", "0-1101-103,0-1102-7")).toEqual([]);
    expect(errantTransactions("", "0-1102-7")).toEqual([]);
  });

  it("rejects a malformed GTID list", () => {
    expect(() => parseGtidState("0-1-x")).toThrow('not a GTID: "0-1-x"');
  });
});

describe("parseReplicationTimestamp", () => {
  it("reads SHOW SLAVE STATUS timestamps as UTC", () => {
    expect(parseReplicationTimestamp("261122  6:07:30")?.toISOString()).toBe("2026-11-22T06:07:30.000Z");
    expect(parseReplicationTimestamp("")).toBeUndefined();
  });
});

describe("replayStart", () => {
  const files = ["/b/binlog/mariadb-bin.000001", "/b/binlog/mariadb-bin.000002", "/b/binlog/mariadb-bin.000003"];

  it("starts at the backup's byte offset in its own file and skips older files", () => {
    expect(replayStart(files, { binlogFile: "mariadb-bin.000002", binlogPosition: 4242, gtid: "0-1-9" })).toEqual({
      option: "--start-position=4242",
      files: files.slice(1),
    });
  });

  it("falls back to the GTID over every file when the capture lacks the backup's file", () => {
    expect(replayStart(files, { binlogFile: "mariadb-bin.000009", binlogPosition: 4242, gtid: "0-1-9" })).toEqual({ option: "--start-position=0-1-9", files });
    expect(replayStart(files, { gtid: "0-1-9" })).toEqual({ option: "--start-position=0-1-9", files });
  });
});

describe("parseManifestLine (a manifest is a value from the host)", () => {
  const good = { kind: "incremental", started: "2026-11-22T01:30:00Z", finished: "2026-11-22T01:30:10Z", gtid: "0-1101-150", base: "full/20261122T000000Z", binlogFile: "mariadb-bin.000002", binlogPosition: 4242 };
  const line = (dir: string, m: Record<string, unknown>): string => `${dir}\t${JSON.stringify(m)}`;
  const where = "db-2: /var/backups/mariadb/db-2";
  const refusal = (text: string): string => {
    try {
      parseManifestLine(text, where);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error("accepted");
  };

  it("reads a manifest the backup scripts write", () => {
    expect(parseManifestLine(line("inc/20261122T013000Z", good), where)).toEqual({ ...good, dir: "inc/20261122T013000Z" });
    expect(parseManifestLine(line("full/20261122T000000Z", { ...good, kind: "full", base: undefined, binlogFile: null, binlogPosition: null }), where)).toEqual({
      kind: "full", dir: "full/20261122T000000Z", started: good.started, finished: good.finished, gtid: good.gtid,
    });
  });

  it("refuses hostile or broken fields with the manifest's path, the field, what was expected and what was found", () => {
    const at = `${where}/inc/20261122T013000Z/ibac-backup.json`;
    expect(refusal(line("inc/../../etc", good))).toBe(`${where}: a backup directory: expected full/<name> or inc/<name> (letters, digits, . _ : -), found "inc/../../etc"`);
    expect(refusal(line("inc/$(reboot)", good))).toBe(`${where}: a backup directory: expected full/<name> or inc/<name> (letters, digits, . _ : -), found "inc/$(reboot)"`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, gtid: "0-1-2'; DROP TABLE t; --" }))).toBe(`${at}: gtid: expected a GTID list such as 0-1101-42,1-1102-7 (or nothing), found "0-1-2'; DROP TABLE t; --"`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, base: "full/x;rm -rf /" }))).toBe(`${at}: base: expected full/<name> or inc/<name> (letters, digits, . _ : -), found "full/x;rm -rf /"`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, binlogFile: "../../etc/shadow" }))).toBe(`${at}: binlogFile: expected a binary log file name such as mariadb-bin.000042, found "../../etc/shadow"`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, binlogFile: "mariadb-bin.000001`id`" }))).toBe(`${at}: binlogFile: expected a binary log file name such as mariadb-bin.000042, found "mariadb-bin.000001\`id\`"`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, binlogPosition: "4 --exec=x" }))).toBe(`${at}: binlogPosition: expected a binary log position (an integer of at least 4), found "4 --exec=x"`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, finished: "yesterday\n" }))).toBe(`${at}: finished: expected an ISO 8601 time with a zone such as 2026-11-22T10:00:05Z, found "yesterday\\n"`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, kind: "full" }))).toBe(`${at}: kind: expected "incremental" for a backup under inc/, found "full"`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, kind: undefined }))).toBe(`${at}: kind: expected "full" or "incremental", found nothing`);
    expect(refusal(line("inc/20261122T013000Z", { ...good, gtid: 7 }))).toBe(`${at}: gtid: expected a string, found 7`);
    expect(refusal("inc/20261122T013000Z\t{oops")).toMatch(new RegExp(`^${at.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: expected a JSON object, found a syntax error \\(`));
    expect(refusal("inc/20261122T013000Z\t[1]")).toBe(`${at}: expected a JSON object, found [1]`);
  });
});
