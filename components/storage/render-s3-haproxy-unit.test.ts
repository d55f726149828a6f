import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { renderS3HaproxyUnit } from "./render-s3-haproxy-unit";
import { HAPROXY_BINARY, S3_HAPROXY_CONFIG, S3_HAPROXY_UNIT_PATH } from "./s3-haproxy-paths";
import { directives, makeVmRoot } from "../../test/support/unit-root";

// Test notes: systemd-analyze verify reads the unit (bookworm's systemd 252); no systemd runs HAProxy here, so
// the sandboxing directives are checked for syntax, not shown to leave HAProxy able to chroot and drop root.
// HAProxy itself runs the unit's ExecStart= command line in test/integration/storage-s3-tls.test.ts.

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A root that mirrors a storage VM: the unit, its config and the binaries it names. */
function vmRoot(unit: string): string {
  return makeVmRoot("ibac-s3-haproxy-unit-", [
    { path: S3_HAPROXY_UNIT_PATH, text: unit, mode: 0o644 },
    { path: S3_HAPROXY_CONFIG, text: "global\n", mode: 0o644 },
    { path: HAPROXY_BINARY, text: "#!/bin/sh\nexit 0\n", mode: 0o755 },
    { path: "/bin/kill", text: "#!/bin/sh\nexit 0\n", mode: 0o755 },
  ], tempDirs);
}

function verify(root: string): ReturnType<typeof runTool> {
  const analyze = requireTool("systemd-analyze", "systemd");
  return runTool(analyze, ["verify", "--recursive-errors=no", "--man=no", `--root=${root}`, path.join(root, S3_HAPROXY_UNIT_PATH)]);
}

describe("renderS3HaproxyUnit", () => {
  const unit = renderS3HaproxyUnit();

  it("systemd-analyze verify accepts the unit without a warning", () => {
    const result = verify(vmRoot(unit));
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout + result.stderr, describeRun(result)).toBe("");
  });

  it("systemd-analyze verify fails when HAProxy is not installed (the check can fail)", () => {
    const root = vmRoot(unit);
    fs.rmSync(path.join(root, HAPROXY_BINARY));
    const result = verify(root);
    expect(result.status, describeRun(result)).not.toBe(0);
    expect(result.stderr).toContain(HAPROXY_BINARY);
  });

  it("systemd-analyze verify reports an unknown directive in a mutant", () => {
    const result = verify(vmRoot(unit.replace("ProtectHome=yes", "ProtectHomes=yes")));
    expect(result.stdout + result.stderr).toMatch(/Unknown key 'ProtectHomes' in section \[Service\]/);
  });

  it("runs HAProxy in master-worker mode on its own config, checked before every start and reload", () => {
    expect(directives(unit, "Type")).toEqual(["notify"]);
    expect(directives(unit, "ExecStartPre")).toEqual(["/usr/sbin/haproxy -Ws -f /etc/haproxy/ibac-s3.cfg -c -q"]);
    expect(directives(unit, "ExecStart")).toEqual(["/usr/sbin/haproxy -Ws -f /etc/haproxy/ibac-s3.cfg -p /run/ibac-s3-haproxy/haproxy.pid"]);
    expect(directives(unit, "ExecReload")).toEqual(["/usr/sbin/haproxy -Ws -f /etc/haproxy/ibac-s3.cfg -c -q", "/bin/kill -USR2 $MAINPID"]);
    expect(unit).not.toContain("/etc/haproxy/haproxy.cfg");
  });

  it("leaves start, stop and recovery to Pacemaker: no [Install], no restart", () => {
    expect(unit).not.toContain("[Install]");
    expect(directives(unit, "WantedBy")).toEqual([]);
    expect(directives(unit, "Restart")).toEqual(["no"]);
  });

  it("keeps only the capabilities HAProxy needs to chroot and drop to its user", () => {
    expect(directives(unit, "CapabilityBoundingSet")).toEqual(["CAP_SETUID CAP_SETGID CAP_SYS_CHROOT"]);
    expect(directives(unit, "NoNewPrivileges")).toEqual(["yes"]);
  });

  it("refuses a config path with a space", () => {
    expect(() => renderS3HaproxyUnit({ config: "/etc/haproxy/a b.cfg" })).toThrow(new Error(`renderS3HaproxyUnit: config: expected an absolute path of letters, digits, '.', '_' and '-' (no '.' or '..' segments), found "/etc/haproxy/a b.cfg"`));
  });
});
