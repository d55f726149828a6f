import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monitoringPathsUnder, type EnginePaths } from "../paths";
import type { MonitoringPlan } from "../plan/types";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { smallPlan } from "../../test/fixtures/monitoring-engine/small-plan";
import { makeRoot, writeFiles } from "../../test/fixtures/monitoring-engine/nagios-verify";
import { makeTlsFiles, freePort } from "../../test/fixtures/monitoring-engine/tls-server";
import { commandLines, expand, resourceMacros } from "../../test/fixtures/monitoring-engine/expand-command";
import { renderEngineFiles } from "./render-engine-files";
import { checkCommandFor } from "./render-commands";

// Every check's command line, as Nagios would run it, against a closed loopback port: each plugin must take
// its options (a usage error is UNKNOWN, 3) and report the refused connection as CRITICAL (2).
describe("Debian's plugins accept every rendered command line (monitoring-plugins 2.3.3, nagios-nrpe-plugin 4.1)", () => {
  let root: string;
  let paths: EnginePaths;
  let plan: MonitoringPlan;
  let port: number;

  beforeAll(async () => {
    root = makeRoot("nagios-plugins");
    port = await freePort();
    const tls = path.join(root, "tls");
    fs.mkdirSync(tls);
    const files = makeTlsFiles(tls, "mon-1.ibac.internal", 100);
    paths = { ...monitoringPathsUnder(root).engine, caFile: files.ca, clientCertFile: files.cert, clientKeyFile: files.key };
    plan = smallPlan();
    // Every port the closed one: nothing listens, so each check fails by connection, not by its options.
    plan.agents = plan.agents.map((a) => ({ ...a, port }));
    plan.checks = plan.checks.map((c) => ("port" in c.command ? { ...c, command: { ...c.command, port } } : c));
    writeFiles(renderEngineFiles(plan, "mon-2", paths, { mysqlPassword: "not-used" }), paths);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("covers every kind of check", () => {
    const kinds = new Set(plan.checks.map((c) => `${c.command.kind}${"check" in c.command ? `:${c.command.check}` : ""}${"tls" in c.command && c.command.tls ? ":tls" : ""}`));
    expect([...kinds].sort()).toEqual(["https", "mysql:connection", "mysql:read-only", "mysql:replication", "nrpe", "proxmox-api", "tcp", "tcp:tls"]);
  });

  it("every check: CRITICAL for the refused connection, no usage error", () => {
    requireTool("/usr/lib/nagios/plugins/check_nrpe", "nagios-nrpe-plugin");
    requireTool("/usr/lib/nagios/plugins/check_mysql", "monitoring-plugins-standard");
    const commands = commandLines(fs.readFileSync(`${paths.objectsDir}/commands.cfg`, "utf8"));
    const resource = resourceMacros(fs.readFileSync(paths.resourceFile, "utf8"));
    const agentPorts = new Map(plan.agents.map((a) => [a.host, a.port]));
    const seen = new Set<string>();
    for (const check of plan.checks) {
      const command = checkCommandFor(check, agentPorts.get(check.host));
      const name = command.split("!")[0];
      if (seen.has(command)) continue;
      seen.add(command);
      const line = expand(command, commands, resource, "127.0.0.1");
      const r = runTool("sh", ["-c", line], { timeout: 30_000 });
      const said = `${name}: ${describeRun(r)}`;
      expect(r.stdout + r.stderr, said).not.toMatch(/usage|unknown argument|invalid option|unrecognized option/i);
      expect(r.status, said).toBe(2);
    }
    expect(seen.size).toBeGreaterThanOrEqual(8);
  });
});
