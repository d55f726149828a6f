import { stackPolicy } from "../kit/define-policy";
import { deliveredFiles } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { effectiveValue, isServerGroup } from "../database/option-files";
import { mariadbSettingsNamed, mariadbTlsServers, serverKeyAlgorithms } from "./tls-evidence";
import { haproxyTlsSides } from "./haproxy-tls";

/** TLS 1.2 suites (OpenSSL names): ECDHE key exchange (forward secrecy) with AES-256-GCM or ChaCha20-Poly1305. */
export const ALLOWED_TLS12 = /^ECDHE-(ECDSA|RSA)-(AES256-GCM-SHA384|CHACHA20-POLY1305)$/;
/** TLS 1.3 suites. */
export const ALLOWED_TLS13 = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

const EXPECTED = `only ECDHE-{ECDSA,RSA}-AES256-GCM-SHA384, ECDHE-{ECDSA,RSA}-CHACHA20-POLY1305, ${ALLOWED_TLS13.join(", ")}`;

function allowed(suite: string): boolean {
  return ALLOWED_TLS12.test(suite) || ALLOWED_TLS13.includes(suite);
}

/**
 * Seed design, "Overview" (TLS 1.2 with AES-256) and the adopted TLS policy (document 001: an explicit list of
 * trusted suites): only forward-secret AEAD suites with 256-bit keys, or ChaCha20-Poly1305. Checked in the spec
 * and in every rendered TLS endpoint (MariaDB's ssl_cipher, an explicit list: no OpenSSL keywords such as
 * HIGH or DEFAULT, whose meaning changes with the OpenSSL version), and HAProxy's binds and backend connections
 * (their `ciphers`/`ciphersuites` or the global `ssl-default-bind-*`/`ssl-default-server-*`, which must be set:
 * OpenSSL's defaults include AES-128). Each TLS 1.2 suite of a MariaDB server must also authenticate
 * with the key the server's certificate carries (the @pulumi/tls key behind it): an `ECDHE-RSA-*` suite on an
 * ECDSA key is never negotiated and says the configuration was not made for this server.
 */
export function tlsCipherSuitesPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "tls-cipher-suites",
    description:
      "TLS endpoints offer only ECDHE suites with AES-256-GCM or CHACHA20-POLY1305 (TLS 1.2) and TLS_AES_256_GCM_SHA384 or TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3): in the spec's tls.ciphers and tls.ciphersuites, in MariaDB's ssl_cipher and in HAProxy's TLS binds and backend connections.",
    requirements: ["IBAC-TLS-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    view.spec.tls.ciphers.forEach((c, i) => {
      if (!ALLOWED_TLS12.test(c)) {
        reportFinding(report, { subject: "TLS 1.2 cipher suites in the spec", observed: `"${c}"`, expected: "ECDHE-{ECDSA,RSA}-AES256-GCM-SHA384 or ECDHE-{ECDSA,RSA}-CHACHA20-POLY1305", urn: view.urn, location: `spec.tls.ciphers[${i}]` });
      }
    });
    view.spec.tls.ciphersuites.forEach((c, i) => {
      if (!ALLOWED_TLS13.includes(c)) {
        reportFinding(report, { subject: "TLS 1.3 cipher suites in the spec", observed: `"${c}"`, expected: ALLOWED_TLS13.join(" or "), urn: view.urn, location: `spec.tls.ciphersuites[${i}]` });
      }
    });

    const files = await deliveredFiles(resources, view.model);
    const keyAlgorithms = serverKeyAlgorithms(resources, view.model);
    for (const s of mariadbSettingsNamed(files, ["ssl_cipher"])) {
      // OpenSSL cipher strings separate items with ':' (also ',' or spaces).
      const items = s.value.split(/[:,\s]+/).filter(Boolean);
      const bad = items.filter((item) => !allowed(item));
      if (bad.length || items.length === 0) {
        reportFinding(report, {
          subject: `TLS cipher suites of ${s.vm}'s MariaDB`,
          observed: items.length ? `${bad.join(", ")} in ssl_cipher` : "ssl_cipher empty",
          expected: EXPECTED,
          urn: s.urn,
          location: `${s.path} [${s.group}]`,
        });
      }
      // A client's ssl_cipher is what it proposes; only a server's suites depend on its own key.
      if (!isServerGroup(s.group)) continue;
      const keys = keyAlgorithms.get(s.vm);
      const tls12 = items.filter((item) => ALLOWED_TLS12.test(item));
      if (!keys || keys.length === 0) {
        if (tls12.length) {
          reportFinding(report, { subject: `TLS cipher suites of ${s.vm}'s MariaDB`, observed: "no certificate key of the stack for this server, so its TLS 1.2 suites cannot be matched to it", expected: "a certificate from the internal CA (a tls PrivateKey behind the server's certificate request)", urn: s.urn, location: `${s.path} [${s.group}]` });
        }
        continue;
      }
      const unusable = tls12.filter((item) => !(keys as readonly string[]).includes(/^ECDHE-(ECDSA|RSA)-/.exec(item)?.[1] ?? ""));
      if (unusable.length) {
        reportFinding(report, {
          subject: `TLS cipher suites of ${s.vm}'s MariaDB`,
          observed: `${unusable.join(", ")} in ssl_cipher, which an ${keys.join("/")} key cannot serve`,
          expected: `TLS 1.2 suites that authenticate with the server's ${keys.join("/")} key (ECDHE-${keys[0]}-*)`,
          urn: s.urn,
          location: `${s.path} [${s.group}]`,
        });
      }
    }
    for (const side of haproxyTlsSides(files)) {
      const subject = `TLS cipher suites of ${side.vm}'s HAProxy ${side.role === "server" ? "front end" : "connection to a backend"} (${side.what})`;
      const prefix = side.role === "server" ? "ssl-default-bind" : "ssl-default-server";
      const tls12 = (side.ciphers ?? "").split(/[:,\s]+/).filter(Boolean);
      const tls13 = (side.ciphersuites ?? "").split(/[:,\s]+/).filter(Boolean);
      const bad = [...tls12.filter((c) => !ALLOWED_TLS12.test(c)), ...tls13.filter((c) => !ALLOWED_TLS13.includes(c))];
      const unset = [...(tls12.length ? [] : [`${prefix}-ciphers`]), ...(tls13.length ? [] : [`${prefix}-ciphersuites`])];
      if (bad.length || unset.length) {
        reportFinding(report, {
          subject,
          observed: [bad.length ? `${bad.join(", ")} offered` : "", unset.length ? `${unset.join(" and ")} not set (OpenSSL's default suites, AES-128 among them)` : ""].filter(Boolean).join("; "),
          expected: EXPECTED,
          urn: side.file.urn,
          location: side.location,
        });
      }
    }
    for (const server of mariadbTlsServers(files)) {
      if (!effectiveValue(server.settings, "ssl_cipher")) {
        reportFinding(report, {
          subject: `TLS cipher suites of ${server.vm}'s MariaDB`,
          observed: "ssl_cipher not set (OpenSSL's default suites, AES-128 and CBC among them)",
          expected: EXPECTED,
          urn: server.enabledBy.urn,
          location: server.enabledBy.path,
        });
      }
    }
  });
}
