import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { renderMinioUnit } from "./render-minio-unit";
import { renderMinioEnv } from "./render-minio-env";
import { MINIO_BINARY, MINIO_ENV_FILE, MINIO_UNIT_PATH } from "./minio-paths";
import { storageStack } from "../../test/fixtures/storage-stacks";
import { directives, makeVmRoot } from "../../test/support/unit-root";

const STACK = storageStack("prod");
const PROD = STACK.plan.service;
const RELEASE = STACK.spec.objectStore.minio.release;

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary root that mirrors a storage VM: the unit, its env file and a stub binary where ExecStart= names it. */
function vmRoot(unit: string): string {
  return makeVmRoot("ibac-minio-unit-", [
    { path: MINIO_UNIT_PATH, text: unit, mode: 0o644 },
    { path: MINIO_ENV_FILE, text: renderMinioEnv(PROD, { rootUser: "ibac-root", rootPassword: "abcdefgh12345678" }), mode: 0o600 },
    { path: MINIO_BINARY, text: "#!/bin/sh\nexit 0\n", mode: 0o755 },
    { path: "/usr/bin/install", text: "#!/bin/sh\nexit 0\n", mode: 0o755 },
  ], tempDirs);
}

function verify(root: string): ReturnType<typeof runTool> {
  const analyze = requireTool("systemd-analyze", "systemd");
  return runTool(analyze, ["verify", "--recursive-errors=no", "--man=no", `--root=${root}`, path.join(root, MINIO_UNIT_PATH)]);
}

describe("renderMinioUnit", () => {
  const unit = renderMinioUnit(PROD, { release: RELEASE });

  it("systemd-analyze verify accepts the prod unit without a warning", () => {
    const result = verify(vmRoot(unit));
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout + result.stderr, describeRun(result)).toBe("");
  });

  it("systemd-analyze verify fails when the binary the unit runs is missing (the check can fail)", () => {
    const root = vmRoot(unit);
    fs.rmSync(path.join(root, MINIO_BINARY));
    const result = verify(root);
    expect(result.status, describeRun(result)).not.toBe(0);
    expect(result.stderr).toContain("/usr/local/bin/minio");
  });

  it("systemd-analyze verify reports an unknown directive in a mutant (warnings are checked, not only the exit status)", () => {
    const result = verify(vmRoot(unit.replace("NoNewPrivileges=yes", "NoNewPrivilege=yes")));
    expect(result.stdout + result.stderr).toMatch(/Unknown key 'NoNewPrivilege' in section \[Service\]/);
  });

  it("runs minio server as its own user with the env file's options and volume", () => {
    expect(directives(unit, "User")).toEqual(["minio-user"]);
    expect(directives(unit, "Group")).toEqual(["minio-user"]);
    expect(directives(unit, "EnvironmentFile")).toEqual([MINIO_ENV_FILE]);
    expect(directives(unit, "ExecStart")).toEqual(["/usr/local/bin/minio server $MINIO_OPTS $MINIO_VOLUMES"]);
    // Its data directory, made on the mounted volume before each start, with full privileges ("+") only there.
    expect(directives(unit, "ExecStartPre")).toEqual(["+/usr/bin/install -d -m 0750 -o minio-user -g minio-user /srv/minio/data"]);
  });

  it("leaves start, stop and recovery to Pacemaker: no [Install], no restart, fails its start without the volume", () => {
    expect(unit).not.toContain("[Install]");
    expect(directives(unit, "WantedBy")).toEqual([]);
    expect(directives(unit, "Restart")).toEqual(["no"]);
    expect(directives(unit, "AssertPathIsMountPoint")).toEqual(["/srv/minio"]);
    expect(directives(unit, "ConditionPathIsMountPoint")).toEqual([]);
  });

  it("is hardened: no privileges, the system read-only but for the volume", () => {
    expect(directives(unit, "NoNewPrivileges")).toEqual(["yes"]);
    expect(directives(unit, "CapabilityBoundingSet")).toEqual([""]);
    expect(directives(unit, "ProtectSystem")).toEqual(["strict"]);
    expect(directives(unit, "ReadWritePaths")).toEqual(["/srv/minio"]);
    for (const key of ["ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups"]) {
      expect(directives(unit, key), key).toEqual(["yes"]);
    }
    expect(directives(unit, "RestrictAddressFamilies")).toEqual(["AF_INET AF_INET6 AF_UNIX AF_NETLINK"]);
    expect(directives(unit, "LimitNOFILE")).toEqual(["65536"]);
  });

  it("systemd-analyze security rates the unit's exposure low (offline, on the rendered file)", () => {
    const analyze = requireTool("systemd-analyze", "systemd");
    const root = vmRoot(unit);
    const result = runTool(analyze, ["security", "--offline=true", `--root=${root}`, "--no-pager", path.join(root, MINIO_UNIT_PATH)]);
    const score = /Overall exposure level for \S+: ([0-9.]+)/.exec(result.stdout + result.stderr)?.[1];
    expect(score, describeRun(result)).toBeDefined();
    // 10 is fully exposed; systemd calls below 2.0 "OK" (the prod unit scores 1.6 with bookworm's systemd 252).
    expect(Number(score), describeRun(result)).toBeLessThan(2);
  });

  it.each([
    ["a binary path with a space", { binary: "/opt/my minio" }, "renderMinioUnit: binary: expected an absolute path"],
    ["an env file path with a specifier", { envFile: "/etc/default/%i" }, "renderMinioUnit: envFile: expected an absolute path"],
  ])("refuses %s", (_what, opts, message) => {
    expect(() => renderMinioUnit(PROD, { release: RELEASE, ...opts })).toThrow(message);
  });

  it("waits for MinIO's readiness (Type=notify) from the release that sends it, and takes an older one as started at exec", () => {
    expect(RELEASE).toBe("RELEASE.2025-09-07T16-13-09Z");
    expect(directives(unit, "Type")).toEqual(["notify"]);
    expect(directives(renderMinioUnit(PROD, { release: "RELEASE.2023-05-04T21-44-30Z" }), "Type")).toEqual(["notify"]);
    expect(directives(renderMinioUnit(PROD, { release: "RELEASE.2023-04-28T18-11-17Z" }), "Type")).toEqual(["simple"]);
    expect(() => renderMinioUnit(PROD, { release: "latest" })).toThrow('renderMinioUnit: release: expected a release such as RELEASE.2025-09-07T16-13-09Z, found "latest"');
  });

  it("refuses a mount point a unit would read as a specifier", () => {
    expect(() => renderMinioUnit({ ...PROD, mountPoint: "/srv/%h", dataDir: "/srv/%h/data" }, { release: RELEASE })).toThrow("renderMinioUnit: service.mountPoint: expected an absolute path");
  });
});
