/** The drop-in that lets a service bind its tier's virtual address where keepalived has not put it (yet). */
export const NONLOCAL_BIND_SYSCTL_PATH = "/etc/sysctl.d/60-ibac-nonlocal-bind.conf";

/**
 * net.ipv4.ip_nonlocal_bind=1: a socket may bind an address the VM does not hold. Every VM that may hold a
 * virtual address runs its service bound to it all the time (HAProxy on the load balancers, mariadbd on the
 * database servers); keepalived adds the address to one VM only, and that VM serves the moment it gets it,
 * with no restart. Applied at boot by systemd-sysctl, and by the tier's follow-up (`sysctl -p`) before the
 * service starts. Said once for every tier with a virtual address.
 */
export function renderNonlocalBindSysctl(): string {
  return "# Rendered by the iBac toolkit: services bind their tier's virtual address before keepalived adds it here.\nnet.ipv4.ip_nonlocal_bind = 1\n";
}
