import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { renderLbApplyScript, renderLbPackagesScript } from "./render-lb-scripts";
import { renderHaproxyCheck } from "./render-haproxy-check";
import { LB_PATHS } from "./paths";

// Proof: the scripts parse and pass shellcheck; the HAProxy check runs against real processes. Unproven here:
// the packages and apply scripts' apt-get and systemctl steps (no Debian VM boots in the tests).

let dir = "";
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-lb-scripts-"));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the load balancer's scripts, checked by bash and shellcheck", () => {
  it.each<[string, () => string]>([
    ["ibac-lb-packages", renderLbPackagesScript],
    ["ibac-lb-apply", renderLbApplyScript],
    ["check-haproxy", () => renderHaproxyCheck(LB_PATHS.haproxyPidFile)],
  ])("%s parses and passes shellcheck", (name, render) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, render());
    const syntax = runTool("bash", ["-n", file]);
    expect(syntax.status, describeRun(syntax)).toBe(0);
    const lint = runTool(requireTool("shellcheck", "shellcheck"), ["-S", "style", file]);
    expect(lint.status, describeRun(lint)).toBe(0);
  });

  it("the packages script creates keepalived's script user without a shell or home", () => {
    expect(renderLbPackagesScript()).toContain("useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin keepalived_script");
  });
});

describe("renderHaproxyCheck against real processes", () => {
  /** A process whose comm is `comm` (a copy of sleep under that name), its pid written to a pid file. */
  function processNamed(comm: string): string {
    const binary = path.join(dir, comm);
    if (!fs.existsSync(binary)) fs.copyFileSync(requireTool("sleep", "coreutils"), binary);
    fs.chmodSync(binary, 0o755);
    const child = spawn(binary, ["30"], { stdio: "ignore" });
    children.push(child);
    const pidFile = path.join(dir, `${comm}-${child.pid}.pid`);
    fs.writeFileSync(pidFile, `${child.pid}\n`);
    return pidFile;
  }

  function check(pidFile: string): number | null {
    const script = path.join(dir, `check-${path.basename(pidFile)}`);
    fs.writeFileSync(script, renderHaproxyCheck(pidFile), { mode: 0o755 });
    return runTool("bash", [script]).status;
  }

  it("passes while a process named haproxy has the pid file's pid", () => {
    expect(check(processNamed("haproxy"))).toBe(0);
  });

  it("fails for another program's pid, a dead pid, a missing or a garbled pid file", () => {
    expect(check(processNamed("nginx"))).toBe(1);
    const dead = path.join(dir, "dead.pid");
    fs.writeFileSync(dead, "999999999\n");
    expect(check(dead)).toBe(1);
    expect(check(path.join(dir, "missing.pid"))).toBe(1);
    const garbled = path.join(dir, "garbled.pid");
    const canary = path.join(dir, "canary");
    fs.writeFileSync(garbled, `1; touch ${canary}\n`);
    expect(check(garbled)).toBe(1);
    expect(fs.existsSync(canary)).toBe(false);
  });

  it("refuses a pid file path with a quote", () => {
    expect(() => renderHaproxyCheck("/run/x'.pid")).toThrow(`HAProxy's pid file: expected an absolute path of letters, digits and ._/-, found "/run/x'.pid"`);
  });
});
