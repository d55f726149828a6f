import type { ObjectServicePlan } from "./storage-plan";
import { MINIO_CERTS_DIR } from "./minio-paths";
import { checkCredential, checkedService, checkPath } from "./minio-values";

export interface MinioEnvOptions {
  /** MINIO_ROOT_USER: the root access key (from the component's @pulumi/random secret, unwrapped in an apply). */
  rootUser: string;
  /** MINIO_ROOT_PASSWORD: the root secret key. */
  rootPassword: string;
  /** `--certs-dir`; the production path unless a test renders another. */
  certsDir?: string;
  /**
   * MINIO_KMS_SECRET_KEY's key: 32 random bytes, base64 (a @pulumi/random secret). MinIO's static key encrypts
   * every object (SSE-KMS by the buckets' default) and its own backend; without it no object is readable, so it
   * lives in Pulumi's state and on both VMs' system disks, never on the data disk it protects.
   */
  kmsKeyBase64?: string;
}

/** The name of MinIO's static encryption key: the buckets' default SSE-KMS key id. */
export const MINIO_KMS_KEY_NAME = "ibac-s3-key";
const BASE64_256_BITS = /^[A-Za-z0-9+/]{43}=$/;

/** MinIO's own bounds: the root user is an access key of at least 3 characters, its password at least 8. */
const ROOT_USER_MIN = 3;
const ROOT_PASSWORD_MIN = 8;

/**
 * The EnvironmentFile of `minio server` on a storage VM (`/etc/default/minio`). Pure.
 *
 * - MINIO_VOLUMES is the one data directory on the DRBD volume: MinIO's single-node single-drive mode.
 * - `--address 127.0.0.1:<backend port>`: MinIO listens on the loopback only. Its TLS suites are fixed by its
 *   build (AES-128-GCM among them, TLS_AES_128_GCM_SHA256 in TLS 1.3, which Go does not let a program turn off),
 *   so the platform's policy cannot hold on MinIO's own port: HAProxy terminates the clients' TLS on the service
 *   address with the policy's suites and re-encrypts to this port (render-s3-haproxy-cfg.ts). MinIO keeps its
 *   certificate and TLS: the loopback hop is encrypted and HAProxy verifies it.
 * - MINIO_BROWSER=off: no console listener at all (it would otherwise open a second, random port).
 * - MINIO_SERVER_URL is the name and port clients use and verify the certificate against (the internal CA's
 *   server name, HAProxy's port on the service address): what MinIO writes into the URLs it hands out.
 * - The root credentials are in this file, so it is a secret file: root:root 0600. systemd (PID 1) reads an
 *   EnvironmentFile as root before it switches to User=, so MinIO's user never needs to read it.
 *
 * Values are written unquoted: each is checked to hold nothing systemd's env-file parser reads as syntax.
 */
export function renderMinioEnv(service: ObjectServicePlan, opts: MinioEnvOptions): string {
  const where = "renderMinioEnv";
  checkedService(service, where);
  const certsDir = checkPath(opts.certsDir ?? MINIO_CERTS_DIR, `${where}: certsDir`);
  const user = checkCredential(opts.rootUser, `${where}: rootUser`, ROOT_USER_MIN);
  const password = checkCredential(opts.rootPassword, `${where}: rootPassword`, ROOT_PASSWORD_MIN);
  if (opts.kmsKeyBase64 !== undefined && !BASE64_256_BITS.test(opts.kmsKeyBase64)) {
    throw new Error(`${where}: kmsKeyBase64: expected 32 bytes in base64 (44 characters ending in =), found ${opts.kmsKeyBase64.length} characters (the value is a secret and not shown)`);
  }
  return [
    "# Rendered by the iBac toolkit: the environment of minio.service. It holds the root credentials:",
    "# root:root 0600, read by systemd before it drops to the service's user.",
    `MINIO_VOLUMES=${service.dataDir}`,
    `MINIO_OPTS="--address ${service.backend.address}:${service.backend.port} --certs-dir ${certsDir}"`,
    `MINIO_SERVER_URL=https://${service.serverName}:${service.port}`,
    "MINIO_BROWSER=off",
    `MINIO_ROOT_USER=${user}`,
    `MINIO_ROOT_PASSWORD=${password}`,
    ...(opts.kmsKeyBase64 !== undefined ? [`MINIO_KMS_SECRET_KEY=${MINIO_KMS_KEY_NAME}:${opts.kmsKeyBase64}`] : []),
    "",
  ].join("\n");
}
