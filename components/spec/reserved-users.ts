// User names an admin account must not take: cloud-init would merge the admin into an existing system
// account (or fail on a group of that name) and the service's files would become the admin's.

/**
 * Debian's base system, from base-passwd (/usr/share/base-passwd/passwd.master and group.master on
 * Debian 12): users and groups with fixed ids on every Debian host.
 */
const DEBIAN_BASE = [
  "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data", "backup", "list", "irc", "gnats", "_apt", "nobody",
  "adm", "tty", "disk", "kmem", "dialout", "fax", "voice", "cdrom", "floppy", "tape", "sudo", "audio", "dip", "operator", "src", "shadow", "utmp", "video",
  "sasl", "plugdev", "staff", "users", "nogroup",
];

/**
 * Users the packages of a Debian 12/13 cloud image and of the platform's services create (their
 * postinst scripts and sysusers.d files): systemd, dbus, OpenSSH, chrony, MariaDB, HAProxy, keepalived,
 * Bacula, Nagios/Icinga, Shinken, MinIO, Pacemaker/Corosync, strongSwan, rsyslog, Postfix/Exim, SNMP,
 * polkit, TPM and rpcbind, and the toolkit's own deploy user (DEPLOY_USER in components/vm/render-cloud-init.ts).
 */
const SERVICE_USERS: Record<string, string> = {
  messagebus: "D-Bus", sshd: "OpenSSH", _chrony: "chrony", chrony: "chrony", ntp: "ntp", ntpsec: "NTPsec", polkitd: "polkit", tss: "the TPM stack",
  uuidd: "uuid-runtime", tcpdump: "tcpdump", _rpc: "rpcbind", statd: "nfs-common", systemd: "systemd",
  mysql: "MariaDB", mariadb: "MariaDB", haproxy: "HAProxy", keepalived: "keepalived", keepalived_script: "keepalived's scripts",
  bacula: "Bacula", tape_bacula: "Bacula", nagios: "Nagios and Icinga", icinga: "Icinga", shinken: "Shinken",
  minio: "MinIO", "minio-user": "MinIO", hacluster: "Pacemaker", haclient: "Pacemaker", coroqnetd: "corosync-qnetd",
  strongswan: "strongSwan", charon: "strongSwan", syslog: "rsyslog", postfix: "Postfix", "Debian-exim": "Exim", "Debian-snmp": "SNMP",
  "ibac-deploy": "the toolkit's deploy user",
};

/** Prefixes Debian keeps for system accounts: systemd's dynamic users and the "_name" convention. */
const RESERVED_PREFIXES: [string, string][] = [
  ["systemd-", "systemd's system users (systemd-network, systemd-timesync, ...)"],
  ["_", "Debian's convention for system users (_apt, _chrony, ...)"],
];

export const RESERVED_USER_NAMES: ReadonlySet<string> = new Set([...DEBIAN_BASE, ...Object.keys(SERVICE_USERS)]);

/** Why a name is reserved, or undefined when an admin may take it. */
export function reservedUserProblem(name: string): string | undefined {
  const owner = DEBIAN_BASE.includes(name) ? "Debian's base system (base-passwd)" : SERVICE_USERS[name] ?? RESERVED_PREFIXES.find(([p]) => name.startsWith(p))?.[1];
  if (!owner) return undefined;
  return `expected a user name no system account uses, found "${name}", reserved by ${owner}`;
}
