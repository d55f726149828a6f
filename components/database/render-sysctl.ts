export const NONLOCAL_BIND_SYSCTL_PATH = "/etc/sysctl.d/60-ibac-database-vip.conf";

/**
 * mariadbd binds the databasePrimary address on every database server (render-my-cnf.ts), also where
 * keepalived has not put it (a replica, or the primary before keepalived starts): Linux refuses to bind an
 * address that is not local unless ip_nonlocal_bind is on. The server listens on it all the time, so
 * the address answers the moment keepalived adds it, with no restart of MariaDB.
 */
export function renderNonlocalBindSysctl(): string {
  return "# Rendered by the iBac toolkit: mariadbd binds the databasePrimary virtual address before keepalived holds it.\nnet.ipv4.ip_nonlocal_bind = 1\n";
}
