/**
 * The key every certificate of the internal CA carries (components/pki/internal-ca.ts): ECDSA on NIST P-384,
 * at least as strong as the reference's RSA-4096 and much cheaper in every handshake. A TLS 1.2 suite names the
 * signature algorithm the server authenticates with, so the suites a server offers follow from this key
 * (see `tls12SuitesForKey` in tls-policy.ts). Said once here, read by the CA and the TLS policy.
 */
export const CERTIFICATE_KEY = { algorithm: "ECDSA", ecdsaCurve: "P384" } as const;

/** The authentication part of a TLS 1.2 suite name (`ECDHE-<auth>-...`) that a key of this algorithm can serve. */
export type SuiteAuthentication = "ECDSA" | "RSA";

/** The algorithm of a @pulumi/tls `PrivateKey` (`ECDSA`, `RSA`, `ED25519`) as a TLS 1.2 suite's authentication, if any. */
export function suiteAuthenticationOfKey(algorithm: string): SuiteAuthentication | undefined {
  return algorithm === "ECDSA" || algorithm === "RSA" ? algorithm : undefined;
}
