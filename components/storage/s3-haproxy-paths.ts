// Where the object store's HAProxy (the S3 TLS front of MinIO) lives on a storage VM: said once, read by its
// config, its unit, the CIB, the setup script, the policy and the tests.

export const HAPROXY_BINARY = "/usr/sbin/haproxy";
/** Its own file, not Debian's /etc/haproxy/haproxy.cfg: a conffile the package would ask about on upgrade. */
export const S3_HAPROXY_CONFIG = "/etc/haproxy/ibac-s3.cfg";
/** The service's certificate and key in one PEM (HAProxy's `crt`): a secret, root-only, read before HAProxy drops root. */
export const S3_HAPROXY_CERT = "/etc/haproxy/certs/ibac-s3.pem";
/**
 * Its own unit, Pacemaker's resource `systemd:ibac-s3-haproxy`: Debian's haproxy.service restarts by itself
 * (Restart=always, behind Pacemaker's back) and is enabled at boot; the setup script masks that one.
 */
export const S3_HAPROXY_UNIT = "ibac-s3-haproxy.service";
export const S3_HAPROXY_UNIT_PATH = `/etc/systemd/system/${S3_HAPROXY_UNIT}`;
/** The package's own unit, which never runs on a storage VM. */
export const DEBIAN_HAPROXY_UNIT = "haproxy.service";
