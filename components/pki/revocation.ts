import type { PlatformSpec } from "../spec/schema";
import { formatFieldPath } from "../input/input-error";

/** The CAs of the platform: the root (servers and gateways) and one issuing CA per kind of VPN peer. */
export const CA_NAMES = ["platform", "mobiles", "site"] as const;
export type CaName = (typeof CA_NAMES)[number];

export type RevokedCertificate = NonNullable<PlatformSpec["pki"]>["revoked"][number];

/**
 * How long a CRL stays valid. The CRLs are pushed by the deployment to every verifier (nothing fetches them, so
 * an old one cannot be replayed), and every verifier checks revocation strictly: a CRL past its next update
 * would make every peer fail at once. It is re-signed whenever the revocation list or the CA changes; the
 * operator's yearly re-signing (`pulumi up --replace` of the CRL command, see docs/design.md) keeps it in date.
 */
export const CRL_VALIDITY_DAYS = 400;

function realDay(text: string): boolean {
  const [y, m, d] = text.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 2000 && y < 2050;
}

/** The spec's revocation list as `field: expected ..., found ...` problems (dates that exist, no serial twice per CA). */
export function revocationProblems(spec: PlatformSpec): { path: (string | number)[]; detail: string }[] {
  const problems: { path: (string | number)[]; detail: string }[] = [];
  const seen = new Map<string, number>();
  (spec.pki?.revoked ?? []).forEach((r, i) => {
    if (!realDay(r.revokedOn)) problems.push({ path: ["pki", "revoked", i, "revokedOn"], detail: `expected a calendar day between 2000-01-01 and 2049-12-31 (YYYY-MM-DD), found "${r.revokedOn}"` });
    const key = `${r.issuer}/${r.serial.toUpperCase()}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push({ path: ["pki", "revoked", i, "serial"], detail: `expected each serial once per issuer, found "${r.serial}" of ${r.issuer} again (first at ${formatFieldPath(["pki", "revoked", first])})` });
    else seen.set(key, i);
  });
  return problems;
}

/** The entries of one CA's CRL: its revoked certificates, in the spec's order. */
export function revokedBy(spec: PlatformSpec, ca: CaName): RevokedCertificate[] {
  return (spec.pki?.revoked ?? []).filter((r) => r.issuer === ca);
}

/**
 * `openssl ca`'s database (index.txt) listing the revoked certificates: status R, an expiry openssl does not
 * read for a CRL, the revocation time (UTCTime, with the reason), the serial (upper-case hex), no file, a
 * placeholder subject. Only validated values (hex serials, checked days, enumerated reasons) reach it.
 */
export function crlIndex(entries: readonly RevokedCertificate[]): string {
  return entries.map((r) => {
    if (!/^([0-9A-Fa-f]{2})+$/.test(r.serial) || !realDay(r.revokedOn)) throw new Error(`revocation: invalid entry ${JSON.stringify(r)}`);
    const when = `${r.revokedOn.slice(2).replace(/-/g, "")}000000Z${r.reason ? `,${r.reason}` : ""}`;
    return `R\t491231235959Z\t${when}\t${r.serial.toUpperCase()}\tunknown\t/CN=revoked\n`;
  }).join("");
}

/**
 * The shell command that signs a CRL with `openssl ca -gencrl`, run on the deploying machine by a
 * `command.local.Command`: the CA key arrives on standard input (a Pulumi secret, never on a command line,
 * in the environment or in a file), the CA certificate and the index in the environment; the PEM CRL is printed on standard output.
 * The CRL number is the signing time (YYYYMMDDHHMMSS read as hex), so it grows with every new CRL.
 */
export function crlSigningScript(validityDays: number = CRL_VALIDITY_DAYS): string {
  if (!Number.isInteger(validityDays) || validityDays < 1) throw new Error(`revocation: CRL validity must be a positive number of days, found ${validityDays}`);
  return [
    "set -eu",
    "umask 077",
    // The key, read once from standard input into a shell variable (not exported, never on a command line):
    // openssl then reads it from a pipe, so it never touches a disk.
    'key=$(cat)',
    '[ -n "$key" ] || { echo "no CA key on standard input" >&2; exit 2; }',
    'd=$(mktemp -d)',
    "trap 'rm -rf \"$d\"' EXIT",
    'printf \'%s\\n\' "$IBAC_CA_CERT" > "$d/ca.pem"',
    'printf \'%s\' "$IBAC_CRL_INDEX" > "$d/index.txt"',
    'date -u +%Y%m%d%H%M%S > "$d/crlnumber"',
    'printf \'[ca]\\ndefault_ca = ibac\\n[ibac]\\ndatabase = %s/index.txt\\ncrlnumber = %s/crlnumber\\ndefault_md = sha384\\ncrl_extensions = crl_ext\\n[crl_ext]\\nauthorityKeyIdentifier = keyid:always\\n\' "$d" "$d" > "$d/ca.cnf"',
    `printf '%s\\n' "$key" | openssl ca -batch -gencrl -config "$d/ca.cnf" -cert "$d/ca.pem" -keyfile /dev/stdin -crldays ${validityDays} 2>"$d/err" || { cat "$d/err" >&2; exit 1; }`,
  ].join("\n");
}
