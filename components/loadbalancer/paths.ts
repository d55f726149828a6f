/**
 * The load balancer's own files on a VM, beside HAProxy's (haproxy-paths.ts) and keepalived's
 * (network/vrrp/keepalived-paths.ts). haproxy.cfg and keepalived.conf arrive in `stagedDir` first: the apply
 * script checks them with the daemons' own validators and only then installs them and reloads, so a bad file
 * never replaces a working one, on disk or in memory.
 */
export const LB_PATHS = {
  packagesScript: "/usr/local/sbin/ibac-lb-packages",
  applyScript: "/usr/local/sbin/ibac-lb-apply",
  /** keepalived's tracked check of HAProxy (run as the script user). */
  haproxyCheck: "/usr/local/libexec/ibac/check-haproxy",
  stateDir: "/var/lib/ibac/loadbalancer",
  stagedHaproxyCfg: "/var/lib/ibac/loadbalancer/staged/haproxy.cfg",
  stagedKeepalivedConf: "/var/lib/ibac/loadbalancer/staged/keepalived.conf",
  /** The copy keepalived 2.2.7 can check (keepalivedConfigTestCopy). */
  stagedKeepalivedTest: "/var/lib/ibac/loadbalancer/staged/keepalived.conf.config-test",
  digest: "/var/lib/ibac/loadbalancer/deployed.sha256",
  /** Debian's master-worker HAProxy writes its master's pid here (haproxy.service, -p). */
  haproxyPidFile: "/run/haproxy.pid",
} as const;
