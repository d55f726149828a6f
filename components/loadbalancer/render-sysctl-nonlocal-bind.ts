/** The drop-in that lets HAProxy bind the API's address on the backup too. */
export const NONLOCAL_BIND_SYSCTL_PATH = "/etc/sysctl.d/60-ibac-nonlocal-bind.conf";

/**
 * net.ipv4.ip_nonlocal_bind=1: a socket may bind an address the VM does not hold (yet). Both load balancers
 * run HAProxy bound to the virtual address; keepalived adds it to the master only, and the backup serves the
 * moment it becomes master, without a restart. Applied at boot by systemd-sysctl, and by the tier's
 * follow-up (`sysctl -p`) before HAProxy starts.
 */
export function renderNonlocalBindSysctl(): string {
  return "# Rendered by the iBac toolkit: HAProxy binds the API's virtual address before keepalived adds it.\nnet.ipv4.ip_nonlocal_bind = 1\n";
}
