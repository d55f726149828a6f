import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { runOfflinePlan, SECRET_MARK, type OfflinePlan } from "../offline-plan/run-offline-plan";
import { PRODUCTION_DATABASE_PATHS, tlsFiles } from "./paths";
import { SETUP_SCRIPT_PATH } from "./render-setup-script";
import { PACKAGES_SCRIPT_PATH } from "./render-packages-script";
import { RESOURCES, isResourceOf } from "../resource-types";
import { PRODUCTION_KEEPALIVED_PATHS } from "../network/vrrp/keepalived-paths";
import { ROLE_CHECK_PATH } from "./render-role-check";
import { NONLOCAL_BIND_SYSCTL_PATH } from "../network/vrrp/render-nonlocal-bind-sysctl";
import { beforeMonitoringAgent } from "../../test/support/monitoring-installs";

const projectDir = path.resolve(__dirname, "../..");
let cached: OfflinePlan | undefined;
async function prodPlan(): Promise<OfflinePlan> {
  cached ??= await runOfflinePlan(loadStackFile(stackFilePath(projectDir, "prod")));
  return cached;
}

describe("DatabaseTier in the prod program under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  it("delivers the option files, TLS files, credentials, setup SQL and backup units to both database VMs only", async () => {
    const plan = await prodPlan();
    const paths = PRODUCTION_DATABASE_PATHS;
    const expected = [paths.serverCnf, paths.roleCnf, paths.adminCnf, paths.replicationCnf, paths.backupCnf, paths.binlogCnf, paths.setupSql,
      tlsFiles(paths).ca, tlsFiles(paths).cert, tlsFiles(paths).key, tlsFiles(paths).crl, SETUP_SCRIPT_PATH, "/usr/local/sbin/ibac-db-backup", "/etc/systemd/system/ibac-binlog-capture.service"];
    for (const vm of ["db-1", "db-2"]) {
      const delivered = plan.artifacts.filter((a) => a.vm === vm).map((a) => a.path);
      for (const file of expected) expect(delivered, `${vm} ${file}`).toContain(file);
    }
    expect(plan.artifacts.filter((a) => a.path === paths.serverCnf).map((a) => a.vm).sort()).toEqual(["db-1", "db-2"]);
    // The platform CA's CRL (signed by the deployment) on every server, which the replica's CHANGE MASTER names.
    expect(plan.artifacts.find((a) => a.vm === "db-1" && a.path === tlsFiles(paths).crl)?.content).toContain("ibac-ca-crl");
    expect(plan.artifacts.find((a) => a.vm === "db-2" && a.path === paths.setupSql)?.content).toContain(`MASTER_SSL_CRL = '${tlsFiles(paths).crl}'`);
  });

  it("renders db-1 as the primary and db-2 as its replica", async () => {
    const plan = await prodPlan();
    const file = (vm: string, p: string): string => plan.artifacts.find((a) => a.vm === vm && a.path === p)?.content ?? "";
    expect(file("db-1", PRODUCTION_DATABASE_PATHS.roleCnf)).toContain("# role: primary");
    expect(file("db-2", PRODUCTION_DATABASE_PATHS.roleCnf)).toContain("# role: replica");
    expect(file("db-1", PRODUCTION_DATABASE_PATHS.setupSql)).toContain("CREATE USER IF NOT EXISTS 'ibac_app'");
    expect(file("db-2", PRODUCTION_DATABASE_PATHS.setupSql)).toContain("MASTER_SSL_VERIFY_SERVER_CERT = 1");
  });

  it("masks every password and private key (made with @pulumi/random and @pulumi/tls) in the artifacts", async () => {
    const plan = await prodPlan();
    const file = (p: string): string => plan.artifacts.find((a) => a.vm === "db-2" && a.path === p)?.content ?? "";
    expect(file(PRODUCTION_DATABASE_PATHS.replicationCnf)).toContain(`password = ${SECRET_MARK}`);
    expect(file(PRODUCTION_DATABASE_PATHS.setupSql)).toContain(`MASTER_PASSWORD = '${SECRET_MARK}'`);
    expect(file(tlsFiles(PRODUCTION_DATABASE_PATHS).key)).toBe(SECRET_MARK);
    const everything = JSON.stringify(plan.artifacts) + JSON.stringify(plan.resources);
    for (const secret of plan.knownSecrets) expect(everything.includes(secret), "a made-up secret leaked").toBe(false);
  });

  it("installs the files one after another and runs the bootstrap after the last one", async () => {
    const plan = await prodPlan();
    // The backup tier's file-daemon files follow the database's own (tiers deliver in TIER_NAMES order); they are
    // the backup tier's to order, so the database's last install is the one before them.
    const installs = plan.resources.filter((r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.startsWith("db-1-config-install-"));
    const firstBackupClient = installs.findIndex((r) => r.name === "db-1-config-install-usr-local-sbin-ibac-backup-client-packages");
    expect(firstBackupClient).toBeGreaterThan(0);
    // The monitoring tier's agent files follow the backup tier's.
    const ownAndBackup = beforeMonitoringAgent(installs.map((r) => String(r.inputs.create))).length;
    expect(ownAndBackup).toBeGreaterThan(firstBackupClient);
    expect(installs.slice(firstBackupClient, ownAndBackup).every((r) => /-(ibac-backup-client-|etc-bacula-)/.test(r.name))).toBe(true);
    const last = installs[firstBackupClient - 1];
    expect(last?.name).toBe("db-1-config-install-var-lib-ibac-database-deployed-sha256");
    expect(String(last?.inputs.create)).toContain(`sudo sh -c '${SETUP_SCRIPT_PATH}'`);
    const role = installs.find((r) => r.name.endsWith("mariadb-conf-d-70-ibac-role-cnf"));
    expect(String(role?.inputs.create)).toMatch(/^\{ sudo test -e '\/etc\/mysql\/mariadb.conf.d\/70-ibac-role.cnf' && rm -f/);
  });

  it("installs MariaDB first and the TLS key readable by its mysql group from the first install, before the option file that names it", async () => {
    const plan = await prodPlan();
    const installs = plan.resources.filter((r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.startsWith("db-1-config-install-")).map((r) => String(r.inputs.create));
    const at = (target: string): number => installs.findIndex((c) => c.includes(` '${target}'`));
    const packages = at(PACKAGES_SCRIPT_PATH);
    expect(installs[packages]).toContain(`sudo sh -c '${PACKAGES_SCRIPT_PATH}'`);
    const key = tlsFiles(PRODUCTION_DATABASE_PATHS).key;
    expect(installs[at(key)]).toContain("sudo install -D -m 0640 -o root -g mysql ");
    expect(at(key)).toBeGreaterThan(packages);
    expect(packages).toBeGreaterThan(-1);
    expect(at(key)).toBeLessThan(at(PRODUCTION_DATABASE_PATHS.serverCnf));
    // Nothing fixes the key's group up afterwards: what the install gives it is what the server reads.
    const setup = plan.artifacts.find((a) => a.vm === "db-1" && a.path === SETUP_SCRIPT_PATH)?.content ?? "";
    expect(setup).not.toMatch(/chgrp|chmod .*server-key/);
    expect(setup).toContain(`\n${PACKAGES_SCRIPT_PATH}\n`);
  });

  it("delivers keepalived's files for the databasePrimary address to both database VMs, root-owned, the config after the scripts it runs", async () => {
    const plan = await prodPlan();
    const ka = PRODUCTION_KEEPALIVED_PATHS;
    for (const vm of ["db-1", "db-2"]) {
      const installs = plan.resources.filter((r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.startsWith(`${vm}-config-install-`)).map((r) => String(r.inputs.create));
      const at = (target: string): number => installs.findIndex((c) => c.includes(` '${target}'`));
      const expected: [string, string][] = [[ROLE_CHECK_PATH, "0755"], [ka.notifyScript, "0755"], [ka.configFile, "0644"], [NONLOCAL_BIND_SYSCTL_PATH, "0644"]];
      for (const [file, mode] of expected) {
        expect(at(file), `${vm} ${file}`).toBeGreaterThan(-1);
        expect(installs[at(file)], `${vm} ${file}`).toContain(`sudo install -D -m ${mode} -o root -g root `);
      }
      expect(at(ka.configFile)).toBeGreaterThan(at(ROLE_CHECK_PATH));
      expect(at(ka.configFile)).toBeGreaterThan(at(ka.notifyScript));
      expect(installs[at(ka.configFile)]).toContain("systemctl reload-or-restart keepalived");
      // mariadbd binds the address it may not hold: the sysctl comes before the option file that names it.
      expect(at(NONLOCAL_BIND_SYSCTL_PATH)).toBeLessThan(at(PRODUCTION_DATABASE_PATHS.serverCnf));
      expect(installs[at(NONLOCAL_BIND_SYSCTL_PATH)]).toContain(`sysctl -q -p ${NONLOCAL_BIND_SYSCTL_PATH}`);
      const conf = plan.artifacts.find((a) => a.vm === vm && a.path === ka.configFile)?.content ?? "";
      expect(conf).toContain(`script "${ROLE_CHECK_PATH}"`);
      expect(conf).toContain(`${plan.model.virtualIps.databasePrimary}/24 dev eth0`);
      expect(conf).toContain(`priority ${vm === "db-1" ? 200 : 199}`);
      expect(plan.artifacts.find((a) => a.vm === vm && a.path === PRODUCTION_DATABASE_PATHS.serverCnf)?.content).toContain(`bind_address = ${plan.model.vms.find((v) => v.name === vm)?.nics[0].address},${plan.model.virtualIps.databasePrimary}\n`);
    }
    // And nowhere else: the load balancers' keepalived is their own tier's.
    expect(plan.artifacts.filter((a) => a.path === ROLE_CHECK_PATH).map((a) => a.vm).sort()).toEqual(["db-1", "db-2"]);
  });

  it("issues each server a certificate for its address and names from the internal CA", async () => {
    const plan = await prodPlan();
    const csrs = plan.resources.filter((r) => isResourceOf(r, RESOURCES.CertRequest) && r.name.includes("-database-"));
    const db1 = plan.model.vms.find((v) => v.name === "db-1");
    const csr = csrs.find((r) => r.name.includes("db-1"));
    // And the service: db.<domain> at the databasePrimary address, which keepalived moves to the primary.
    expect(csr?.inputs.ipAddresses).toEqual([db1?.nics[0].address, plan.model.virtualIps.databasePrimary]);
    expect(csr?.inputs.dnsNames).toEqual([db1?.fqdn, "db-1", `db.${loadStackFile(stackFilePath(projectDir, "prod")).spec.site.domain}`]);
    expect(plan.resources.filter((r) => isResourceOf(r, RESOURCES.RandomPassword) && r.name.includes("-database-")).length).toBe(5);
  });
});
