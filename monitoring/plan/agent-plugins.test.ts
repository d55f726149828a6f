import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseStack } from "../../components/spec/load";
import { stackFileName, stackText } from "../../test/fixtures/specs";
import { PRODUCTION_MONITORING_PATHS } from "../paths";
import { deriveMonitoringPlan } from "./derive-monitoring-plan";

// The agents' commands that run Debian's plugins, run here exactly as planned (argv, no shell): a plugin that
// does not understand its arguments answers UNKNOWN (3) with its usage, so 0-2 and the plugin's own status
// line prove the arguments. Covers bookworm's monitoring-plugins 2.3.3.
const { spec, model } = parseStack(stackText("prod"), stackFileName("prod"), "prod");
const plan = deriveMonitoringPlan(spec, model, []);
const pluginDir = `${PRODUCTION_MONITORING_PATHS.engine.pluginDir}/`;
const pluginCommands = [...new Map(plan.agents.flatMap((a) => a.commands).filter((c) => c.argv[0].startsWith(pluginDir)).map((c) => [c.name, c])).values()];
const STATUS_LINE: Record<string, RegExp> = { ibac_load: /^LOAD (OK|WARNING|CRITICAL) - /, ibac_disk: /^DISK (OK|WARNING|CRITICAL) - /, ibac_updates: /^APT (OK|WARNING|CRITICAL): / };

describe("the agents' Debian plugin commands take their planned arguments", () => {
  it("plans exactly the load, disk and security-update plugins", () => {
    expect(pluginCommands.map((c) => c.name).sort()).toEqual(Object.keys(STATUS_LINE).sort());
  });

  it.each(pluginCommands.map((c) => [c.name, c] as const))("%s answers a status, not its usage", (name, command) => {
    if (!fs.existsSync(command.argv[0])) throw new Error(`${command.argv[0]} is missing: install the Debian package monitoring-plugins-basic`);
    const run = spawnSync(command.argv[0], command.argv.slice(1), { encoding: "utf8", timeout: 60_000 });
    expect(run.error).toBeUndefined();
    expect([0, 1, 2], `${name}: exit ${run.status}: ${run.stdout}${run.stderr}`).toContain(run.status);
    expect(run.stdout).toMatch(STATUS_LINE[name]);
  });
});
