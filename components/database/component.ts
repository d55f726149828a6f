import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { VmPlan } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import { withDeployedDigest } from "../vm/deployed-digest";
import type { TierComponent, TierComponentArgs, TierCredential, TlsEndpoint } from "../tiers/tier-component";
import { tierMonitors, type ServiceMonitor } from "../tiers/monitors";
import { PRODUCTION_DATABASE_PATHS, renderCredentialsCnf, tlsFiles, type DatabasePaths } from "./paths";
import { planDatabase, type DatabaseServer, type DatabaseTopology } from "./topology";
import { renderAdminCnf, renderRoleCnf, renderServerCnf } from "./render-my-cnf";
import { renderPrimarySetupSql, renderReplicaSetupSql, type AccountPasswords } from "./render-setup-sql";
import { renderSetupScript, SETUP_SCRIPT_PATH } from "./render-setup-script";
import { PACKAGES_SCRIPT_PATH, renderPackagesScript } from "./render-packages-script";
import { NONLOCAL_BIND_SYSCTL_PATH, renderNonlocalBindSysctl } from "../network/vrrp/render-nonlocal-bind-sysctl";
import { ROLE_CHECK_PATH, ROLE_CHECK_TIMEOUT_SECONDS, renderRoleCheckScript } from "./render-role-check";
import { renderDatabaseKeepalivedConf } from "./render-database-keepalived";
import { PRODUCTION_KEEPALIVED_PATHS, type KeepalivedPaths } from "../network/vrrp/keepalived-paths";
import { renderKeepalivedNotify } from "../network/vrrp/render-keepalived-notify";
import { PRODUCTION_LOCAL_SYSLOG } from "../logging/local-syslog";
import { renderDatabaseBackupFiles } from "../../backup/database/render-backup-units";

/** The spec, the model, and the CA that issues each server's certificate (replicas verify their primary against it). */
export type DatabaseTierArgs = TierComponentArgs;

/** The accounts the database offers other tiers: the application's (API, FRS) and monitoring's. */
const OFFERED_ACCOUNTS = ["application", "monitoring"] as const;

/**
 * The database tier's secrets and files: one password per account (@pulumi/random, secrets), one
 * certificate per server (the internal CA), and for each VM the rendered option files, setup SQL, backup
 * units and the bootstrap script, delivered by the VM's ConfigDelivery. The VMs themselves are DebianVms.
 */
export class DatabaseTier extends pulumi.ComponentResource implements TierComponent {
  readonly topology: DatabaseTopology;
  readonly credentials: Readonly<Record<string, TierCredential>>;
  readonly tlsEndpoints: readonly TlsEndpoint[];
  readonly monitors: readonly ServiceMonitor[];
  private readonly files = new Map<string, RenderedFile[]>();

  constructor(name: string, args: DatabaseTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:database:DatabaseTier", name, {}, opts);
    this.topology = planDatabase(args.model, args.spec);
    const topology = this.topology;

    const passwords: Record<string, pulumi.Output<string>> = Object.fromEntries(
      topology.accounts.map((account) => [
        account.id,
        // No quotes, spaces, '#' or backslashes: the value goes into option files and SQL literals unescaped.
        new random.RandomPassword(`${name}-${account.id}-password`, { length: 32, special: true, overrideSpecial: "-_.+=:,~" }, { parent: this }).result,
      ]),
    );
    const allPasswords = pulumi.secret(pulumi.all(passwords)).apply((p) => p as AccountPasswords);
    this.credentials = Object.fromEntries(OFFERED_ACCOUNTS.map((id) => {
      const account = topology.accounts.find((a) => a.id === id);
      if (!account) throw new Error(`the database topology has no ${id} account`);
      return [id, { user: account.user, password: pulumi.secret(passwords[id]), purpose: account.purpose }];
    }));
    const servers = [topology.primary, ...topology.replicas];
    this.tlsEndpoints = [
      ...servers.map((s) => ({ vm: s.name, address: s.address, port: topology.port, serverName: s.fqdn, what: `MariaDB (${s.role})` })),
      // What the API and FRS dial: the name every server's certificate carries, at the address keepalived gives the primary.
      { vm: topology.primary.name, address: topology.service.address, port: topology.service.port, serverName: topology.service.serverName, what: "MariaDB through the databasePrimary address (on the primary)" },
    ];
    this.monitors = tierMonitors(args.model, "database");

    for (const server of servers) {
      const cert = args.ca.issueServerCertificate(`${name}-${server.name}-tls`, {
        commonName: server.fqdn,
        // And the service's name and address (db.<domain> at the databasePrimary address): whichever server
        // keepalived gives the address to, a client that verifies the name it dialled finds it in the certificate.
        dnsNames: [server.fqdn, server.name, topology.service.serverName],
        ipAddresses: [server.address, topology.service.address],
        clientAuth: true,
      }, this);
      const keepalived: DatabaseKeepalivedFiles = {
        paths: PRODUCTION_KEEPALIVED_PATHS,
        conf: renderDatabaseKeepalivedConf(args.model, args.spec, server.name, PRODUCTION_KEEPALIVED_PATHS, ROLE_CHECK_PATH),
        notify: renderKeepalivedNotify(PRODUCTION_LOCAL_SYSLOG),
      };
      this.files.set(server.name, databaseFilesForServer(server, topology, PRODUCTION_DATABASE_PATHS, keepalived, {
        passwords: allPasswords,
        caPem: args.ca.certPem,
        crlPem: args.ca.crlPem,
        certPem: cert.certPem,
        keyPem: cert.privateKeyPem,
      }));
    }
    this.registerOutputs({});
  }

  /** The files a VM of this tier gets, in install order; none for a VM of another tier. */
  filesFor(vm: VmPlan): RenderedFile[] {
    return this.files.get(vm.name) ?? [];
  }
}

export interface DatabaseSecrets {
  passwords: pulumi.Input<AccountPasswords>;
  caPem: pulumi.Input<string>;
  /** The CA's CRL (PEM, public). */
  crlPem: pulumi.Input<string>;
  certPem: pulumi.Input<string>;
  keyPem: pulumi.Input<string>;
}

/** keepalived on a database VM: its paths, its rendered keepalived.conf and notify script. */
export interface DatabaseKeepalivedFiles {
  paths: KeepalivedPaths;
  conf: string;
  notify: string;
}

/** Every file of one database server, in the order they must be installed (the bootstrap script last). */
export function databaseFilesForServer(server: DatabaseServer, topology: DatabaseTopology, paths: DatabasePaths, keepalived: DatabaseKeepalivedFiles, secrets: DatabaseSecrets): RenderedFile[] {
  const tls = tlsFiles(paths);
  const passwords = pulumi.secret(pulumi.output(secrets.passwords));
  const rootOnly = { mode: "0600", owner: "root:root" };
  const setupSql = server.role === "primary"
    ? passwords.apply((p) => renderPrimarySetupSql(topology, p))
    : passwords.apply((p) => renderReplicaSetupSql(topology, p.replication, tls.ca, tls.crl));
  const files: RenderedFile[] = [
    // First, so that the mysql group exists when the key below is installed for it.
    { path: PACKAGES_SCRIPT_PATH, content: renderPackagesScript(), mode: "0755", owner: "root:root", afterChange: PACKAGES_SCRIPT_PATH },
    // Before the option file, whose bind_address names the databasePrimary address this server may not hold.
    { path: NONLOCAL_BIND_SYSCTL_PATH, content: renderNonlocalBindSysctl(), mode: "0644", owner: "root:root", afterChange: `sysctl -q -p ${NONLOCAL_BIND_SYSCTL_PATH}` },
    { path: tls.ca, content: secrets.caPem, mode: "0644", owner: "root:root" },
    { path: tls.cert, content: secrets.certPem, mode: "0644", owner: "root:root" },
    // mariadbd runs as mysql and reads its key itself: readable by that group from the first install on, and
    // before the option file that names it.
    { path: tls.key, content: pulumi.secret(secrets.keyPem), mode: "0640", owner: "root:mysql" },
    // The CRL of the CA that issued the servers' and clients' certificates: ssl_crl and MASTER_SSL_CRL read it.
    { path: tls.crl, content: secrets.crlPem, mode: "0644", owner: "root:root" },
    { path: paths.serverCnf, content: renderServerCnf(server, topology, paths), mode: "0644", owner: "root:root" },
    { path: paths.roleCnf, content: renderRoleCnf(server.role, { semiSyncEnabled: topology.replication.semiSync.enabled }), mode: "0644", owner: "root:root", onlyIfAbsent: true },
    { path: paths.adminCnf, content: renderAdminCnf(paths), ...rootOnly },
    { path: paths.replicationCnf, content: passwords.apply((p) => renderCredentialsCnf("ibac_repl", p.replication, paths.socket)), ...rootOnly },
    { path: paths.backupCnf, content: passwords.apply((p) => renderCredentialsCnf("ibac_backup", p.backup, paths.socket)), ...rootOnly },
    { path: paths.binlogCnf, content: passwords.apply((p) => renderCredentialsCnf("ibac_binlog", p.binlogCapture, paths.socket)), ...rootOnly },
    { path: paths.setupSql, content: setupSql, ...rootOnly },
    { path: SETUP_SCRIPT_PATH, content: renderSetupScript(paths, server.role), mode: "0755", owner: "root:root" },
    // keepalived's tracked check: root-owned and not writable by anyone else (enable_script_security).
    { path: ROLE_CHECK_PATH, content: renderRoleCheckScript(paths, { user: topology.vipCheckUser, timeoutSeconds: ROLE_CHECK_TIMEOUT_SECONDS }), mode: "0755", owner: "root:root" },
    { path: keepalived.paths.notifyScript, content: keepalived.notify, mode: "0755", owner: "root:root" },
    // Last of keepalived's files, once the scripts it names exist. Until the setup SQL has created the check's
    // account (and on every replica), the check fails and the instance stays in FAULT: no address.
    { path: keepalived.paths.configFile, content: keepalived.conf, mode: "0644", owner: "root:root", afterChange: "systemctl enable keepalived && systemctl reload-or-restart keepalived" },
    ...renderDatabaseBackupFiles(server, topology, paths),
  ];
  // The last file is a digest of all the others: its follow-up runs the bootstrap once everything is in place.
  return withDeployedDigest(files, `${paths.stateDir}/deployed.sha256`, SETUP_SCRIPT_PATH);
}
