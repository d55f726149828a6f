import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec, STACKS } from "../../test/fixtures/specs";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { PRODUCTION_DATABASE_PATHS, type DatabasePaths } from "./paths";
import { planDatabase, mariadbHostPattern, type DatabaseTopology } from "./topology";
import { renderRoleCnf, renderServerCnf, type ServerRole } from "./render-my-cnf";

function topologyOf(stack: string): DatabaseTopology {
  const spec = stackSpec(stack);
  const { model } = buildModel(spec);
  if (!model) throw new Error(`${stack} has no model`);
  return planDatabase(model, spec);
}

/** The option values mariadbd itself derives from a file (`--help --verbose` parses every option, like a start). */
function effectiveOptions(mariadbd: string, file: string): Map<string, string> {
  const result = runTool(mariadbd, [`--defaults-file=${file}`, "--help", "--verbose"]);
  expect(result.status, describeRun(result)).toBe(0);
  const options = new Map<string, string>();
  let inTable = false;
  for (const line of result.stdout.split("\n")) {
    if (/^-{10,}/.test(line)) inTable = true;
    else if (inTable) {
      const m = /^(\S+)\s+(.*)$/.exec(line);
      if (m) options.set(m[1], m[2].trim());
    }
  }
  return options;
}

describe("renderServerCnf and renderRoleCnf, read by the real mariadbd", () => {
  let mariadbd: string;
  let dir: string;

  beforeAll(() => {
    mariadbd = requireTool("mariadbd", "mariadb-server");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-mycnf-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function writeServer(topology: DatabaseTopology, serverIndex: number, role: ServerRole): string {
    const server = [topology.primary, ...topology.replicas][serverIndex];
    const paths: DatabasePaths = { ...PRODUCTION_DATABASE_PATHS, roleCnf: path.join(dir, `${server.name}-${role}-role.cnf`) };
    const serverFile = path.join(dir, `${server.name}-${role}.cnf`);
    fs.writeFileSync(serverFile, renderServerCnf(server, topology, paths));
    fs.writeFileSync(paths.roleCnf, renderRoleCnf(role, { semiSyncEnabled: topology.replication.semiSync.enabled }));
    return serverFile;
  }

  for (const stack of STACKS) {
    it(`${stack}: every database server's files parse and give the durability and replication settings`, () => {
      const topology = topologyOf(stack);
      [topology.primary, ...topology.replicas].forEach((server, i) => {
        const o = effectiveOptions(mariadbd, writeServer(topology, i, server.role));
        expect(o.get("server-id")).toBe(String(server.serverId));
        // Its own address and the databasePrimary address, as mariadbd reads them (10.11 takes a list).
        expect(o.get("bind-address")).toBe(`${server.address},${topology.service.address}`);
        expect(o.get("gtid-strict-mode")).toBe("TRUE");
        expect(o.get("binlog-format")).toBe("ROW");
        expect(o.get("sync-binlog")).toBe("1");
        expect(o.get("innodb-flush-log-at-trx-commit")).toBe("1");
        expect(o.get("log-slave-updates")).toBe("TRUE");
        expect(o.get("require-secure-transport")).toBe("TRUE");
        expect(o.get("rpl-semi-sync-master-wait-point")).toBe("AFTER_SYNC");
        expect(o.get("read-only")).toBe(server.role === "primary" ? "FALSE" : "TRUE");
        expect(o.get("ssl-ca")).toBe("/etc/mysql/tls/ca.pem");
      });
    });
  }

  it("every role file gives the role's settings", () => {
    const topology = topologyOf("prod");
    const expected: Record<ServerRole, Record<string, string>> = {
      primary: { "read-only": "FALSE", "rpl-semi-sync-master-enabled": "TRUE", "init-rpl-role": "MASTER", "event-scheduler": "ON" },
      replica: { "read-only": "TRUE", "rpl-semi-sync-slave-enabled": "TRUE", "rpl-semi-sync-master-enabled": "FALSE", "init-rpl-role": "SLAVE", "event-scheduler": "OFF" },
      fenced: { "read-only": "TRUE", "skip-slave-start": "TRUE", "rpl-semi-sync-slave-enabled": "TRUE", "init-rpl-role": "SLAVE", "event-scheduler": "OFF" },
    };
    for (const role of ["primary", "replica", "fenced"] as const) {
      const o = effectiveOptions(mariadbd, writeServer(topology, 0, role));
      for (const [key, value] of Object.entries(expected[role])) expect(`${role} ${key}=${o.get(key)}`).toBe(`${role} ${key}=${value}`);
    }
  });

  it("a primary left without replicas does not wait for acknowledgements", () => {
    expect(renderRoleCnf("primary", { semiSyncEnabled: true, primaryWaitsForAck: false })).toContain("rpl_semi_sync_master_enabled = OFF");
    expect(renderRoleCnf("primary", { semiSyncEnabled: false })).toContain("rpl_semi_sync_master_enabled = OFF");
  });

  it("an unknown option in the rendered file is what mariadbd rejects (the check can fail)", () => {
    const topology = topologyOf("lab");
    const file = writeServer(topology, 0, "primary");
    fs.appendFileSync(file, "[mysqld]\nnot_a_mariadb_option = 1\n");
    const result = runTool(mariadbd, [`--defaults-file=${file}`, "--help", "--verbose"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("unknown variable 'not_a_mariadb_option=1'");
  });
});

describe("database topology", () => {
  it("puts the primary and the replica on different nodes with distinct server ids", () => {
    const topology = topologyOf("prod");
    expect(topology.primary.name).toBe("db-1");
    expect(topology.replicas.map((r) => r.node)).not.toContain(topology.primary.node);
    expect(new Set([topology.primary, ...topology.replicas].map((s) => s.serverId)).size).toBe(1 + topology.replicas.length);
  });

  it("follows database.primary after a failover", () => {
    const spec = stackSpec("prod");
    spec.database.primary = "db-2";
    const { model } = buildModel(spec);
    if (!model) throw new Error("no model");
    const topology = planDatabase(model, spec);
    expect(topology.primary.name).toBe("db-2");
    expect(topology.replicas.map((r) => r.name)).toEqual(["db-1"]);
  });

  it("matches the service network exactly with MariaDB's netmask host form", () => {
    expect(mariadbHostPattern("10.20.0.0/24")).toBe("10.20.0.0/255.255.255.0");
    expect(mariadbHostPattern("10.40.0.0/20")).toBe("10.40.0.0/255.255.240.0");
  });

  it("takes its TLS protocols and suites from the one TLS policy", () => {
    const topology = topologyOf("prod");
    const cnf = renderServerCnf(topology.primary, topology, PRODUCTION_DATABASE_PATHS);
    expect(cnf).toContain("tls_version = TLSv1.2,TLSv1.3");
    expect(cnf).toContain("ssl_crl = /etc/mysql/tls/crl.pem\n");
    // Only suites the servers' ECDSA keys can serve.
    expect(cnf).toContain("ssl_cipher = ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n");
    expect(cnf).toContain(`ssl_cipher = ${[...topology.tls.tls12Ciphers, ...topology.tls.tls13Ciphersuites].join(":")}`);
  });
});
