import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import { servicePlan } from "../../test/fixtures/app-service-plans";
import { renderServiceUnit } from "./render-service-unit";
import type { ApplicationServicePlan } from "./service-plan";
import { directives, makeVmRoot } from "../../test/support/unit-root";

const API = servicePlan("api").plan;
const FRS = servicePlan("frs").plan;

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A temporary root that mirrors the VM: the unit, its env file and stubs where ExecStart= and ExecStartPre=
 * name programs (verify resolves them under --root; the operator's artifact does not exist here).
 */
function vmRoot(plan: ApplicationServicePlan, unit: string): string {
  return makeVmRoot("ibac-app-unit-", [
    { path: plan.paths.unitPath, text: unit, mode: 0o644 },
    { path: plan.paths.envFile, text: "IBAC_LISTEN_PORT='8443'\n", mode: 0o600 },
    { path: plan.paths.executable, text: "#!/bin/sh\nexit 0\n", mode: 0o755 },
    { path: "/usr/bin/install", text: "#!/bin/sh\nexit 0\n", mode: 0o755 },
  ], tempDirs);
}

function verify(plan: ApplicationServicePlan, root: string): ToolResult {
  const analyze = requireTool("systemd-analyze", "systemd");
  return runTool(analyze, ["verify", "--recursive-errors=no", "--man=no", `--root=${root}`, path.join(root, plan.paths.unitPath)]);
}

function exposure(plan: ApplicationServicePlan, root: string): { score: number; result: ToolResult } {
  const analyze = requireTool("systemd-analyze", "systemd");
  const result = runTool(analyze, ["security", "--offline=true", `--root=${root}`, "--no-pager", path.join(root, plan.paths.unitPath)]);
  const score = /Overall exposure level for \S+: ([0-9.]+)/.exec(result.stdout + result.stderr)?.[1];
  expect(score, describeRun(result)).toBeDefined();
  return { score: Number(score), result };
}

describe.each([
  ["api", API],
  ["frs", FRS],
])("renderServiceUnit (%s)", (tier, plan) => {
  const unit = renderServiceUnit(plan);

  it("systemd-analyze verify accepts the prod unit without a warning", () => {
    const result = verify(plan, vmRoot(plan, unit));
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout + result.stderr, describeRun(result)).toBe("");
  });

  it("systemd-analyze verify fails when the program the unit runs is missing (the check can fail)", () => {
    const root = vmRoot(plan, unit);
    fs.rmSync(path.join(root, plan.paths.executable));
    const result = verify(plan, root);
    expect(result.status, describeRun(result)).not.toBe(0);
    expect(result.stderr).toContain(plan.paths.executable);
  });

  it("systemd-analyze verify reports an unknown directive in a mutant (warnings are checked, not only the exit status)", () => {
    const result = verify(plan, vmRoot(plan, unit.replace("ProtectHome=yes", "ProtectHomes=yes")));
    expect(result.stdout + result.stderr).toMatch(/Unknown key 'ProtectHomes' in section \[Service\]/);
  });

  it("runs the artifact as its own system user, with the root-only env file, restarted on failure, at boot", () => {
    expect(directives(unit, "User")).toEqual([`ibac-${tier}`]);
    expect(directives(unit, "Group")).toEqual([`ibac-${tier}`]);
    expect(directives(unit, "EnvironmentFile")).toEqual([`/etc/default/ibac-${tier}`]);
    expect(directives(unit, "ExecStart")).toEqual([plan.paths.executable]);
    expect(directives(unit, "Restart")).toEqual(["on-failure"]);
    expect(directives(unit, "WantedBy")).toEqual(["multi-user.target"]);
  });

  it("is hardened: no capabilities, no new privileges, the system read-only, kernel and namespaces closed", () => {
    expect(directives(unit, "CapabilityBoundingSet")).toEqual([""]);
    expect(directives(unit, "AmbientCapabilities")).toEqual([""]);
    expect(directives(unit, "ProtectSystem")).toEqual(["strict"]);
    for (const key of ["NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
      "ProtectControlGroups", "RestrictNamespaces", "LockPersonality", "RestrictSUIDSGID"]) {
      expect(directives(unit, key), key).toEqual(["yes"]);
    }
    expect(directives(unit, "RestrictAddressFamilies")).toEqual(["AF_INET AF_INET6 AF_UNIX"]);
    expect(directives(unit, "SystemCallFilter")).toEqual(["@system-service", "~@privileged"]);
  });

  it("systemd-analyze security rates the unit's exposure OK (offline, on the rendered file)", () => {
    const { score, result } = exposure(plan, vmRoot(plan, unit));
    // 10 is fully exposed; systemd calls below 2.0 "OK" (both units score 1.4 with bookworm's systemd 252).
    expect(score, describeRun(result)).toBeLessThan(2);
    // The score reads the directives: without the sandbox the same unit is exposed (the measure can fail).
    const bare = unit.split("\n").filter((l) => !/^(Protect|Private|Restrict|SystemCall|NoNewPrivileges|CapabilityBoundingSet|LockPersonality)/.test(l)).join("\n");
    expect(exposure(plan, vmRoot(plan, bare)).score).toBeGreaterThan(5);
  });
});

describe("renderServiceUnit: what differs between the tiers", () => {
  it("API: writes nowhere", () => {
    const unit = renderServiceUnit(API);
    expect(directives(unit, "ReadWritePaths")).toEqual([]);
    expect(directives(unit, "RequiresMountsFor")).toEqual([]);
    expect(directives(unit, "ExecStartPre")).toEqual([]);
  });

  it("FRS: writes only its data directory, on the mounted data disk, made before each start", () => {
    const unit = renderServiceUnit(FRS);
    expect(directives(unit, "ReadWritePaths")).toEqual(["/srv/frs/data"]);
    expect(directives(unit, "RequiresMountsFor")).toEqual(["/srv/frs/data"]);
    expect(directives(unit, "ExecStartPre")).toEqual(["+/usr/bin/install -d -m 0750 -o ibac-frs -g ibac-frs /srv/frs/data"]);
  });

  it.each([
    ["an executable with a space", { paths: { ...API.paths, executable: "/usr/bin/ibac api" } }, "renderServiceUnit: executable: expected an absolute path"],
    ["an env file with a specifier", { paths: { ...API.paths, envFile: "/etc/default/%i" } }, "renderServiceUnit: envFile: expected an absolute path"],
    ["a user name with a line break", { user: "ibac-api\nUser=root" }, 'renderServiceUnit: user: expected a system user name such as minio-user, found "ibac-api\\nUser=root"'],
    ["a privileged port", { port: 443 }, "renderServiceUnit: port: expected 1024 or above (the service has no capability to bind a lower one), found 443"],
  ])("refuses %s", (_what, change, message) => {
    expect(() => renderServiceUnit({ ...API, ...change })).toThrow(message);
  });

  it("refuses an FRS data directory outside the data disk", () => {
    expect(() => renderServiceUnit({ ...FRS, frs: { mountPoint: "/srv", dataDir: "/var/lib/frs", localRetentionDays: 14 } })).toThrow(
      'renderServiceUnit: frs.dataDir: expected a path below /srv, found "/var/lib/frs"',
    );
  });
});
