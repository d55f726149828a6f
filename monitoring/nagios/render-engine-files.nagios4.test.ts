import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { monitoringPathsUnder, type EnginePaths } from "../paths";
import type { MonitoringFile } from "../plan/types";
import { describeRun } from "../../test/support/require-tool";
import { smallPlan } from "../../test/fixtures/monitoring-engine/small-plan";
import { makeRoot, nagiosVerify, testEngineOptions, totalErrors, writeFiles } from "../../test/fixtures/monitoring-engine/nagios-verify";
import { renderEngineFiles } from "./render-engine-files";

/** Renders `vm`'s files under a fresh root, lets `damage` change them, runs nagios4 -v. */
function verify(vm: string, damage: (files: MonitoringFile[], paths: EnginePaths) => void = () => {}) {
  const root = makeRoot("nagios-verify");
  try {
    const paths = monitoringPathsUnder(root).engine;
    const files = renderEngineFiles(smallPlan(), vm, paths, { mysqlPassword: "s3cret" }, testEngineOptions());
    damage(files, paths);
    writeFiles(files, paths);
    return nagiosVerify(paths.mainConfig);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function edit(files: MonitoringFile[], path: string, change: (text: string) => string): void {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no file ${path}`);
  file.content = change(file.content);
}

describe("renderEngineFiles, checked by nagios4 -v (Debian 12's Nagios 4.4.6)", () => {
  it.each([
    ["mon-1", "active"],
    ["mon-2", "standby"],
  ])("%s (%s): 0 errors, 0 warnings, every object read", (vm) => {
    const result = verify(vm);
    expect(result.status, describeRun(result)).toBe(0);
    expect(totalErrors(result), describeRun(result)).toBe(0);
    expect(result.stdout, describeRun(result)).toMatch(/Total Warnings:\s+0\n/);
    const plan = smallPlan();
    const services = plan.checks.length + (vm === "mon-2" ? 1 : 0);
    expect(result.stdout).toContain(`Checked ${services} services.`);
    expect(result.stdout).toContain(`Checked ${plan.hosts.length} hosts.`);
  });

  it("mutant: an unknown directive in an object fails", () => {
    const result = verify("mon-1", (files, paths) => edit(files, `${paths.objectsDir}/hosts.cfg`, (t) => t.replace("    _KIND", "    frobnicate 1\n    _KIND")));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/Error: Invalid host object directive 'frobnicate'/);
  });

  it("mutant: a service on an unknown host fails", () => {
    const result = verify("mon-1", (files, paths) => edit(files, `${paths.objectsDir}/services.cfg`, (t) => t.replace("host_name                      api-1", "host_name                      api-9")));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Error: Could not find any host matching 'api-9'");
  });

  it("mutant: a Shinken-only key (spare) in an object fails", () => {
    const result = verify("mon-1", (files, paths) => edit(files, `${paths.objectsDir}/hosts.cfg`, (t) => t.replace("    _KIND", "    realm                          All\n    _KIND")));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/Error: Invalid host object directive 'realm'/);
  });
});
