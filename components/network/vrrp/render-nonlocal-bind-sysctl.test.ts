import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../../test/support/require-tool";
import { renderNonlocalBindSysctl } from "./render-nonlocal-bind-sysctl";

// net.ipv4.ip_nonlocal_bind is per network namespace: the drop-in is applied by the real sysctl inside a
// namespace of the test's own, never to this machine.
let dir = "";
let netns = "";
let ip = "";

beforeAll(() => {
  ip = requireTool("ip", "iproute2");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-sysctl-"));
  netns = `ibac-sysctl-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const add = runTool(ip, ["netns", "add", netns]);
  if (add.status !== 0) throw new Error(describeRun(add));
});

afterAll(() => {
  if (netns) runTool(ip, ["netns", "del", netns]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("renderNonlocalBindSysctl, applied by sysctl -p in a namespace", () => {
  it("turns net.ipv4.ip_nonlocal_bind on (off before)", () => {
    const sysctl = requireTool("sysctl", "procps");
    const before = runTool(ip, ["netns", "exec", netns, sysctl, "-n", "net.ipv4.ip_nonlocal_bind"]);
    expect(before.stdout.trim(), describeRun(before)).toBe("0");
    const file = path.join(dir, "60-ibac-nonlocal-bind.conf");
    fs.writeFileSync(file, renderNonlocalBindSysctl());
    const apply = runTool(ip, ["netns", "exec", netns, sysctl, "-p", file]);
    expect(apply.status, describeRun(apply)).toBe(0);
    expect(apply.stderr).toBe("");
    const after = runTool(ip, ["netns", "exec", netns, sysctl, "-n", "net.ipv4.ip_nonlocal_bind"]);
    expect(after.stdout.trim()).toBe("1");
  });
});
