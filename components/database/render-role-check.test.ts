import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { PRODUCTION_DATABASE_PATHS } from "./paths";
import { renderRoleCnf, type ServerRole } from "./render-my-cnf";
import { renderRoleCheckScript } from "./render-role-check";

describe("renderRoleCheckScript, checked by bash and shellcheck", () => {
  it("parses and passes shellcheck", () => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-role-check-"));
    try {
      const file = path.join(dir, "ibac-db-role-check");
      fs.writeFileSync(file, renderRoleCheckScript(PRODUCTION_DATABASE_PATHS, { user: "keepalived_script", timeoutSeconds: 1 }));
      const syntax = runTool("bash", ["-n", file]);
      expect(syntax.status, describeRun(syntax)).toBe(0);
      const lint = runTool(shellcheck, ["-S", "style", file]);
      expect(lint.status, describeRun(lint)).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("asks the local server over its socket as the passwordless account, with no option file", () => {
    const script = renderRoleCheckScript(PRODUCTION_DATABASE_PATHS, { user: "keepalived_script", timeoutSeconds: 1 });
    expect(script).toContain("mariadb --no-defaults --protocol=socket --socket=/run/mysqld/mysqld.sock");
    expect(script).toContain("--user=keepalived_script");
    expect(script).not.toMatch(/password|--host|-h /);
    expect(script).toContain("timeout -k 1 1 mariadb");
  });

  it.each([
    [{ user: "Bad User", timeoutSeconds: 1 }, 'role check: a Unix user name, found "Bad User"'],
    [{ user: "nobody", timeoutSeconds: 0 }, "role check: a timeout of 1 to 60 s, found 0"],
    [{ user: "nobody", timeoutSeconds: 1.5 }, "role check: a timeout of 1 to 60 s, found 1.5"],
  ])("refuses %j", (options, message) => {
    expect(() => renderRoleCheckScript(PRODUCTION_DATABASE_PATHS, options)).toThrow(message);
  });
});

/**
 * The script's decisions, with a stand-in `mariadb` on PATH that prints what a server would answer (or
 * hangs, or fails): only the script's logic. The real servers answer in test/integration/database-vip.test.ts.
 */
describe("renderRoleCheckScript's decision, with a stand-in mariadb client (logic only)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-role-check-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: { what: string; role: ServerRole | "none"; client: string; primary: boolean }[] = [
    { what: "the primary: role file primary, writable, replicates from nobody", role: "primary", client: "printf '0\\tOFF\\n'", primary: true },
    { what: "a replica", role: "replica", client: "printf '1\\tON\\n'", primary: false },
    { what: "a replica made writable by hand (its role file says replica)", role: "replica", client: "printf '0\\tOFF\\n'", primary: false },
    { what: "a fenced former primary", role: "fenced", client: "printf '1\\tOFF\\n'", primary: false },
    { what: "a promotion half done: role file primary, still read-only", role: "primary", client: "printf '1\\tOFF\\n'", primary: false },
    { what: "writable but still replicating", role: "primary", client: "printf '0\\tON\\n'", primary: false },
    { what: "a server that does not answer (client error)", role: "primary", client: "echo 'ERROR 2002' >&2; exit 1", primary: false },
    { what: "a hung server (the client never returns): the time limit", role: "primary", client: "exec sleep 30", primary: false },
    { what: "no role file", role: "none", client: "printf '0\\tOFF\\n'", primary: false },
  ];
  it.each(cases)("$what -> primary: $primary", ({ what, role, client, primary }) => {
    const caseDir = fs.mkdtempSync(path.join(dir, "case-"));
    const roleCnf = path.join(caseDir, "role.cnf");
    if (role !== "none") fs.writeFileSync(roleCnf, renderRoleCnf(role, { semiSyncEnabled: true }));
    fs.mkdirSync(path.join(caseDir, "bin"));
    fs.writeFileSync(path.join(caseDir, "bin", "mariadb"), `#!/bin/bash\n${client}\n`, { mode: 0o755 });
    const script = path.join(caseDir, "check");
    fs.writeFileSync(script, renderRoleCheckScript({ socket: path.join(caseDir, "none.sock"), roleCnf }, { user: "nobody", timeoutSeconds: 1 }), { mode: 0o755 });
    const started = Date.now();
    const result = runTool("bash", [script], { env: { ...process.env, PATH: `${caseDir}/bin:${process.env.PATH ?? ""}` } });
    expect(result.status, `${what}: ${describeRun(result)}`).toBe(primary ? 0 : 1);
    expect(Date.now() - started, "within the time limit and the kill grace").toBeLessThan(2900);
  });
});
