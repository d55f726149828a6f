import { stackPolicy } from "../kit/define-policy";
import { deliveredFiles, type DeliveredFile } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { isDelivered, pendingFiles } from "../kit/pending-files";
import { effectiveValue } from "../database/option-files";
import { databaseVms } from "../database/database-vms";
import { changeMasters, databaseSqlFiles } from "../database/replication-secure";
import { authRounds, swanctlConnections } from "../vpn/swanctl-conf";
import { mariadbTlsServers } from "./tls-evidence";

const X509CA = /^\/etc\/swanctl\/x509ca\/([^/]+)\.pem$/;
const X509CRL = "/etc/swanctl/x509crl";
const PEM_CRL = "-----BEGIN X509 CRL-----";

/**
 * Adopted security policy (document 003, "5 PKI"): a compromised certificate can be revoked in one place and
 * every verifying peer stops accepting it. Judged from what each verifier is given: every swanctl connection
 * checks its peer strictly (`revocation = strict`: a missing or stale CRL fails too), each CA a gateway trusts
 * has its CRL delivered beside it (x509ca/<name>.pem -> x509crl/<name>.crl.pem), every MariaDB server names a
 * delivered CRL (`ssl_crl`) and every replica's CHANGE MASTER one (`MASTER_SSL_CRL`). A delivered CRL whose text
 * is known must be a PEM CRL.
 */
export function certificateRevocationPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "certificate-revocation",
    description:
      "Every verifier of the platform's certificates checks the CAs' CRLs: swanctl connections with revocation = strict and each trusted CA's CRL delivered, MariaDB servers with ssl_crl, replicas with MASTER_SSL_CRL, each naming a CRL the stack delivers.",
    requirements: ["IBAC-PKI-002"],
    severity: "medium",
    enforcementLevel: "advisory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    const find = (vm: string, path: string): DeliveredFile | undefined => files.find((f) => f.vm === vm && f.path === path);
    const delivered = (vm: string, path: string): boolean => isDelivered(files, pending, vm, path);
    /** Why `path` on `vm` is not a usable CRL, or undefined when it is (or its text is not known yet). */
    const crlProblem = (vm: string, path: string): string | undefined => {
      if (!delivered(vm, path)) return `${path}, which the stack does not deliver to ${vm}`;
      const f = find(vm, path);
      if (f && !f.content.includes(PEM_CRL)) return `${path}, which is not a PEM CRL`;
      return undefined;
    };

    const { connections } = swanctlConnections(files);
    for (const c of connections) {
      for (const [name, round] of authRounds(c.section, "remote")) {
        const revocation = round.values.get("revocation");
        if (revocation !== "strict") {
          reportFinding(report, {
            subject: `revocation check of IPsec connection ${c.name} on ${c.file.vm}`,
            observed: revocation === undefined ? "revocation not set (relaxed: a certificate is refused only if a loaded CRL lists it)" : `revocation = ${revocation}`,
            expected: "revocation = strict (a revoked certificate, or one whose CRL is missing or stale, is refused)",
            urn: c.file.urn,
            location: `${c.file.path}: connections.${c.name}.${name}.revocation`,
          });
        }
      }
    }
    const gateways = new Set(connections.map((c) => c.file.vm));
    for (const ca of files.filter((f) => gateways.has(f.vm) && X509CA.test(f.path))) {
      const crl = `${X509CRL}/${X509CA.exec(ca.path)?.[1] ?? ""}.crl.pem`;
      const problem = crlProblem(ca.vm, crl);
      if (problem) reportFinding(report, { subject: `CRL of the CA ${ca.path} on ${ca.vm}`, observed: problem, expected: `the CA's CRL at ${crl}`, urn: ca.urn, location: crl });
    }

    for (const server of mariadbTlsServers(files)) {
      const crl = effectiveValue(server.settings, "ssl_crl");
      const subject = `revocation check of ${server.vm}'s MariaDB`;
      if (!crl) {
        reportFinding(report, { subject, observed: "ssl_crl not set (a revoked client certificate is accepted)", expected: "ssl_crl naming the CA's CRL", urn: server.enabledBy.urn, location: server.enabledBy.path });
        continue;
      }
      const problem = crlProblem(server.vm, crl.value);
      if (problem) reportFinding(report, { subject, observed: `ssl_crl = ${problem}`, expected: "ssl_crl naming the CA's CRL, delivered to the server", urn: crl.urn, location: `${crl.path} [${crl.group}]` });
    }

    const vms = databaseVms(view.model);
    for (const cm of changeMasters(databaseSqlFiles(files, vms.map((v) => v.name)))) {
      const crl = cm.options.get("MASTER_SSL_CRL");
      const subject = `revocation check by ${cm.vm}'s replication`;
      const location = `${cm.file.path}: CHANGE MASTER TO`;
      const problem = crl ? crlProblem(cm.vm, crl) : undefined;
      if (!crl) reportFinding(report, { subject, observed: "MASTER_SSL_CRL not set (a revoked primary certificate is accepted)", expected: "MASTER_SSL_CRL naming the CA's CRL", urn: cm.file.urn, location });
      else if (problem) reportFinding(report, { subject, observed: `MASTER_SSL_CRL = ${problem}`, expected: "MASTER_SSL_CRL naming the CA's CRL, delivered to the replica", urn: cm.file.urn, location });
    }
  });
}
