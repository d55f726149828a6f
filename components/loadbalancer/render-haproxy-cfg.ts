import type { TlsPolicy } from "../pki/tls-policy";
import { LOG_SOURCES } from "../logging/local-syslog";
import type { HaproxyPaths } from "./haproxy-paths";
import type { LoadBalancerPlan } from "./lb-plan";

/** The backend's name in haproxy.cfg (the stats socket's `pxname`, which the lb-status runbook reads). */
export const API_BACKEND = "api";
export const FRONTEND = "api_https";

/** HSTS: two years, the app only ever speaks HTTPS to these names. */
const HSTS_MAX_AGE_S = 63_072_000;

const SAFE_PATH = /^\/[A-Za-z0-9._/+-]+$/;
const SAFE_TARGET = /^(\/[A-Za-z0-9._/+-]+|[0-9.]+:[0-9]{1,5})$/;
const DNS_NAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOST_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const IPV4 = /^([0-9]{1,3}\.){3}[0-9]{1,3}$/;

function checkPaths(paths: HaproxyPaths): void {
  for (const [field, value] of [["frontPem", paths.frontPem], ["caFile", paths.caFile], ["crlFile", paths.crlFile], ["statsSocket", paths.statsSocket], ["chroot", paths.chroot]] as const) {
    if (value !== undefined && !SAFE_PATH.test(value)) throw new Error(`haproxy paths.${field}: expected an absolute path of letters, digits and ._/+-, found "${value}"`);
  }
  if (!SAFE_TARGET.test(paths.log.target)) throw new Error(`haproxy paths.log.target: expected a socket path or address:port, found "${paths.log.target}"`);
}

function checkPlan(plan: LoadBalancerPlan): void {
  if (!IPV4.test(plan.frontend.address)) throw new Error(`frontend address: expected an IPv4 address, found "${plan.frontend.address}"`);
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(plan.healthCheck.path)) throw new Error(`health path: expected a path of letters, digits and ._~/-, found "${plan.healthCheck.path}"`);
  for (const b of plan.backends) {
    if (!HOST_NAME.test(b.name) || !DNS_NAME.test(b.fqdn) || !IPV4.test(b.address)) throw new Error(`backend ${JSON.stringify(b.name)}: expected a host name, an fqdn and an IPv4 address, found ${JSON.stringify(b)}`);
  }
}

/**
 * haproxy.cfg of a load balancer: TLS termination on the API's virtual address with the one TLS policy,
 * HTTP health checks of the API instances, retries that hide a dying instance, and re-encryption to the
 * instances with their certificates verified against the internal CA and its CRL. Pure.
 */
export function renderHaproxyCfg(plan: LoadBalancerPlan, tls: TlsPolicy, paths: HaproxyPaths): string {
  checkPaths(paths);
  checkPlan(plan);
  const minVersion = tls.protocols[0];
  const ciphers = tls.tls12Ciphers.join(":");
  const suites = tls.tls13Ciphersuites.join(":");
  const { intervalMs, timeoutMs, fall, rise, path } = plan.healthCheck;
  // Once one check failed, the next ones come twice as fast: an instance is out sooner, a blip costs nothing
  // more (it takes `fall` failures in a row). A down instance is checked at the normal rate.
  const fastinter = Math.max(100, Math.floor(intervalMs / 2));
  const { facility } = LOG_SOURCES.haproxy;
  const servers = plan.backends
    .map((b) => `    server ${b.name} ${b.address}:${b.port} sni str(${b.fqdn}) verifyhost ${b.fqdn} check-sni ${b.fqdn}\n`)
    .join("");
  return `# Rendered by the iBac toolkit: HAProxy in front of the API.
global
    log ${paths.log.target} ${facility}
${paths.chroot ? `    chroot ${paths.chroot}\n` : ""}    user haproxy
    group haproxy
    # Monitoring and the lb-status runbook read it: level user (show stat, show info) changes nothing.
    stats socket ${paths.statsSocket} mode 660 level user
    stats timeout 30s
    # The one TLS policy (components/pki/tls-policy.ts), for what clients reach and for what HAProxy dials.
    ssl-default-bind-ciphers ${ciphers}
    ssl-default-bind-ciphersuites ${suites}
    ssl-default-bind-options ssl-min-ver ${minVersion} no-tls-tickets
    ssl-default-server-ciphers ${ciphers}
    ssl-default-server-ciphersuites ${suites}
    ssl-default-server-options ssl-min-ver ${minVersion} no-tls-tickets

defaults
    log global
    mode http
    option httplog
    option forwardfor
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout queue 5s
    # A failed attempt is retried up to 3 times, each on another instance (redispatch on every retry).
    retries 3
    option redispatch 1
    # What is retried: conn-failure (the request never reached an instance: safe for every method),
    # empty-response (the instance closed without answering: a killed instance's in-flight requests),
    # response-timeout and 503 (an instance stuck or shutting down). The last three may follow a request the
    # instance did process, so the frontend turns them off for every method but GET, HEAD and OPTIONS
    # (disable-l7-retry): a POST is retried only when it never reached an instance. HAProxy retries only what it
    # still holds in its buffer, which a safe method's bodiless request always fits; so no http-buffer-request.
    retry-on conn-failure empty-response response-timeout 503

frontend ${FRONTEND}
    # The address only the VRRP master holds: the backup binds it too (net.ipv4.ip_nonlocal_bind=1, the
    # sysctl drop-in), so it serves as soon as keepalived moves the address to it.
    bind ${plan.frontend.address}:${plan.frontend.port} ssl crt ${paths.frontPem} alpn h2,http/1.1
    http-request disable-l7-retry unless { method GET HEAD OPTIONS }
    http-request set-header X-Forwarded-Proto https
    http-response set-header Strict-Transport-Security "max-age=${HSTS_MAX_AGE_S}"
    default_backend ${API_BACKEND}

backend ${API_BACKEND}
    # Round robin: the API's calls are short and alike, so turns spread them evenly (leastconn pays off for
    # long-lived connections, which the API has none of); a slow instance fails its checks instead.
    balance roundrobin
    option httpchk
    http-check send meth GET uri ${path}
    http-check expect status 200
    timeout check ${timeoutMs}
    # Re-encrypted to every instance, whose certificate must verify against the internal CA, not be revoked,
    # and name the instance's fqdn (verifyhost), asked for by SNI on requests and checks alike.
    default-server check inter ${intervalMs} fastinter ${fastinter} downinter ${intervalMs} fall ${fall} rise ${rise} ssl verify required ca-file ${paths.caFile} crl-file ${paths.crlFile}
${servers}`;
}
