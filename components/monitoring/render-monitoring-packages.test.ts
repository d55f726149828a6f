import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { AGENT_PACKAGES, monitoringVmPackages, renderAgentPackagesScript, renderMonitoringPackagesScript } from "./render-monitoring-packages";

// The packages scripts run for real in bash, against stand-ins for dpkg-query, apt-get, systemctl and getent
// that log their calls: what a fresh host and an up-to-date host each get.

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const bash = requireTool("bash", "bash");

interface Run { status: number | null; calls: string[]; output: string }

/** Runs `script` with every package in `installed` reported installed and the users in `users` existing. */
function runScript(script: string, installed: readonly string[], users: readonly string[]): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-mon-packages-"));
  tempDirs.push(dir);
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const log = path.join(dir, "calls.log");
  const fake = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $*" >> '${log}'\n${body}\n`, { mode: 0o755 });
  fake("dpkg-query", `case " ${installed.join(" ")} " in *" \${@: -1} "*) printf 'install ok installed';; *) exit 1;; esac`);
  fake("apt-get", "exit 0");
  fake("systemctl", "exit 0");
  fake("getent", `case " ${users.join(" ")} " in *" $2 "*) echo "$2:x:1:1::/:/bin/false";; *) exit 2;; esac`);
  const file = path.join(dir, "script");
  fs.writeFileSync(file, script, { mode: 0o755 });
  const run = runTool(bash, [file], { env: { PATH: `${bin}:/usr/bin:/bin` } });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter((l) => !l.startsWith("dpkg-query")) : [];
  return { status: run.status, calls, output: describeRun(run) };
}

describe("monitoring packages scripts (bash, with stand-in package tools)", () => {
  it("installs the nagios4 engine's packages and the agent's on a fresh monitoring VM, then enables both daemons", () => {
    const packages = monitoringVmPackages("nagios4");
    expect(packages).toEqual(["nagios4-core", "monitoring-plugins-standard", "liburiparser1", "monitoring-plugins-basic", "nagios-nrpe-plugin", "msmtp", "ca-certificates", "nagios-nrpe-server", "sudo"]);
    const run = runScript(renderMonitoringPackagesScript("nagios4", "ibac-monitoring-packages"), [], []);
    expect(run.status, run.output).toBe(0);
    expect(run.calls).toEqual([`apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${packages.join(" ")}`, "systemctl enable --quiet nagios4.service", "systemctl enable --quiet nagios-nrpe-server.service"]);
    expect(run.output).toContain(`ibac-monitoring-packages: installed ${packages.join(" ")}`);
  });

  it("installs nothing where every package is there already", () => {
    const run = runScript(renderMonitoringPackagesScript("nagios4", "ibac-monitoring-packages"), monitoringVmPackages("nagios4"), []);
    expect(run.status, run.output).toBe(0);
    expect(run.calls.filter((c) => c.startsWith("apt-get"))).toEqual([]);
  });

  it("installs all when one is missing (apt-get keeps the others as they are)", () => {
    const run = runScript(renderAgentPackagesScript("ibac-nrpe-packages"), AGENT_PACKAGES.filter((p) => p !== "sudo"), []);
    expect(run.status, run.output).toBe(0);
    expect(run.calls).toEqual([`apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${AGENT_PACKAGES.join(" ")}`, "systemctl enable --quiet nagios-nrpe-server.service"]);
  });

  it("with engine shinken installs the Debian part only and stops while Shinken (the site's own packages) is not installed", () => {
    const packages = monitoringVmPackages("shinken");
    expect(packages).not.toContain("nagios4-core");
    const script = renderMonitoringPackagesScript("shinken", "ibac-monitoring-packages");
    const without = runScript(script, [], []);
    expect(without.status, without.output).toBe(1);
    expect(without.output).toContain("ibac-monitoring-packages: engine shinken: no shinken user; install Shinken 2.4 (the site's own packages: Shinken is not in Debian) and deploy again");
    expect(without.calls).not.toContain("systemctl enable --quiet nagios4.service");
    const withShinken = runScript(script, packages, ["shinken"]);
    expect(withShinken.status, withShinken.output).toBe(0);
  });
});
