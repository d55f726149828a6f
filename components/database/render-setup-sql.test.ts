import { describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { planDatabase } from "./topology";
import { renderPrimarySetupSql, renderReplicaSetupSql, sqlString, type AccountPasswords } from "./render-setup-sql";

const passwords: AccountPasswords = { replication: "r-pw", application: "a-pw", backup: "b-pw", binlogCapture: "l-pw", monitoring: "m-pw" };

function topology() {
  const spec = stackSpec("prod");
  const { model } = buildModel(spec);
  if (!model) throw new Error("no model");
  return planDatabase(model, spec);
}

describe("renderPrimarySetupSql", () => {
  const sql = renderPrimarySetupSql(topology(), passwords);

  it("gives the backup account exactly what mariabackup needs", () => {
    expect(sql).toContain("GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'ibac_backup'@'localhost';");
  });

  it("requires TLS for the replication account and limits it to the service network", () => {
    expect(sql).toContain("CREATE USER IF NOT EXISTS 'ibac_repl'@'10.20.2.0/255.255.255.0' IDENTIFIED BY 'r-pw' REQUIRE SSL;");
    expect(sql).toContain("GRANT REPLICATION SLAVE ON *.* TO 'ibac_repl'@'10.20.2.0/255.255.255.0';");
  });

  it("never gives the application account READ ONLY ADMIN or any global privilege", () => {
    const appLines = sql.split("\n").filter((l) => l.includes("'ibac_app'"));
    expect(appLines.some((l) => l.startsWith("GRANT SELECT, INSERT, UPDATE, DELETE ON `ibac`.*"))).toBe(true);
    expect(appLines.filter((l) => l.includes("ON *.*"))).toEqual([]);
    expect(sql).not.toContain("READ ONLY ADMIN");
  });
});

describe("the role check's account", () => {
  it("is keepalived's script user over the socket: unix_socket, no password, no privilege, on the primary (replicas get it by replication)", () => {
    const sql = renderPrimarySetupSql(topology(), passwords);
    const lines = sql.split("\n").filter((l) => l.includes("'keepalived_script'"));
    expect(lines).toEqual([
      "CREATE USER IF NOT EXISTS 'keepalived_script'@'localhost' IDENTIFIED VIA unix_socket;",
      "ALTER USER 'keepalived_script'@'localhost' IDENTIFIED VIA unix_socket;",
    ]);
    expect(renderReplicaSetupSql(topology(), "r-pw", "/etc/mysql/tls/ca.pem")).not.toContain("keepalived_script");
  });
});

describe("renderReplicaSetupSql", () => {
  it("starts GTID replication with the primary's certificate verified", () => {
    const sql = renderReplicaSetupSql(topology(), "r-pw", "/etc/mysql/tls/ca.pem");
    expect(sql).toContain(`MASTER_HOST = '${topology().primary.address}'`);
    expect(sql).toContain("MASTER_USE_GTID = slave_pos");
    expect(sql).toContain("MASTER_SSL_VERIFY_SERVER_CERT = 1");
    expect(sql.trim().endsWith("START SLAVE;")).toBe(true);
    expect(sql).not.toContain("MASTER_SSL_CRL");
    expect(renderReplicaSetupSql(topology(), "r-pw", "/etc/mysql/tls/ca.pem", "/etc/mysql/tls/crl.pem")).toContain("  MASTER_SSL_CRL = '/etc/mysql/tls/crl.pem',\n");
  });
});

describe("sqlString", () => {
  it("escapes quotes and backslashes", () => {
    expect(sqlString("a'b\\c")).toBe("'a\\'b\\\\c'");
  });
});
