import { LOG_SOURCES, PRODUCTION_LOCAL_SYSLOG, type LocalSyslog } from "../logging/local-syslog";
import { haproxyTlsDefaults } from "../pki/render-haproxy-tls";
import type { TlsPolicy } from "../pki/tls-policy";
import type { ObjectServicePlan } from "./storage-plan";
import { MINIO_CA_FILE } from "./minio-paths";
import { checkedService, checkPath } from "./minio-values";
import { S3_HAPROXY_CERT } from "./s3-haproxy-paths";

export interface S3HaproxyOptions {
  /** The service's certificate and key in one PEM; the production path unless a test renders another. */
  certFile?: string;
  /** The internal CA HAProxy verifies MinIO's certificate with; the production path unless a test renders another. */
  caFile?: string;
  /** Where HAProxy logs (the logging seam); the VM's syslog socket unless a test renders another. */
  log?: LocalSyslog;
}

/** The names the policy and the tests read the file by. */
export const S3_FRONTEND = "s3";
export const MINIO_BACKEND = "minio";

/** MinIO's liveness endpoint (no authentication; 200 while the server runs). */
export const MINIO_LIVE_PATH = "/minio/health/live";

/**
 * Idle timeouts of a connection, either way. S3 transfers stream without pause, so these bite only on a client
 * or a MinIO that stopped sending: long enough for a slow client's multipart part, short enough that a vanished
 * one does not hold a connection for hours.
 */
const IDLE_TIMEOUT = "5m";

/**
 * HAProxy on a storage VM (`/etc/haproxy/ibac-s3.cfg`): the object store's S3 TLS, with the platform's policy.
 * Pure.
 *
 * MinIO's TLS suites are fixed by its build (TLS_AES_128_GCM_SHA256 and ECDHE-*-AES128-GCM-SHA256 among them,
 * which the policy does not allow; Go's crypto/tls does not let a program restrict TLS 1.3 suites), so MinIO
 * listens on the loopback only and HAProxy serves the service address and port instead:
 *
 * - `bind <service address>:<port> ssl crt ...`: the address Pacemaker moves. HAProxy is a member of the
 *   service group after the address (render-cib.ts), so it starts only where the address is up and needs no
 *   `ip_nonlocal_bind`. The suites and the TLS floor are the global defaults from the one policy.
 * - `mode tcp`: HAProxy decrypts and re-encrypts the byte stream and reads nothing in it. S3's signatures cover
 *   the Host header, the path and the query; an HTTP-mode proxy that normalises any of them breaks them, and
 *   streaming (aws-chunked) uploads, presigned URLs and 100-continue need nothing of a proxy. The client's
 *   address, which MinIO now sees as 127.0.0.1, is in HAProxy's connection log (`option tcplog`).
 * - `server ... ssl verify required ca-file <internal CA> verifyhost <server name>`: the loopback hop stays TLS
 *   with MinIO's certificate, checked against the internal CA and the service's name; a MinIO that presents
 *   another certificate gets no traffic. The `server` side proposes the policy's suites too.
 * - A health check of MinIO's liveness endpoint over that same verified TLS, so HAProxy's log says when MinIO
 *   behind it stops answering. Recovery is Pacemaker's (MinIO's and HAProxy's monitors), not HAProxy's.
 *
 * `chroot`, `user` and `group` are Debian's (the haproxy package creates them). Read the same by bookworm's
 * HAProxy 2.6 and trixie's 3.0.
 */
export function renderS3HaproxyCfg(service: ObjectServicePlan, policy: Pick<TlsPolicy, "protocols" | "tls12Ciphers" | "tls13Ciphersuites">, opts: S3HaproxyOptions = {}): string {
  const where = "renderS3HaproxyCfg";
  checkedService(service, where);
  const cert = checkPath(opts.certFile ?? S3_HAPROXY_CERT, `${where}: certFile`);
  const ca = checkPath(opts.caFile ?? MINIO_CA_FILE, `${where}: caFile`);
  const { backend } = service;
  const log = opts.log ?? PRODUCTION_LOCAL_SYSLOG;
  if (!/^(\/[A-Za-z0-9._-]+)+$|^[0-9.]+:[0-9]{1,5}$/.test(log.target)) throw new Error(`${where}: log.target: expected a socket path or address:port, found ${JSON.stringify(log.target)}`);
  return [
    "# Rendered by the iBac toolkit: the object store's S3 TLS on the service address, in front of MinIO on the",
    "# loopback. Started and stopped by Pacemaker (ibac-s3-haproxy.service) where the service address is up.",
    "global",
    `    log ${log.target} ${LOG_SOURCES.haproxy.facility}`,
    "    chroot /var/lib/haproxy",
    "    user haproxy",
    "    group haproxy",
    "    # The platform's TLS policy (components/pki/tls-policy.ts), for the clients' side and MinIO's alike.",
    ...haproxyTlsDefaults(policy),
    "",
    "defaults",
    "    log global",
    "    mode tcp",
    "    option tcplog",
    "    timeout connect 5s",
    `    timeout client ${IDLE_TIMEOUT}`,
    `    timeout server ${IDLE_TIMEOUT}`,
    "",
    `frontend ${S3_FRONTEND}`,
    `    bind ${service.address}:${service.port} ssl crt ${cert}`,
    `    default_backend ${MINIO_BACKEND}`,
    "",
    `backend ${MINIO_BACKEND}`,
    "    option httpchk",
    `    http-check send meth GET uri ${MINIO_LIVE_PATH} ver HTTP/1.1 hdr Host ${service.serverName}`,
    "    http-check expect status 200",
    `    server minio ${backend.address}:${backend.port} ssl verify required ca-file ${ca} verifyhost ${service.serverName} check inter 5s`,
    "",
  ].join("\n");
}
