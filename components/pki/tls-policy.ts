import type { PlatformSpec } from "../spec/schema";
import { CERTIFICATE_KEY, type SuiteAuthentication } from "./key-type";
import { revocationProblems } from "./revocation";

/**
 * The one statement of how the platform encrypts traffic, read by every renderer that speaks TLS or IPsec
 * (MariaDB, HAProxy, MinIO, swanctl), so that a change of policy is one change.
 */
export interface TlsPolicy {
  /** OpenSSL protocol names, oldest first: TLSv1.2 and TLSv1.3 only. */
  protocols: ("TLSv1.2" | "TLSv1.3")[];
  /**
   * TLS 1.2 suites (OpenSSL names) a server offers: ECDHE key exchange with AES-256-GCM or CHACHA20-POLY1305
   * only, authenticated with the servers' key type (`ECDHE-ECDSA-*`: every server key is ECDSA P-384).
   */
  tls12Ciphers: string[];
  /** The key type of every server certificate, which `tls12Ciphers` authenticate with. */
  serverKey: typeof CERTIFICATE_KEY;
  /** TLS 1.3 suites (OpenSSL names). */
  tls13Ciphersuites: string[];
  /** Every TLS client verifies its peer's certificate against the internal CA; never configurable off. */
  verifyPeer: true;
  /** IPsec: IKEv2 and ESP proposals in strongSwan's syntax, with perfect forward secrecy on every CHILD_SA. */
  ipsec: { ike: string; esp: string };
}

const ALLOWED_TLS12 = /^ECDHE-(ECDSA|RSA)-(AES256-GCM-SHA384|CHACHA20-POLY1305)$/;
const ALLOWED_TLS13 = new Set(["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]);

/** A spec's TLS settings that fall outside the policy, as `field: expected ..., found ...` problems. */
export function tlsPolicyProblems(spec: PlatformSpec): { path: (string | number)[]; detail: string }[] {
  const problems: { path: (string | number)[]; detail: string }[] = [];
  if (spec.tls.minVersion !== "1.2" && spec.tls.minVersion !== "1.3") {
    problems.push({ path: ["tls", "minVersion"], detail: `expected "1.2" or "1.3" (TLS 1.0 and 1.1 are not allowed), found "${spec.tls.minVersion}"` });
  }
  spec.tls.ciphers.forEach((c, i) => {
    if (!ALLOWED_TLS12.test(c)) problems.push({ path: ["tls", "ciphers", i], detail: `expected an ECDHE suite with AES256-GCM-SHA384 or CHACHA20-POLY1305, found "${c}"` });
  });
  spec.tls.ciphersuites.forEach((c, i) => {
    if (!ALLOWED_TLS13.has(c)) problems.push({ path: ["tls", "ciphersuites", i], detail: `expected one of ${[...ALLOWED_TLS13].join(", ")}, found "${c}"` });
  });
  // The revocation list belongs to the same PKI the TLS policy trusts; checked here so the spec's cross-checks see it.
  problems.push(...revocationProblems(spec));
  return problems;
}

/**
 * The spec's TLS 1.2 suites as a server with a key of `auth` can offer them. A TLS 1.2 suite fixes the
 * signature algorithm of the server's certificate: OpenSSL never selects `ECDHE-RSA-*` for an ECDSA key, so
 * listing it offers nothing and only misleads an auditor (and a scanner flags it). The spec (the seed's list)
 * names the cipher and the key exchange; the authentication follows from the key the CA issues, so each suite is
 * mapped to its equivalent for that key (`ECDHE-RSA-AES256-GCM-SHA384` -> `ECDHE-ECDSA-AES256-GCM-SHA384`),
 * duplicates dropped, order kept.
 */
export function tls12SuitesForKey(suites: readonly string[], auth: SuiteAuthentication): string[] {
  const mapped = suites.map((s) => s.replace(/^ECDHE-(ECDSA|RSA)-/, `ECDHE-${auth}-`));
  return mapped.filter((s, i) => mapped.indexOf(s) === i);
}

/** The policy of a spec whose TLS settings passed tlsPolicyProblems. */
export function tlsPolicy(spec: PlatformSpec): TlsPolicy {
  const problems = tlsPolicyProblems(spec);
  if (problems.length) throw new Error(`tls: ${problems.map((p) => `${p.path.join(".")}: ${p.detail}`).join("; ")}`);
  return {
    protocols: spec.tls.minVersion === "1.3" ? ["TLSv1.3"] : ["TLSv1.2", "TLSv1.3"],
    tls12Ciphers: tls12SuitesForKey(spec.tls.ciphers, CERTIFICATE_KEY.algorithm),
    serverKey: CERTIFICATE_KEY,
    tls13Ciphersuites: [...spec.tls.ciphersuites],
    verifyPeer: true,
    ipsec: { ike: "aes256gcm16-prfsha384-ecp384", esp: "aes256gcm16-ecp384" },
  };
}
