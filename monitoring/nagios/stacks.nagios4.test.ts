import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseStack } from "../../components/spec/load";
import { stackFileName, stackText, STACKS } from "../../test/fixtures/specs";
import { fixtureTlsEndpoints } from "../../test/fixtures/monitoring-tls-endpoints";
import { monitoringPathsUnder } from "../paths";
import type { MonitoringPlan } from "../plan/types";
import { deriveMonitoringPlan } from "../plan/derive-monitoring-plan";
import { describeRun } from "../../test/support/require-tool";
import { makeRoot, nagiosVerify, testEngineOptions, totalErrors, writeFiles } from "../../test/fixtures/monitoring-engine/nagios-verify";
import { renderEngineFiles } from "./render-engine-files";
import { isEngineCheck } from "./render-standby";

// The real stacks' monitoring plans (the plan helper's deriveMonitoringPlan, TLS endpoints rebuilt from the
// tiers' pure plans), rendered for both monitoring VMs and read by Debian 12's nagios4 4.4.6.
function planOf(stack: string): MonitoringPlan {
  const { spec, model } = parseStack(stackText(stack), stackFileName(stack), stack);
  return deriveMonitoringPlan(spec, model, fixtureTlsEndpoints(spec, model));
}

describe.each(STACKS)("stack %s: the engine files pass nagios4 -v", (stack) => {
  const plan = planOf(stack);

  it.each(plan.servers.map((s) => [s.vm, s.role] as const))("%s (%s): 0 errors, 0 warnings, every host and check", (vm, role) => {
    const root = makeRoot(`nagios-${stack}`);
    try {
      const paths = monitoringPathsUnder(root).engine;
      const files = renderEngineFiles(plan, vm, paths, { mysqlPassword: "s3cret" }, testEngineOptions());
      writeFiles(files, paths);
      const r = nagiosVerify(paths.mainConfig);
      expect(r.status, describeRun(r)).toBe(0);
      expect(totalErrors(r), describeRun(r)).toBe(0);
      expect(r.stdout, describeRun(r)).toMatch(/Total Warnings:\s+0\n/);
      expect(r.stdout).toContain(`Checked ${plan.hosts.length} hosts.`);
      // The plan checks every monitoring VM's engine itself; the standby adds one only when it does not.
      const active = plan.servers.find((s) => s.role === "active")?.vm ?? "";
      const standbyExtra = role === "standby" && !plan.checks.some((c) => isEngineCheck(c, active)) ? 1 : 0;
      expect(r.stdout).toContain(`Checked ${plan.checks.length + standbyExtra} services.`);
      // The takeover handler: on the active VM's host and its engine check, on the standby only.
      const handlers = files.flatMap((f) => [...f.content.matchAll(/^\s+event_handler\s+ibac-standby-takeover$/gm)].map(() => f.path.split("/").pop()));
      expect(handlers.sort()).toEqual(role === "standby" ? ["hosts.cfg", standbyExtra ? "standby.cfg" : "services.cfg"].sort() : []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
