import type { TlsPolicy } from "./tls-policy";

// The platform's TLS policy as HAProxy's global defaults, said once for every HAProxy the toolkit renders (the
// object store's S3 front, the API's load balancer): a change of policy is one change in tls-policy.ts.

/** An OpenSSL suite name: what a cipher list holds between its ':' separators (no keywords, spaces or '!'). */
const SUITE = /^[A-Z0-9][A-Z0-9_-]*$/;

function suiteList(suites: readonly string[], where: string): string {
  if (suites.length === 0) throw new Error(`${where}: expected at least one suite, found none`);
  for (const s of suites) {
    if (!SUITE.test(s)) throw new Error(`${where}: expected OpenSSL suite names such as ECDHE-ECDSA-AES256-GCM-SHA384, found ${JSON.stringify(s)}`);
  }
  return suites.join(":");
}

/**
 * The `global` lines that make every `bind ... ssl` and every `server ... ssl` follow the policy, indented for a
 * `global` section. Pure.
 *
 * - `ssl-default-bind-ciphers` (TLS 1.2) and `-ciphersuites` (TLS 1.3): the policy's suites only, by name.
 * - `ssl-default-bind-options ssl-min-ver <oldest allowed>`: TLS 1.0 and 1.1 refused whatever OpenSSL's own
 *   defaults are; `no-tls-tickets`: no session tickets, whose key HAProxy would keep for the process's life, so
 *   a resumed session keeps forward secrecy.
 * - The `server` side gets the same suites, floor and no tickets: HAProxy's own connections to a backend
 *   propose only what the policy allows, so the hop behind the proxy follows it too.
 *
 * Read the same by bookworm's HAProxy 2.6 and trixie's 3.0 (both built with OpenSSL 3).
 */
export function haproxyTlsDefaults(policy: Pick<TlsPolicy, "protocols" | "tls12Ciphers" | "tls13Ciphersuites">): string[] {
  const where = "haproxyTlsDefaults";
  const oldest = policy.protocols[0];
  if (oldest !== "TLSv1.2" && oldest !== "TLSv1.3") throw new Error(`${where}: protocols: expected TLSv1.2 or TLSv1.3 first, found ${JSON.stringify(oldest)}`);
  const tls13 = suiteList(policy.tls13Ciphersuites, `${where}: tls13Ciphersuites`);
  // Under a TLS 1.3 floor no TLS 1.2 suite can be negotiated; HAProxy still needs a valid list, so it keeps the policy's.
  const tls12 = suiteList(policy.tls12Ciphers, `${where}: tls12Ciphers`);
  return [
    `    ssl-default-bind-ciphers ${tls12}`,
    `    ssl-default-bind-ciphersuites ${tls13}`,
    `    ssl-default-bind-options ssl-min-ver ${oldest} no-tls-tickets`,
    `    ssl-default-server-ciphers ${tls12}`,
    `    ssl-default-server-ciphersuites ${tls13}`,
    `    ssl-default-server-options ssl-min-ver ${oldest} no-tls-tickets`,
  ];
}
