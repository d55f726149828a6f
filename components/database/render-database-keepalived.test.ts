import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { describeRun, type ToolResult } from "../../test/support/require-tool";
import { startKeepalivedCheck, type KeepalivedCheck } from "../../test/support/keepalived-check";
import { PRODUCTION_KEEPALIVED_PATHS, type KeepalivedPaths } from "../network/vrrp/keepalived-paths";
import { renderKeepalivedNotify } from "../network/vrrp/render-keepalived-notify";
import { PRODUCTION_LOCAL_SYSLOG } from "../logging/local-syslog";
import { PRODUCTION_DATABASE_PATHS } from "./paths";
import { renderDatabaseKeepalivedConf } from "./render-database-keepalived";
import { ROLE_CHECK_PATH, renderRoleCheckScript } from "./render-role-check";

// Proof: keepalived 2.2.7 (Debian 12) parses each prod database VM's file inside a network namespace with the
// guest's eth0, with the real rendered role check and notify script at the paths it names (their copies, under a
// root-owned directory). Unproven here: trixie's keepalived 2.3; the behaviour between peers is proven with real
// daemons in test/integration/database-vip.test.ts.

function prod() {
  const spec = stackSpec("prod");
  const { model } = buildModel(spec);
  if (!model) throw new Error("prod: no model");
  return { spec, model };
}

let check: KeepalivedCheck;
let dir = "";
let paths: KeepalivedPaths;
let roleCheck = "";
const configTest = (text: string, name: string): ToolResult => check.configTest(text, name);

beforeAll(() => {
  check = startKeepalivedCheck("ibac-dbka");
  ({ dir, paths } = check);
  roleCheck = path.join(dir, "role-check");
  fs.writeFileSync(paths.notifyScript, renderKeepalivedNotify(PRODUCTION_LOCAL_SYSLOG), { mode: 0o755 });
  fs.writeFileSync(roleCheck, renderRoleCheckScript(PRODUCTION_DATABASE_PATHS, { user: "keepalived_script", timeoutSeconds: 1 }), { mode: 0o755 });
});

afterAll(() => check?.stop());

describe("renderDatabaseKeepalivedConf, checked by keepalived -t in a namespace with eth0", () => {
  it.each(["db-1", "db-2"])("prod %s passes, tracking the real role check", (vm) => {
    const { spec, model } = prod();
    const result = configTest(renderDatabaseKeepalivedConf(model, spec, vm, paths, roleCheck), vm);
    expect(result.status, describeRun(result)).toBe(0);
    expect(`${result.stdout}${result.stderr}`, describeRun(result)).toBe("");
  });

  it("a mutant naming a role check that does not exist is reported", () => {
    const { spec, model } = prod();
    const result = configTest(renderDatabaseKeepalivedConf(model, spec, "db-1", paths, path.join(dir, "missing-check")), "missing");
    expect(result.status, describeRun(result)).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`, describeRun(result)).toContain("Disabling track script ibac_db_is_primary");
  });
});

describe("renderDatabaseKeepalivedConf: the prod db-1 file", () => {
  const { spec, model } = prod();
  const text = renderDatabaseKeepalivedConf(model, spec, "db-1", PRODUCTION_KEEPALIVED_PATHS, ROLE_CHECK_PATH);
  const lines = text.split("\n").map((l) => l.trim());

  it("holds the databasePrimary address on eth0, with db-2 as its one unicast peer", () => {
    const [db1, db2] = ["db-1", "db-2"].map((n) => model.vms.find((v) => v.name === n)?.nics[0].address);
    expect(lines).toContain(`${model.virtualIps.databasePrimary}/24 dev eth0`);
    expect(lines).toContain(`unicast_src_ip ${db1}`);
    expect(text).toContain(`unicast_peer {\n        ${db2}\n    }`);
    expect(lines).toContain("virtual_router_id 11");
  });

  it("tracks the role check: every second, killed after 2 s, 2 failures give the address up, 1 success takes it", () => {
    expect(text).toContain(`vrrp_script ibac_db_is_primary {\n    script "${ROLE_CHECK_PATH}"\n    interval 1\n    timeout 2\n    fall 2\n    rise 1\n}`);
    expect(text).toContain("track_script {\n        ibac_db_is_primary\n    }");
    // No weight: a failing check puts the instance in FAULT (no address), it does not only lower its priority.
    expect(text).not.toMatch(/\bweight\b/);
  });
});
