import { PRODUCTION_KEEPALIVED_PATHS } from "../network/vrrp/keepalived-paths";
import { KEEPALIVED_SCRIPT_USER } from "../network/vrrp/render-keepalived-conf";
import { PRODUCTION_HAPROXY_PATHS } from "./haproxy-paths";
import { LB_PATHS } from "./paths";
import { NONLOCAL_BIND_SYSCTL_PATH } from "../network/vrrp/render-nonlocal-bind-sysctl";

/** The packages a load balancer runs; socat is how the lb-status runbook reads HAProxy's stats socket. */
export const LB_PACKAGES = ["haproxy", "keepalived", "socat"] as const;

/**
 * The first step of every load-balancer deployment: HAProxy and keepalived, and the unprivileged user
 * keepalived runs its scripts as (no home, no shell). Idempotent; the apply script runs it again.
 * keepalived does not start on install (its unit wants a keepalived.conf); HAProxy starts with Debian's
 * file, which serves nothing.
 */
export function renderLbPackagesScript(): string {
  const checks = LB_PACKAGES.map((p) => `   || ! dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q 'install ok installed'`).join(" \\\n");
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs HAProxy and keepalived, and keepalived's script user.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if false \\
${checks}; then
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${LB_PACKAGES.join(" ")}
fi
if ! id -u ${KEEPALIVED_SCRIPT_USER} >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${KEEPALIVED_SCRIPT_USER}
fi
`;
}

/**
 * The follow-up of the deployed digest: once every file is in place, check the staged haproxy.cfg and
 * keepalived.conf with the daemons' own validators and only then install them and reload. A file that fails
 * stops the deployment here (set -e) with the running daemons and their installed files untouched.
 */
export function renderLbApplyScript(): string {
  const h = PRODUCTION_HAPROXY_PATHS;
  const k = PRODUCTION_KEEPALIVED_PATHS;
  return `#!/bin/bash
# Rendered by the iBac toolkit: checks, installs and reloads the load balancer's HAProxy and keepalived files.
set -euo pipefail
${LB_PATHS.packagesScript}
sysctl -q -p ${NONLOCAL_BIND_SYSCTL_PATH}
# keepalived 2.2.7 cannot config-test a file with a non-root script_user (acassen/keepalived#2617): it checks
# the copy that differs in that line only; the user the real file names must exist.
id -u ${KEEPALIVED_SCRIPT_USER} >/dev/null
haproxy -c -q -f ${LB_PATHS.stagedHaproxyCfg}
keepalived --config-test --use-file ${LB_PATHS.stagedKeepalivedTest}
install -D -m 0644 -o root -g root ${LB_PATHS.stagedHaproxyCfg} ${h.configFile}
install -D -m 0644 -o root -g root ${LB_PATHS.stagedKeepalivedConf} ${k.configFile}
systemctl enable haproxy.service keepalived.service
# HAProxy first: the address moves to this VM only once keepalived runs, and its check wants HAProxy up.
systemctl reload-or-restart haproxy.service
systemctl reload-or-restart keepalived.service
`;
}
