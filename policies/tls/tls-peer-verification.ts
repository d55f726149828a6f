import { stackPolicy } from "../kit/define-policy";
import { deliveredFiles } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { databaseVms } from "../database/database-vms";
import { changeMasters, databaseSqlFiles } from "../database/replication-secure";
import { isDelivered, pendingFiles } from "../kit/pending-files";
import { authRounds, swanctlConnections } from "../vpn/swanctl-conf";
import { providerInput, proxmoxProviders } from "./tls-evidence";
import { haproxyTlsSides } from "./haproxy-tls";

/** Where swanctl looks for a CA certificate named without a path. */
const SWANCTL_X509CA = "/etc/swanctl/x509ca";
/** Remote authentication by certificate (public key, or EAP-TLS). */
const CERTIFICATE_AUTH = /^(pubkey|rsa|ecdsa|ed25519|ed448|bliss|eap-tls)/;

/**
 * Adopted security policy (document 003): CA-signed certificates, verified on every TLS connection. Every TLS
 * client the stack configures verifies its peer against the internal CA: the Proxmox provider (insecure = false),
 * each database replica (MASTER_SSL_VERIFY_SERVER_CERT = 1 with the CA file delivered to it), and each IPsec
 * gateway authenticates peers by certificate against the CA it names (remote cacerts, delivered to it), and
 * HAProxy verifies each TLS backend (`verify required` with a CA file delivered to it and `verifyhost` naming the
 * backend's certificate name).
 */
export function tlsPeerVerificationPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "tls-peer-verification",
    description:
      "Every TLS or IPsec client verifies its peer's certificate: the Proxmox provider is not insecure, each database replica verifies the primary's certificate against a CA file it has, each swanctl connection authenticates its remote by certificate against the CA it names, and HAProxy verifies every TLS backend's certificate and name.",
    requirements: ["IBAC-TLS-003"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    for (const provider of proxmoxProviders(resources)) {
      const insecure = providerInput(provider, "insecure");
      if (insecure !== "false") {
        reportFinding(report, {
          subject: "certificate verification of the Proxmox API calls",
          observed: insecure === undefined ? "insecure not set (left to the provider's default or its environment)" : `insecure: ${insecure}`,
          expected: "insecure: false",
          urn: provider.urn,
          location: "inputs.insecure",
        });
      }
    }

    const files = await deliveredFiles(resources, view.model);
    // A file whose text is not known yet (`pulumi preview` of a new stack) is still delivered.
    const pending = await pendingFiles(resources, view.model);
    const delivered = (vm: string, path: string): boolean => isDelivered(files, pending, vm, path);

    const vms = databaseVms(view.model);
    for (const cm of changeMasters(databaseSqlFiles(files, vms.map((v) => v.name)))) {
      const subject = `certificate verification by ${cm.vm}'s replication`;
      const location = `${cm.file.path}: CHANGE MASTER TO`;
      const verify = cm.options.get("MASTER_SSL_VERIFY_SERVER_CERT");
      if (verify !== "1") {
        reportFinding(report, { subject, observed: verify === undefined ? "MASTER_SSL_VERIFY_SERVER_CERT not set" : `MASTER_SSL_VERIFY_SERVER_CERT = ${verify}`, expected: "MASTER_SSL_VERIFY_SERVER_CERT = 1", urn: cm.file.urn, location });
      }
      const ca = cm.options.get("MASTER_SSL_CA");
      if (!ca) {
        reportFinding(report, { subject, observed: "MASTER_SSL_CA not set", expected: "MASTER_SSL_CA naming the internal CA's certificate", urn: cm.file.urn, location });
      } else if (!delivered(cm.vm, ca)) {
        reportFinding(report, { subject, observed: `MASTER_SSL_CA = ${ca}, which the stack does not deliver to ${cm.vm}`, expected: "a CA file delivered to the replica", urn: cm.file.urn, location });
      }
    }

    for (const side of haproxyTlsSides(files).filter((s) => s.role === "client")) {
      const subject = `certificate verification by ${side.vm}'s HAProxy (${side.what})`;
      const problems = [
        ...(side.verify === "required" ? [] : [side.verify === undefined ? "verify not set" : `verify ${side.verify}`]),
        ...(side.caFile === undefined ? ["no ca-file"] : delivered(side.vm, side.caFile) ? [] : [`ca-file ${side.caFile}, which the stack does not deliver to ${side.vm}`]),
        ...(side.verifyHost ? [] : ["no verifyhost (the backend's name is not checked)"]),
      ];
      if (problems.length) {
        reportFinding(report, { subject, observed: problems.join("; "), expected: "verify required, a ca-file with the internal CA delivered to the VM, and verifyhost <the backend's certificate name>", urn: side.file.urn, location: side.location });
      }
    }

    const { connections } = swanctlConnections(files);
    for (const c of connections) {
      const rounds = authRounds(c.section, "remote");
      const subject = `peer authentication of IPsec connection ${c.name} on ${c.file.vm}`;
      if (rounds.length === 0) {
        reportFinding(report, { subject, observed: "no remote section (any peer any loaded CA certified)", expected: "remote { auth = pubkey, cacerts = the internal CA }", urn: c.file.urn, location: `${c.file.path}: connections.${c.name}.remote` });
      }
      for (const [name, round] of rounds) {
        const location = `${c.file.path}: connections.${c.name}.${name}`;
        const auth = round.values.get("auth") ?? "pubkey";
        if (!CERTIFICATE_AUTH.test(auth)) {
          reportFinding(report, { subject, observed: `auth = ${auth}`, expected: "auth = pubkey (a certificate the internal CA issued)", urn: c.file.urn, location });
          continue;
        }
        const cacerts = (round.values.get("cacerts") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
        if (cacerts.length === 0) {
          reportFinding(report, { subject, observed: "cacerts not set (a certificate from any loaded CA is accepted)", expected: "cacerts = the internal CA's certificate", urn: c.file.urn, location });
        }
        const missing = cacerts.map((p) => (p.startsWith("/") ? p : `${SWANCTL_X509CA}/${p}`)).filter((p) => !delivered(c.file.vm, p));
        if (missing.length) {
          reportFinding(report, { subject, observed: `cacerts = ${missing.join(", ")}, not delivered to ${c.file.vm}`, expected: "a CA certificate delivered to the gateway", urn: c.file.urn, location });
        }
      }
    }
  });
}
