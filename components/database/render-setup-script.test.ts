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
