import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { AuditLog, defaultAuditLogPath, type AuditEntry } from "./audit-log";
import { RunbookInputError } from "./errors";
import { testTempDir } from "../../test/support/test-temp-dir";

const entry: AuditEntry = { time: "2026-12-01T20:00:00.000Z", operator: "alice", runbook: "db-switchover", runId: "r", stack: "lab", step: 1, stepName: "s", host: "db-1", command: "true", result: "ok" };
const mode = (f: string): string => (fs.statSync(f).mode & 0o777).toString(8);

describe("the runbook audit log", () => {
  const dir = testTempDir("ibac-audit-");

  it("appends whole JSON lines to a regular file it creates 0600, in directories it creates 0700", () => {
    const file = path.join(dir, "state", "ibac", "audit", "runbooks.jsonl");
    const log = new AuditLog(file);
    log.append(entry);
    log.append({ ...entry, step: 2 });
    log.close();
    expect(fs.readFileSync(file, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as AuditEntry).step)).toEqual([1, 2]);
    expect([mode(file), mode(path.dirname(file)), mode(path.join(dir, "state"))]).toEqual(["600", "700", "700"]);
  });

  it("keeps appending to an existing log", () => {
    const file = path.join(dir, "existing.jsonl");
    fs.writeFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    const log = new AuditLog(file);
    log.append(entry);
    log.close();
    expect(fs.readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
  });

  const refusal = (file: string, option?: string): string => {
    try {
      new AuditLog(file, option).close();
    } catch (e) {
      expect(e).toBeInstanceOf(RunbookInputError);
      return (e as Error).message;
    }
    throw new Error(`${file} was accepted`);
  };

  it("refuses /dev/null, also through a symbolic link", () => {
    expect(refusal("/dev/null")).toBe("--audit-log /dev/null: expected a regular file the audit log can be appended to, found a character device");
    const link = path.join(dir, "quiet.jsonl");
    fs.symlinkSync("/dev/null", link);
    expect(refusal(link, "IBAC_AUDIT_LOG")).toBe(`IBAC_AUDIT_LOG ${link}: expected a regular file the audit log can be appended to, found a character device`);
  });

  it("refuses a directory, a FIFO and a file it cannot append to", () => {
    expect(refusal(dir)).toBe(`--audit-log ${dir}: expected a regular file the audit log can be appended to, found a directory`);
    const fifo = path.join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expect(refusal(fifo)).toBe(`--audit-log ${fifo}: expected a regular file the audit log can be appended to, found a FIFO`);
    const inFile = path.join(dir, "existing.jsonl", "log.jsonl");
    expect(refusal(inFile)).toBe(`--audit-log ${inFile}: expected a regular file the audit log can be appended to, found that it cannot be read (ENOTDIR)`);
  });

  it("defaults to the operator's state directory, never the checkout", () => {
    expect(defaultAuditLogPath({ XDG_STATE_HOME: "/home/alice/.state" }, "/home/alice")).toBe("/home/alice/.state/ibac/audit/runbooks.jsonl");
    expect(defaultAuditLogPath({}, "/home/alice")).toBe("/home/alice/.local/state/ibac/audit/runbooks.jsonl");
    // The XDG spec ignores a relative XDG_STATE_HOME.
    expect(defaultAuditLogPath({ XDG_STATE_HOME: "state" }, "/home/alice")).toBe("/home/alice/.local/state/ibac/audit/runbooks.jsonl");
  });
});
