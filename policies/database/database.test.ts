import { describe, expect, it } from "vitest";
import type { PolicyResource } from "@pulumi/policy";
import { findingsOf, mutate, remove, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { databaseReplicaReadOnlyPolicy } from "./replica-read-only";
import { databaseReplicationSecurePolicy } from "./replication-secure";
import { databaseSemiSyncPolicy } from "./semi-sync";
import { stagingPath } from "../../components/vm/deliver";

const ROLE_CNF = "/etc/mysql/mariadb.conf.d/70-ibac-role.cnf";
const SERVER_CNF = "/etc/mysql/mariadb.conf.d/60-ibac.cnf";
const SETUP_SQL = "/etc/mysql/ibac-setup.sql";

describe("database policies on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("database-replica-read-only: prod passes; a writable replica fails, naming db-2's role file", async () => {
    expect(await findingsOf(databaseReplicaReadOnlyPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "db-2", ROLE_CNF, (t) => t.replace("read_only = ON", "read_only = OFF"));
    const findings = await findingsOf(databaseReplicaReadOnlyPolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({ subject: "read_only of db-2 (replica)", observed: "read_only = OFF", expected: "read_only = ON (the replica refuses writes)", location: ROLE_CNF }),
    ]);
    expect(findings[0].urn).toContain("db-2-config-copy-etc-mysql-mariadb-conf-d-70-ibac-role-cnf");
  });

  it("database-replica-read-only: an option file read after the role file that turns read_only off fails", async () => {
    const resources = await stackResources("prod");
    const role = resources.find((r) => r.name === "db-2-config-copy-etc-mysql-mariadb-conf-d-70-ibac-role-cnf");
    if (!role) throw new Error("prod has no role file for db-2");
    const late = "/etc/mysql/mariadb.conf.d/99-local.cnf";
    resources.push({ ...role, name: "db-2-config-copy-99-local", urn: `${role.urn}-99-local`, props: { ...role.props, remotePath: stagingPath(late), source: { text: "[mysqld]\nread-only = 0\n" } } });
    expect(await findingsOf(databaseReplicaReadOnlyPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "read_only of db-2 (replica)", observed: `read_only = 0 in ${late}, read after the role file`, location: late }),
    ]);
  });

  it("database-replica-read-only: a role file that skips read_only fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-2", ROLE_CNF, (t) => `${t}[mariadb]\nskip-read-only\n`);
    expect(await findingsOf(databaseReplicaReadOnlyPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "read_only of db-2 (replica)", observed: "skip_read_only", location: ROLE_CNF }),
    ]);
  });

  it("database-replica-read-only: a role file not delivered fails, one whose text is unknown until `pulumi up` does not", async () => {
    const isRoleCopy = (r: PolicyResource) => r.name === "db-2-config-copy-etc-mysql-mariadb-conf-d-70-ibac-role-cnf";
    expect(await findingsOf(databaseReplicaReadOnlyPolicy(), remove(await stackResources("prod"), isRoleCopy))).toEqual([
      expect.objectContaining({ subject: "read_only of db-2 (replica)", observed: "no role file delivered", location: ROLE_CNF }),
    ]);
    // Under `pulumi preview` of a new stack a file rendered from outputs is an unknown asset: not "missing".
    const preview = mutate(await stackResources("prod"), isRoleCopy, (r) => { delete r.props.source; });
    expect(await findingsOf(databaseReplicaReadOnlyPolicy(), preview)).toEqual([]);
  });

  it("database-replication-secure: prod passes; a replica that does not verify the primary's certificate fails", async () => {
    expect(await findingsOf(databaseReplicationSecurePolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "db-2", SETUP_SQL, (t) => t.replace("MASTER_SSL_VERIFY_SERVER_CERT = 1", "MASTER_SSL_VERIFY_SERVER_CERT = 0"));
    expect(await findingsOf(databaseReplicationSecurePolicy(), resources)).toEqual([
      expect.objectContaining({
        subject: "replication of db-2 from its primary",
        observed: "MASTER_SSL_VERIFY_SERVER_CERT = 0",
        expected: "MASTER_SSL_VERIFY_SERVER_CERT = 1 (the primary's certificate is verified)",
        location: `${SETUP_SQL}: CHANGE MASTER TO MASTER_SSL_VERIFY_SERVER_CERT`,
      }),
    ]);
  });

  it("database-replication-secure: a replication account without REQUIRE SSL fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-1", SETUP_SQL, (t) => t.replace(/(CREATE USER IF NOT EXISTS 'ibac_repl'@'[^']+' IDENTIFIED BY '[^']*') REQUIRE SSL;/, "$1;"));
    expect(await findingsOf(databaseReplicationSecurePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "replication account ibac_repl@10.20.2.0/255.255.255.0", observed: "CREATE USER without REQUIRE (plain-text connections accepted)", expected: "REQUIRE SSL (or X509)", location: SETUP_SQL }),
    ]);
  });

  it("database-replication-secure: gtid_strict_mode off on the primary fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-1", SERVER_CNF, (t) => t.replace("gtid_strict_mode = ON", "gtid_strict_mode = OFF"));
    expect(await findingsOf(databaseReplicationSecurePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "GTID mode of db-1", observed: "gtid_strict_mode = OFF", expected: "gtid_strict_mode = ON", location: SERVER_CNF }),
    ]);
  });

  it("declares the names and requirement ids the catalogue refers to", () => {
    expect([databaseReplicaReadOnlyPolicy(), databaseReplicationSecurePolicy()].map(({ name, requirements, severity, enforcementLevel }) => ({ name, requirements, severity, enforcementLevel }))).toEqual([
      { name: "database-replica-read-only", requirements: ["IBAC-DB-001"], severity: "high", enforcementLevel: "mandatory" },
      { name: "database-replication-secure", requirements: ["IBAC-DB-002"], severity: "high", enforcementLevel: "mandatory" },
    ]);
  });

  it.each(["staging", "lab"])("%s passes both database policies", async (stack) => {
    const resources = await stackResources(stack);
    expect(await findingsOf(databaseReplicaReadOnlyPolicy(), resources)).toEqual([]);
    expect(await findingsOf(databaseReplicationSecurePolicy(), resources)).toEqual([]);
  });

  it("database-semi-sync: prod, staging and lab pass from their rendered option files", async () => {
    for (const stack of ["prod", "staging", "lab"]) expect(await findingsOf(databaseSemiSyncPolicy(), await stackResources(stack)), stack).toEqual([]);
  });

  it("database-semi-sync: a replica that does not acknowledge fails, naming its role file", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-2", ROLE_CNF, (t) => t.replace("rpl_semi_sync_slave_enabled = ON", "rpl_semi_sync_slave_enabled = OFF"));
    expect(await findingsOf(databaseSemiSyncPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "semi-synchronous replication on db-2 (replica)", observed: `rpl_semi_sync_slave_enabled = OFF in ${ROLE_CNF}`, expected: "rpl_semi_sync_slave_enabled = ON", location: ROLE_CNF }),
    ]);
  });

  it("database-semi-sync: the AFTER_COMMIT wait point on the primary fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-1", SERVER_CNF, (t) => t.replace("rpl_semi_sync_master_wait_point = AFTER_SYNC", "rpl_semi_sync_master_wait_point = AFTER_COMMIT"));
    expect(await findingsOf(databaseSemiSyncPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "semi-sync wait point on db-1 (primary)", observed: `rpl_semi_sync_master_wait_point = AFTER_COMMIT in ${SERVER_CNF}` }),
    ]);
  });
});
