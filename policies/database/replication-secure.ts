import type { ReportViolation } from "@pulumi/policy";
import type { DeliveredFile } from "../kit/rendered-files";
import { deliveredFiles } from "../kit/rendered-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { databaseVms } from "./database-vms";
import { vmUrn } from "../kit/platform-view";
import { effectiveBoolean, filesByVm, isMariadbOptionFile, serverSettings } from "./option-files";
import { pendingFiles } from "../kit/pending-files";
import { accountStatement, changeMasterOptions, isLocalHost, requiresTls, sqlStatements, type AccountStatement } from "./setup-sql";

/** A CHANGE MASTER statement found in a delivered SQL file. */
export interface DeliveredChangeMaster {
  vm: string;
  file: DeliveredFile;
  options: Map<string, string>;
}

/** The SQL scripts delivered to the database VMs. */
export function databaseSqlFiles(files: readonly DeliveredFile[], databaseVmNames: readonly string[]): DeliveredFile[] {
  return files.filter((f) => databaseVmNames.includes(f.vm) && f.path.endsWith(".sql"));
}

/** Every CHANGE MASTER statement of the delivered SQL scripts. */
export function changeMasters(sqlFiles: readonly DeliveredFile[]): DeliveredChangeMaster[] {
  return sqlFiles.flatMap((file) =>
    sqlStatements(file.content).flatMap((s) => {
      const options = changeMasterOptions(s);
      return options ? [{ vm: file.vm, file, options }] : [];
    }),
  );
}

const GTID_MODES = ["slave_pos", "current_pos"];
const REPLICATION_PRIVILEGES = ["REPLICATION SLAVE", "REPLICATION REPLICA", "ALL", "ALL PRIVILEGES"];

function checkChangeMaster(cm: DeliveredChangeMaster, report: ReportViolation): void {
  const subject = `replication of ${cm.vm} from its primary`;
  const where = (option: string): string => `${cm.file.path}: CHANGE MASTER TO ${option}`;
  const gtid = cm.options.get("MASTER_USE_GTID");
  if (!gtid || !GTID_MODES.includes(gtid.toLowerCase())) {
    reportFinding(report, { subject, observed: gtid ? `MASTER_USE_GTID = ${gtid}` : "MASTER_USE_GTID not set (binary-log positions, not GTID)", expected: "MASTER_USE_GTID = slave_pos (or current_pos)", urn: cm.file.urn, location: where("MASTER_USE_GTID") });
  }
  const ssl = cm.options.get("MASTER_SSL");
  if (ssl !== "1") {
    reportFinding(report, { subject, observed: ssl === undefined ? "MASTER_SSL not set" : `MASTER_SSL = ${ssl}`, expected: "MASTER_SSL = 1 (replication over TLS)", urn: cm.file.urn, location: where("MASTER_SSL") });
  }
  const verify = cm.options.get("MASTER_SSL_VERIFY_SERVER_CERT");
  if (verify !== "1") {
    reportFinding(report, {
      subject,
      observed: verify === undefined ? "MASTER_SSL_VERIFY_SERVER_CERT not set" : `MASTER_SSL_VERIFY_SERVER_CERT = ${verify}`,
      expected: "MASTER_SSL_VERIFY_SERVER_CERT = 1 (the primary's certificate is verified)",
      urn: cm.file.urn,
      location: where("MASTER_SSL_VERIFY_SERVER_CERT"),
    });
  }
}

interface AccountEvidence {
  file: DeliveredFile;
  statement: AccountStatement;
}

/**
 * Seed design, "Database" and "Security": the slave replicates the master; every component talks over a secure
 * channel. Replication uses GTID in strict mode (so any replica can be promoted without losing its place),
 * runs over TLS with the primary's certificate verified, and the replication account refuses plain text.
 */
export function databaseReplicationSecurePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "database-replication-secure",
    description:
      "Database replication uses GTID with gtid_strict_mode=ON, connects over TLS with MASTER_SSL_VERIFY_SERVER_CERT=1, and the replication account is created with REQUIRE SSL.",
    requirements: ["IBAC-DB-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const byVm = filesByVm(files);
    const vms = databaseVms(view.model);
    const sqlFiles = databaseSqlFiles(files, vms.map((v) => v.name));
    const masters = changeMasters(sqlFiles);
    // Files whose text is not known yet (`pulumi preview` of a new stack): never reported as missing.
    const pending = [...(await pendingFiles(resources, view.model))].map((k) => k.split("\0"));
    const pendingOn = (vm: string | undefined, test: (path: string) => boolean): boolean => pending.some(([v, p]) => (vm === undefined || v === vm) && test(p));
    const isSql = (p: string): boolean => p.endsWith(".sql");

    for (const vm of vms) {
      const settings = serverSettings(byVm.get(vm.name) ?? []);
      if (settings.length === 0) {
        if (pendingOn(vm.name, isMariadbOptionFile)) continue;
        reportFinding(report, { subject: `MariaDB configuration of ${vm.name}`, observed: "no server option file delivered", expected: "gtid_strict_mode = ON in the server's option file", urn: vmUrn(resources, vm.name, view.urn) });
        continue;
      }
      const strict = effectiveBoolean(settings, "gtid_strict_mode");
      if (strict?.on !== true) {
        reportFinding(report, {
          subject: `GTID mode of ${vm.name}`,
          observed: strict ? `gtid_strict_mode = ${strict.setting.value}` : "gtid_strict_mode not set (MariaDB's default: OFF)",
          expected: "gtid_strict_mode = ON",
          urn: strict?.setting.urn ?? vmUrn(resources, vm.name, view.urn),
          ...(strict ? { location: strict.setting.path } : {}),
        });
      }
      if (vm.role === "replica") {
        const own = masters.filter((m) => m.vm === vm.name);
        if (own.length === 0 && !pendingOn(vm.name, isSql)) {
          reportFinding(report, { subject: `replication of ${vm.name} from its primary`, observed: "no CHANGE MASTER TO in the SQL delivered to it", expected: "a CHANGE MASTER TO with GTID and verified TLS", urn: vmUrn(resources, vm.name, view.urn) });
        }
        own.forEach((cm) => checkChangeMaster(cm, report));
      }
    }

    // The accounts replicas connect with: any network account that may read the binary log, and the ones
    // the replicas name. Local accounts (binary-log capture over the socket) never cross the network.
    const accounts = new Map<string, AccountEvidence[]>();
    for (const file of sqlFiles) {
      for (const s of sqlStatements(file.content)) {
        const statement = accountStatement(s);
        if (!statement || isLocalHost(statement.account.host)) continue;
        const key = `${statement.account.user}@${statement.account.host}`;
        accounts.set(key, [...(accounts.get(key) ?? []), { file, statement }]);
      }
    }
    const masterUsers = new Set(masters.map((m) => m.options.get("MASTER_USER")).filter((u): u is string => u !== undefined));
    const replicationAccounts = [...accounts].filter(([, evidence]) =>
      masterUsers.has(evidence[0].statement.account.user) ||
      evidence.some((e) => e.statement.kind === "grant" && e.statement.on === "*.*" && e.statement.privileges.some((p) => REPLICATION_PRIVILEGES.includes(p))),
    );
    for (const user of masterUsers) {
      if (pendingOn(undefined, isSql)) break;
      if (!replicationAccounts.some(([, evidence]) => evidence[0].statement.account.user === user && evidence.some((e) => e.statement.kind === "create"))) {
        const cm = masters.find((m) => m.options.get("MASTER_USER") === user);
        reportFinding(report, {
          subject: `replication account ${user}`,
          observed: "not created by any SQL the stack delivers: its TLS requirement cannot be shown",
          expected: `CREATE USER '${user}'@<service network> ... REQUIRE SSL`,
          urn: cm?.file.urn ?? view.urn,
        });
      }
    }
    for (const [key, evidence] of replicationAccounts) {
      const creates = evidence.filter((e) => e.statement.kind === "create");
      const weak = evidence.filter((e) => (e.statement.kind === "create" && !requiresTls(e.statement.require)) || e.statement.require === "NONE");
      if (creates.length === 0) {
        reportFinding(report, { subject: `replication account ${key}`, observed: "granted replication but never created by the delivered SQL", expected: "CREATE USER ... REQUIRE SSL", urn: evidence[0].file.urn, location: evidence[0].file.path });
      }
      for (const e of weak) {
        reportFinding(report, {
          subject: `replication account ${key}`,
          observed: e.statement.require ? `${e.statement.kind.toUpperCase()} ... REQUIRE ${e.statement.require}` : `${e.statement.kind === "create" ? "CREATE USER" : e.statement.kind.toUpperCase()} without REQUIRE (plain-text connections accepted)`,
          expected: "REQUIRE SSL (or X509)",
          urn: e.file.urn,
          location: e.file.path,
        });
      }
    }
  });
}
