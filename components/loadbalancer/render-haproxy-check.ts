/**
 * keepalived's tracked check of HAProxy: exit 0 while HAProxy's master process (the pid file's) runs, 1
 * otherwise, so a load balancer whose HAProxy is gone gives the API's address up (FAULT) instead of holding an
 * address nobody serves. Plain bash over /proc: it runs as the unprivileged script user, which may read the
 * pid file and /proc/PID/comm but could not signal a root process (kill -0 would fail with EPERM).
 * A script rather than keepalived's track_process: that one listens to the kernel's process connector, whose
 * events come from the initial network namespace's socket, and the labs run keepalived in namespaces of their
 * own (not measured here); the script behaves alike in both.
 */
export function renderHaproxyCheck(pidFile: string): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(pidFile)) throw new Error(`HAProxy's pid file: expected an absolute path of letters, digits and ._/-, found "${pidFile}"`);
  return `#!/bin/bash
# Rendered by the iBac toolkit: is HAProxy running? (keepalived's track script for the API's address)
set -u
pid=''
read -r pid < '${pidFile}' 2>/dev/null || exit 1
[[ $pid =~ ^[0-9]{1,10}$ ]] || exit 1
comm=''
read -r comm < "/proc/$pid/comm" 2>/dev/null || exit 1
[[ $comm == haproxy ]]
`;
}
