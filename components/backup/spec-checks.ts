import { X509Certificate } from "node:crypto";
import type { PlatformSpec } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";
import { rotationProblems } from "../../backup/rotation/rotation-problems";

/** Bacula's PKI data encryption wraps each file's session key with RSA: the master key must be an RSA key. */
export const MASTER_KEY_MIN_BITS = 3072;

/** The master certificate's problem, or undefined: it must be an X.509 certificate of an RSA key of 3072 bits or more. */
export function masterCertificateProblem(pem: string): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (err) {
    return `expected a PEM certificate that parses as X.509, found one that does not (${err instanceof Error ? err.message : String(err)})`;
  }
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== "rsa") {
    return `expected the certificate of an RSA key (Bacula's PKI encryption takes RSA only), found a ${key.asymmetricKeyType ?? "unknown"} key`;
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MASTER_KEY_MIN_BITS) return `expected an RSA key of ${MASTER_KEY_MIN_BITS} bits or more, found ${bits} bits`;
  return undefined;
}

/** The backup tier's meaning checks: what the schema cannot say about `backup` and `backupPolicy`. */
export function backupProblems(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [...rotationProblems(spec.backupPolicy.photos)];
  if (spec.backup.count !== 2) {
    problems.push({
      path: ["backup", "count"],
      detail: `expected 2 (the backup volume is one DRBD resource between two VMs; the director and storage daemon move with it), found ${spec.backup.count}`,
    });
  }
  const master = masterCertificateProblem(spec.backupPolicy.encryption.masterCertificate);
  if (master) problems.push({ path: ["backupPolicy", "encryption", "masterCertificate"], detail: master });
  if (spec.backupPolicy.offsite.user === "root") {
    problems.push({
      path: ["backupPolicy", "offsite", "user"],
      detail: 'expected an unprivileged NAS account, found "root": the backup VMs would hold a key that controls the NAS, the one copy meant to survive the cluster',
    });
  }
  return problems;
}
