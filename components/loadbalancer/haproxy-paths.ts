import { PRODUCTION_LOCAL_SYSLOG, type LocalSyslog } from "../logging/local-syslog";

/**
 * Where HAProxy's files are and where it logs. Production uses Debian's layout; a lab runs HAProxy from a
 * temporary directory, which is the only thing it changes in the rendered file.
 */
export interface HaproxyPaths {
  configFile: string;
  /** The front certificate, its chain and its private key in one PEM (`crt`); root-only. */
  frontPem: string;
  /** The internal CA the API instances' certificates are verified against, and its CRL. */
  caFile: string;
  crlFile: string;
  /** The stats socket monitoring and the lb-status runbook read (`show stat`, `show info`). */
  statsSocket: string;
  /** Where the workers chroot to once the files are read (undefined: no chroot, in a lab). */
  chroot?: string;
  /** The logging seam. */
  log: LocalSyslog;
}

export const PRODUCTION_HAPROXY_PATHS: HaproxyPaths = {
  configFile: "/etc/haproxy/haproxy.cfg",
  frontPem: "/etc/haproxy/tls/front.pem",
  caFile: "/etc/haproxy/tls/ca.pem",
  crlFile: "/etc/haproxy/tls/crl.pem",
  statsSocket: "/run/haproxy/stats.sock",
  // Debian's unit bind-mounts /dev/log into the chroot (BindReadOnlyPaths=/dev/log:/var/lib/haproxy/dev/log).
  chroot: "/var/lib/haproxy",
  log: PRODUCTION_LOCAL_SYSLOG,
};
