import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hostBackupDir, hostBinlogName, hostBinlogPosition, hostByteCount, hostGtid, hostGtidList, hostNodeName, hostTimestamp, sqlIdentifier } from "./host-values";
import { UnsafeStateError } from "./errors";
import { shellQuote } from "./shell-quote";

/** Values a hostile or broken host could answer with. */
const HOSTILE = ["x; rm -rf /", "$(touch ibac-pwned)", "`id`", "a\nb", "it's", '"q"', "../../etc/passwd", "0-1-2'; DROP TABLE t; --", "0-1-2\n", ""];

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UnsafeStateError);
    return (e as Error).message;
  }
  throw new Error("accepted");
};

describe("values read from hosts", () => {
  it("accepts what the servers really write", () => {
    expect(hostGtid("0-1101-42", "w")).toBe("0-1101-42");
    expect(hostGtidList("0-1101-42,1-1102-7", "w")).toBe("0-1101-42,1-1102-7");
    expect(hostGtidList("\n", "w")).toBe("");
    expect(hostBinlogName("mariadb-bin.000042", "w")).toBe("mariadb-bin.000042");
    expect(hostBinlogPosition(4242, "w")).toBe(4242);
    expect(hostBackupDir("full/20261122T000000Z", "w")).toBe("full/20261122T000000Z");
    expect(hostBackupDir("inc/20261122T013000Z", "w")).toBe("inc/20261122T013000Z");
    expect(hostTimestamp("2026-11-22T00:01:00Z", "w")).toBe("2026-11-22T00:01:00Z");
    expect(sqlIdentifier("drill", "w")).toBe("`drill`");
    expect(sqlIdentifier("we`ird", "w")).toBe("`we``ird`");
    expect(hostNodeName("s3-1", "w")).toBe("s3-1");
    expect(hostByteCount("8589934592\n", "w")).toBe(8589934592);
  });

  it("refuses every hostile value with the place it came from, what was expected and what was found", () => {
    for (const value of HOSTILE) {
      // A list is read from command output: one trailing line break is the output's, not the value's.
      if (value !== "" && value !== "0-1-2\n") expect(refusal(() => hostGtidList(value, "db-2: SHOW SLAVE STATUS Gtid_IO_Pos"))).toBe(`db-2: SHOW SLAVE STATUS Gtid_IO_Pos: expected a GTID list such as 0-1101-42,1-1102-7 (or nothing), found ${JSON.stringify(value)}`);
      expect(refusal(() => hostGtid(value, "x"))).toBe(`x: expected a GTID such as 0-1101-42, found ${JSON.stringify(value)}`);
      expect(refusal(() => hostBinlogName(value, "db-2: backup/db-2/binlog"))).toBe(`db-2: backup/db-2/binlog: expected a binary log file name such as mariadb-bin.000042, found ${JSON.stringify(value)}`);
      expect(refusal(() => hostBackupDir(value, "m"))).toBe(`m: expected full/<name> or inc/<name> (letters, digits, . _ : -), found ${JSON.stringify(value)}`);
      expect(refusal(() => hostTimestamp(value, "m"))).toBe(`m: expected an ISO 8601 time with a zone such as 2026-11-22T10:00:05Z, found ${JSON.stringify(value)}`);
      expect(refusal(() => hostNodeName(value, "s3-1: crm_mon"))).toBe(`s3-1: crm_mon: expected a node name such as s3-1, found ${JSON.stringify(value)}`);
      // Command output ends in a line break; the count is what stands before it.
      if (value !== "") expect(refusal(() => hostByteCount(value, "s3-2: size of /dev/vdb"))).toBe(`s3-2: size of /dev/vdb: expected a byte count, found ${JSON.stringify(value.trim())}`);
    }
    expect(refusal(() => hostNodeName(undefined, "n"))).toBe("n: expected a node name such as s3-1, found nothing");
    expect(refusal(() => hostByteCount("12 MiB", "n"))).toBe('n: expected a byte count, found "12 MiB"');
    expect(refusal(() => hostBinlogName("../mariadb-bin.000001", "b"))).toContain('found "../mariadb-bin.000001"');
    expect(refusal(() => hostBinlogName("mariadb-bin..000001", "b"))).toContain("expected a binary log file name");
    expect(refusal(() => hostBackupDir("full/../../etc", "m"))).toContain('found "full/../../etc"');
    expect(refusal(() => hostBackupDir("full/x; rm -rf /", "m"))).toContain("expected full/<name>");
    expect(refusal(() => hostBinlogPosition("4; rm -rf /", "m"))).toBe('m: expected a binary log position (an integer of at least 4), found "4; rm -rf /"');
    expect(refusal(() => hostBinlogPosition(1.5, "m"))).toBe("m: expected a binary log position (an integer of at least 4), found 1.5");
    expect(refusal(() => sqlIdentifier("a\nb", "t"))).toBe('t: expected a schema or table name without control characters or backslashes, found "a\\nb"');
    expect(refusal(() => sqlIdentifier("a\\b", "t"))).toContain("without control characters or backslashes");
  });

  it("an identifier with quotes and backticks stays one identifier", () => {
    expect(sqlIdentifier("x`; DROP TABLE t; --", "t")).toBe("`x``; DROP TABLE t; --`");
    expect(sqlIdentifier("it's", "t")).toBe("`it's`");
  });
});

describe("shellQuote against a real shell", () => {
  it("every hostile value reaches the command as one word, unexpanded", () => {
    for (const value of [...HOSTILE, "a b", "*", "~", "-n", "\t", "'", "''", "\\"]) {
      const r = spawnSync("sh", ["-c", `printf '%s' ${shellQuote(value)}`], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(value);
    }
  });
});
