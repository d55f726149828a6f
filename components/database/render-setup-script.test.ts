import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { PRODUCTION_DATABASE_PATHS } from "./paths";
import { renderSetupScript } from "./render-setup-script";
import { renderPackagesScript } from "./render-packages-script";

describe("renderSetupScript, checked by bash and shellcheck", () => {
  const scripts: [string, string, () => string][] = [
    ["the primary's bootstrap", "ibac-db-setup", () => renderSetupScript(PRODUCTION_DATABASE_PATHS, "primary")],
    ["the replica's bootstrap", "ibac-db-setup", () => renderSetupScript(PRODUCTION_DATABASE_PATHS, "replica")],
    ["the packages script", "ibac-db-packages", () => renderPackagesScript()],
  ];
  it.each(scripts)("%s parses and passes shellcheck", (_what, name, render) => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-setup-"));
    try {
      const file = path.join(dir, name);
      fs.writeFileSync(file, render());
      const syntax = runTool("bash", ["-n", file]);
      expect(syntax.status, describeRun(syntax)).toBe(0);
      const lint = runTool(shellcheck, ["-S", "warning", file]);
      expect(lint.status, describeRun(lint)).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps a freshly installed server off at boot until the setup script has initialised its datadir", () => {
    // A deployment interrupted between the option file and the setup script, then a reboot, must not leave a
    // server that fails to start on a datadir that does not exist yet.
    const packages = renderPackagesScript();
    expect(packages.indexOf("systemctl disable mariadb")).toBeGreaterThan(packages.indexOf("apt-get"));
    expect(packages.indexOf("systemctl disable mariadb")).toBeLessThan(packages.indexOf("\nfi"));
    const setup = renderSetupScript(PRODUCTION_DATABASE_PATHS, "primary");
    expect(setup.indexOf("systemctl enable mariadb")).toBeGreaterThan(setup.indexOf("mariadb-install-db"));
  });

  it.each([
    ["a VM from before keepalived: installs keepalived and its script user, leaves the running MariaDB enabled", "mariadb-server mariadb-client mariadb-backup", false,
      ["apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends keepalived", "useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin keepalived_script"]],
    ["a fresh VM: MariaDB (disabled until the setup script), then keepalived", "", false,
      ["apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends mariadb-server mariadb-client mariadb-backup", "systemctl disable mariadb", "apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends keepalived", "useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin keepalived_script"]],
    ["everything in place: nothing", "mariadb-server mariadb-client mariadb-backup keepalived", true, []],
  ])("the packages script on %s (stand-in dpkg-query, apt-get, systemctl, getent, useradd)", (_what, installed, userExists, expected) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-packages-"));
    try {
      const calls = path.join(dir, "calls");
      fs.mkdirSync(path.join(dir, "bin"));
      const stub = (name: string, body: string): void => fs.writeFileSync(path.join(dir, "bin", name), `#!/bin/bash
${body}
`, { mode: 0o755 });
      // dpkg-query -W -f=... PACKAGE: installed when PACKAGE is in the list.
      stub("dpkg-query", `case " ${installed} " in *" \${!#} "*) echo 'install ok installed' ;; *) exit 1 ;; esac`);
      for (const name of ["apt-get", "systemctl", "useradd"]) stub(name, `echo "${name} $*" >> '${calls}'`);
      stub("getent", userExists ? "echo 'keepalived_script:x:999:999::/nonexistent:/usr/sbin/nologin'" : "exit 2");
      const script = path.join(dir, "ibac-db-packages");
      fs.writeFileSync(script, renderPackagesScript(), { mode: 0o755 });
      const result = runTool("bash", [script], { env: { ...process.env, PATH: `${dir}/bin:/usr/bin:/bin` } });
      expect(result.status, describeRun(result)).toBe(0);
      expect(fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trimEnd().split("\n") : []).toEqual(expected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to apply setup SQL to a server whose role a runbook changed", () => {
    const script = renderSetupScript(PRODUCTION_DATABASE_PATHS, "replica");
    expect(script).toContain('if [ "$read_only" != "1" ]; then');
    expect(script).toContain("setup SQL not applied; set database.primary in the stack");
  });

  it("lets only the primary's first setup skip the semi-sync wait", () => {
    expect(renderSetupScript(PRODUCTION_DATABASE_PATHS, "primary")).toContain("SET GLOBAL rpl_semi_sync_master_enabled = OFF");
    expect(renderSetupScript(PRODUCTION_DATABASE_PATHS, "replica")).not.toContain("rpl_semi_sync_master_enabled");
  });
});
