import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDays, parseFrom } from "./command";

const projectDir = path.resolve(__dirname, "../..");

function ibac(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(projectDir, "bin/ibac.js"), ...args], { cwd: projectDir, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("ibac backup simulate", () => {
  it("prints Hanoi next to GFS for prod: the promises hold for Hanoi and break for GFS; exit 0", () => {
    const run = ibac(["backup", "simulate", "--stack", "prod"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("simulated hour by hour from 2026-01-01 to 2028-01-02 (UTC, 17544 hours)");
    expect(run.stdout).toMatch(/^ {2}newest <= 1 h at every hour +holds \(worst 1\) +BROKEN: worst 24,/m);
    expect(run.stdout).toMatch(/^ {2}oldest >= 183 d at every hour +holds \(worst (18[3-9]|19\d|2\d\d)(\.\d+)?\) +BROKEN: worst 1\d\d(\.\d+)?,/m);
    expect(run.stdout).toMatch(/^ {2}every chain's parents kept +holds +BROKEN: \d+ jobs outlive a parent/m);
    expect(run.stdout).toMatch(/^ {2}storage, full equivalents mean \/ max +\d+\.\d+ \/ \d+\.\d+ +\d+\.\d+ \/ \d+\.\d+$/m);
    expect(run.stdout).toMatch(/^ {2}written a day \(and copied to the NAS\), full equivalents mean \/ max +0\.2\d \/ 1\.0\d +0\.0\d \/ 1$/m);
    expect(run.stdout).toMatch(/^ {2}restore points aged >=183 d \(mean, min\) +\d+(\.\d+)?, [1-9]\d* +0, 0$/m);
  });

  it("--json: both summaries, the window asked for", () => {
    const run = ibac(["backup", "simulate", "--stack", "prod", "--from", "2026-12-01", "--days", "400", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { stack: string; promise: unknown; hanoi: { from: string; hours: number; promises: { newest: { holds: boolean } }; writtenPerDay: { mean: number; max: number } }; gfs: { kind: string } };
    expect(out.stack).toBe("prod");
    expect(out.promise).toEqual({ newestRestorePointHours: 1, oldestRestorePointDays: 183 });
    expect(out.hanoi.from).toBe("2026-12-01T00:00:00.000Z");
    expect(out.hanoi.hours).toBe(400 * 24);
    expect(out.hanoi.promises.newest.holds).toBe(true);
    expect(out.hanoi.writtenPerDay.mean).toBeGreaterThan(0.2);
    expect(out.hanoi.writtenPerDay.mean).toBeLessThan(0.25);
    expect(out.gfs.kind).toBe("gfs");
  });

  it("a window shorter than the warm-up says the oldest promise was not checked", () => {
    const run = ibac(["backup", "simulate", "--stack", "prod", "--days", "30"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/oldest >= 183 d at every hour +not checked: the window ends before the warm-up/);
  });

  it.each([
    [["--from", "2026-02-30"], '--from: expected a date YYYY-MM-DD, found "2026-02-30"'],
    [["--from", "1.1.2026"], '--from: expected a date YYYY-MM-DD, found "1.1.2026"'],
    [["--days", "0"], '--days: expected a whole number of days from 1 to 10958, found "0"'],
    [["--days", "2y"], '--days: expected a whole number of days from 1 to 10958, found "2y"'],
  ])("%j: exit 2, the option and what was expected, no stack trace", (args, message) => {
    const run = ibac(["backup", "simulate", "--stack", "prod", ...args]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(message);
    expect(run.stdout).toBe("");
  });

  it("an unknown stack: exit 2", () => {
    const run = ibac(["backup", "simulate", "--stack", "nope"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("stacks/Pulumi.nope.yaml: no such stack");
  });

  it("parses the options itself (leap day, 30 years)", () => {
    expect(parseFrom("2028-02-29").toISOString()).toBe("2028-02-29T00:00:00.000Z");
    expect(() => parseFrom("2027-02-29")).toThrow('--from: expected a date YYYY-MM-DD, found "2027-02-29"');
    expect(parseDays("10958")).toBe(10958);
    expect(() => parseDays("10959")).toThrow("--days: expected a whole number of days from 1 to 10958");
  });
});
