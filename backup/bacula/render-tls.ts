// The TLS directives every Bacula resource that talks to another daemon carries: TLS with the internal CA,
// required (no clear-text fallback), the peer's certificate verified. A server side names who may connect
// (`TLS Allowed CN`); a client side checks the server's certificate against the address it dials (Bacula 9.6
// compares the host with the certificate's DNS names and CN, so each certificate carries its address as a DNS
// name: see baculaCertificates in certificates.ts).
import type { BaculaTlsFiles } from "./paths";
import { absolutePath, line, quote } from "./quote";

/**
 * A server side (it accepts connections: `TLS Verify Peer` and the names allowed) or a client side (it dials).
 * Bacula 9.6 takes `TLS Allowed CN` on a client side only in the director's Client resource, where it replaces
 * the check of the address against the certificate by a check of the name (`dialedCns`; verified live in
 * bacula-tls-names.test.ts); elsewhere the dialing side checks the address (see certificates.ts).
 */
export type TlsSide =
  | { files: BaculaTlsFiles; server: { allowedCns: readonly string[] }; dialedCns?: undefined }
  | { files: BaculaTlsFiles; server?: undefined; dialedCns?: readonly string[] };

export function tlsLines(side: TlsSide, what: string): string[] {
  const allowed = side.server?.allowedCns ?? side.dialedCns ?? [];
  if ((side.server || side.dialedCns) && allowed.length === 0) throw new Error(`bacula: ${what}: expected at least one certificate name allowed, found none`);
  return [
    line("TLS Enable", "yes"),
    line("TLS Require", "yes"),
    ...(side.server ? [line("TLS Verify Peer", "yes")] : []),
    line("TLS CA Certificate File", absolutePath(side.files.caCertificate, `${what}.tlsCaCertificate`)),
    line("TLS Certificate", absolutePath(side.files.certificate, `${what}.tlsCertificate`)),
    line("TLS Key", absolutePath(side.files.key, `${what}.tlsKey`)),
    ...allowed.map((cn) => line("TLS Allowed CN", quote(cn, `${what}.tlsAllowedCn`))),
  ];
}
