import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";

// A real process whose command name is nagios4 (a copy of sleep under that name: the script reads
// /proc/PID/comm) stands for the engine; its lock file and status file are written as nagios4 writes them.
const bench = scriptBench("agent-engine");
const lock = path.join(bench.dir, "nagios4.pid");
const status = path.join(bench.dir, "status.dat");
let engine: ChildProcess | undefined;

beforeAll(() => {
  const binary = path.join(bench.dir, "nagios4");
  fs.copyFileSync("/bin/sleep", binary);
  fs.chmodSync(binary, 0o755);
  engine = spawn(binary, ["300"], { stdio: "ignore" });
  fs.writeFileSync(lock, `${engine.pid}\n`);
  fs.writeFileSync(status, "info {\n}\n");
});
afterAll(() => {
  if (engine?.pid) process.kill(engine.pid, "SIGKILL");
  bench.remove();
});

const check = (max = "120") => bench.run(AGENT_SCRIPTS.engine, [lock, status, max]);

describe("check_ibac_engine", () => {
  it("is OK while nagios4 runs and writes its status", () => {
    const r = check();
    expect(r.status, r.line).toBe(0);
    expect(r.line).toMatch(new RegExp(`^ENGINE OK - nagios4 \\(${engine!.pid}\\) wrote ${status} [01] s ago \\| status_age=[01]s;;120;0$`));
  });

  it("is CRITICAL when the status is stale, the pid is not nagios4, or nothing runs", () => {
    const old = new Date(Date.now() - 600_000);
    fs.utimesSync(status, old, old);
    expect(check().line).toMatch(/^ENGINE CRITICAL - nagios4 \(\d+\) wrote .+ 60[01] s ago \| status_age=60[01]s;;120;0$/);
    expect(check().status).toBe(2);
    fs.writeFileSync(lock, `${process.pid}\n`);
    expect(check()).toMatchObject({ status: 2, line: `ENGINE CRITICAL - process ${process.pid} of ${lock} is not running nagios4` });
    fs.writeFileSync(lock, "");
    expect(check()).toMatchObject({ status: 2, line: `ENGINE CRITICAL - no pid in ${lock}` });
    fs.writeFileSync(lock, `${engine!.pid}\n`);
    fs.rmSync(status);
    expect(check()).toMatchObject({ status: 2, line: `ENGINE CRITICAL - nagios4 (${engine!.pid}) runs but ${status} is missing` });
  });

  it("is UNKNOWN on bad usage", () => {
    const usage = "ENGINE UNKNOWN - usage: check_ibac_engine [LOCK_FILE STATUS_FILE MAX_AGE_SECONDS]";
    expect(check("soon")).toMatchObject({ status: 3, line: usage });
    expect(bench.run(AGENT_SCRIPTS.engine, [lock])).toMatchObject({ status: 3, line: usage });
  });

  it("reads the rendered engine's files when given no arguments (none here: CRITICAL, naming them)", () => {
    // This machine runs no nagios4 from /var/lib/nagios4 (other tests run theirs under temporary roots).
    const r = bench.run(AGENT_SCRIPTS.engine, []);
    expect(r.status, r.line).toBe(2);
    expect(r.line).toMatch(/^ENGINE CRITICAL - (no pid in \/var\/lib\/nagios4\/nagios\.lock|process \d+ of \/var\/lib\/nagios4\/nagios\.lock is not running nagios4)$/);
  });
});
