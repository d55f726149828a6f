import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monitoringPathsUnder, type EnginePaths } from "../paths";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { makeRoot } from "../../test/fixtures/monitoring-engine/nagios-verify";
import { freePort, makeTlsFiles, type TlsFiles } from "../../test/fixtures/monitoring-engine/tls-server";
import { commandLines, expand, resourceMacros } from "../../test/fixtures/monitoring-engine/expand-command";
import { renderCommands } from "./render-commands";
import { MONITOR_DB_USER, renderMysqlClientFile, renderResource } from "./render-resource";

// The MariaDB commands against a real mariadbd 10.11 on loopback with TLS and the monitoring account created
// REQUIRE SSL, as the database tier does: the option file gives the account, and its ssl-ca is what turns TLS
// on for check_mysql_query (which has no TLS option). Debian 12's plugins link libmariadb3 10.11 (Connector/C
// 3.3, no server name check by default; 3.4 in trixie checks it, so the database certificates name the address).
describe("the MariaDB checks against mariadbd over TLS (Debian 12: mariadb 10.11, plugins 2.3.3)", () => {
  const PASSWORD = "Mon1tor-pw";
  let root: string;
  let paths: EnginePaths;
  let tls: TlsFiles;
  let port: number;
  let server: ChildProcess | undefined;
  let commands: Map<string, string>;
  let resource: Map<string, string>;

  const sql = (statement: string): void => {
    execFileSync(requireTool("mariadb", "mariadb-client"), ["--no-defaults", `--socket=${root}/mysqld.sock`, "-uroot", "-e", statement], { stdio: "pipe" });
  };

  beforeAll(async () => {
    const mariadbd = requireTool("mariadbd", "mariadb-server");
    const install = requireTool("mariadb-install-db", "mariadb-server");
    root = makeRoot("mysql-checks");
    const tlsDir = path.join(root, "tls");
    fs.mkdirSync(tlsDir);
    tls = makeTlsFiles(tlsDir, "db-1.ibac.internal", 100, ["IP:127.0.0.1"]);
    paths = { ...monitoringPathsUnder(root).engine, caFile: tls.ca };
    const data = path.join(root, "data");
    execFileSync(install, ["--no-defaults", `--datadir=${data}`, "--user=root", "--auth-root-authentication-method=socket", "--skip-test-db"], { stdio: "pipe" });
    port = await freePort();
    const args = ["--no-defaults", `--datadir=${data}`, "--user=root", `--socket=${root}/mysqld.sock`, `--pid-file=${root}/mysqld.pid`, `--port=${port}`, "--bind-address=127.0.0.1,127.0.0.2", "--skip-log-bin", "--innodb-buffer-pool-size=16M", `--ssl-cert=${tls.cert}`, `--ssl-key=${tls.key}`, `--ssl-ca=${tls.ca}`];
    server = spawn(mariadbd, args, { stdio: "ignore" });
    const until = Date.now() + 20_000;
    for (;;) {
      try {
        sql("SELECT 1");
        break;
      } catch (err) {
        if (Date.now() > until || server.exitCode !== null) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    sql(`CREATE USER '${MONITOR_DB_USER}'@'127.0.0.%' IDENTIFIED BY '${PASSWORD}' REQUIRE SSL; GRANT USAGE, REPLICATION CLIENT ON *.* TO '${MONITOR_DB_USER}'@'127.0.0.%'`);
    fs.mkdirSync(path.dirname(paths.mysqlClientFile), { recursive: true });
    fs.writeFileSync(paths.mysqlClientFile, renderMysqlClientFile(paths, PASSWORD), { mode: 0o600 });
    commands = commandLines(renderCommands(paths));
    resource = resourceMacros(renderResource(paths));
  }, 60_000);

  afterAll(async () => {
    if (server?.pid !== undefined && server.exitCode === null) {
      process.kill(server.pid, "SIGTERM");
      await new Promise((r) => server?.once("exit", r));
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const check = (command: string) => runTool("sh", ["-c", expand(command, commands, resource, "127.0.0.1")], { timeout: 20_000 });

  it("connection: OK, over TLS with the option file's account", () => {
    requireTool("/usr/lib/nagios/plugins/check_mysql", "monitoring-plugins-standard");
    const r = check(`ibac-check-mysql!${port}`);
    expect(r.status, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/^Uptime: /);
  });

  it("read-only: @@read_only 0 is OK where 0 is expected, CRITICAL where 1 is", () => {
    const writable = check(`ibac-check-mysql-read-only!${port}!0:0`);
    expect(writable.status, describeRun(writable)).toBe(0);
    const replica = check(`ibac-check-mysql-read-only!${port}!1:1`);
    expect(replica.status, describeRun(replica)).toBe(2);
  });

  it("replication on a server that replicates nothing: CRITICAL (no slave)", () => {
    const r = check(`ibac-check-mysql-replication!${port}!30!120`);
    expect(r.status, describeRun(r)).toBe(2);
    expect(r.stdout).toMatch(/No slaves defined|Slave/i);
  });

  it("mutant: the option file without its ssl lines makes check_mysql_query plain text, which the REQUIRE SSL account refuses", () => {
    const plain = path.join(root, "plain.cnf");
    fs.writeFileSync(plain, renderMysqlClientFile(paths, PASSWORD).replace(/^ssl-.*$/gm, ""), { mode: 0o600 });
    const line = expand(`ibac-check-mysql-read-only!${port}!0:0`, commands, resource, "127.0.0.1").replace(paths.mysqlClientFile, plain);
    const r = runTool("sh", ["-c", line]);
    expect(r.status, describeRun(r)).toBe(2);
    expect(r.stdout).toMatch(/Access denied for user 'ibac_monitor'/);
  });

  /** The option file with another CA (and for `check_mysql`, -C too), or without ssl-verify-server-cert. */
  const variant = (name: string, change: (text: string) => string): string => {
    const file = path.join(root, name);
    fs.writeFileSync(file, change(renderMysqlClientFile(paths, PASSWORD)), { mode: 0o600 });
    return file;
  };
  const withFile = (command: string, file: string, ca = tls.ca): string =>
    expand(command, commands, resource, "127.0.0.1").replace(paths.mysqlClientFile, file).replace(` -C ${tls.ca}`, ` -C ${ca}`);

  it.each([`ibac-check-mysql`, `ibac-check-mysql-read-only`])("%s: a server certificate from another CA is refused", (name) => {
    const other = variant("other-ca.cnf", (t) => t.replace(tls.ca, tls.otherCa));
    const r = runTool("sh", ["-c", withFile(`${name}!${port}!0:0`, other, tls.otherCa)]);
    expect(r.status, describeRun(r)).toBe(2);
    expect(r.stdout, describeRun(r)).toMatch(/certificate|SSL|TLS/i);
  });

  it("the option file's ssl-ca is the one that counts: it overrides check_mysql's -C", () => {
    const other = variant("file-other-ca.cnf", (t) => t.replace(tls.ca, tls.otherCa));
    const r = runTool("sh", ["-c", withFile(`ibac-check-mysql!${port}`, other, tls.ca)]);
    expect(r.status, describeRun(r)).toBe(2);
    expect(r.stdout).toContain("TLS/SSL error: self-signed certificate in certificate chain");
  });

  it("mutant: the bare `ssl-verify-server-cert` (without =1) is ignored in an option file", () => {
    const bare = variant("bare.cnf", (t) => t.replace("ssl-verify-server-cert=1", "ssl-verify-server-cert"));
    const r = runTool("sh", ["-c", expand(`ibac-check-mysql!${port}`, commands, resource, "127.0.0.2").replace(paths.mysqlClientFile, bare)]);
    expect(r.status, describeRun(r)).toBe(0);
  });

  it("ssl-verify-server-cert=1: an address the certificate does not name is refused; the mutant without it connects", () => {
    // 127.0.0.2 reaches the same server, but the certificate names only 127.0.0.1 and db-1.ibac.internal.
    const strict = runTool("sh", ["-c", expand(`ibac-check-mysql!${port}`, commands, resource, "127.0.0.2")]);
    expect(strict.status, describeRun(strict)).toBe(2);
    expect(strict.stdout, describeRun(strict)).toContain("TLS/SSL error: Validation of SSL server certificate failed");
    const lax = variant("no-name-check.cnf", (t) => t.replace("ssl-verify-server-cert=1\n", ""));
    const r = runTool("sh", ["-c", expand(`ibac-check-mysql!${port}`, commands, resource, "127.0.0.2").replace(paths.mysqlClientFile, lax)]);
    expect(r.status, describeRun(r)).toBe(0);
  });
});
