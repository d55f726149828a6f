#!/usr/bin/env bash
# Installs the Debian packages whose real programs check what the toolkit renders (see ARCHITECTURE.md):
# cloud-init validates user-data, openssh-server's sshd validates the SSH hardening drop-in; MariaDB
# (server, client, mariabackup) runs the database lab, with sshd and iproute2's network namespaces as its
# hosts; systemd's systemd-analyze checks the rendered units; strongSwan's charon (kernel-libipsec, with the
# standard plugins for AES-GCM and ECP-384) brings the rendered tunnels up between namespaces, tcpdump shows
# they carry only ESP; nftables checks and enforces the rendered rulesets; sslscan lists the suites a TLS
# server really offers; ssh-audit audits a real sshd started from the rendered drop-in; auditd's auditctl and
# augenrules parse and merge the rendered audit rules (util-linux's unshare gives them namespaces of their own);
# drbd-utils checks the rendered DRBD resource (drbdadm-84) and corosync and Pacemaker's CLI check and simulate
# the storage cluster (corosync -t, crm_verify, crm_simulate, with resource-agents' and drbd-utils' OCF agents;
# fence-agents' fence_pve and fence_ipmilan validate the rendered fence devices through stonith_admin --validate;
# mmdebstrap builds the trixie chroot whose corosync and Pacemaker read them too: scripts/build-trixie-validators.sh);
# qemu and busybox-static boot the two DRBD guests (scripts/build-drbd-guest.sh adds Debian's kernel); haproxy
# and keepalived check the rendered load-balancer files and run the load-balancer lab, whose client side uses
# monitoring-plugins-basic's check_http as well; Bacula's director (SQLite catalog), storage and file daemons and
# bconsole check the rendered Bacula files (-t, bdirjson) and run the backup lab on loopback, sqlite3 reads its
# catalog, and faketime runs the director at simulated times; nagios4-core checks the rendered monitoring objects
# (nagios4 -v) and runs them in the monitoring lab with monitoring-plugins-standard's check_mysql, NRPE's agent
# (liburiparser1 lets its check_curl load) and check_nrpe (sudo's visudo checks its sudoers drop-in, socat reads HAProxy's stats socket), and msmtp
# sending notifications through STARTTLS.
set -euo pipefail
packages=(cloud-init openssh-server openssh-client ssh-audit auditd util-linux shellcheck mariadb-server mariadb-client mariadb-backup iproute2 openssl systemd procps strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins tcpdump iputils-ping nftables sslscan python3 curl chromium fonts-dejavu-core drbd-utils corosync pacemaker pacemaker-cli-utils resource-agents fence-agents mmdebstrap qemu-system-x86 busybox-static haproxy keepalived monitoring-plugins-basic bacula-director bacula-director-sqlite3 bacula-sd bacula-fd bacula-console sqlite3 faketime nagios4-core monitoring-plugins-standard nagios-nrpe-server nagios-nrpe-plugin msmtp sudo socat liburiparser1)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
fi
echo "test dependencies present: ${packages[*]}"
# The qemu guest with Debian's kernel and DRBD 8.4 for the storage tests, built from those packages (cached
# under out/drbd-guest: rebuilt only when a package it is made of changes).
bash "$(dirname "$0")/build-drbd-guest.sh"
# The trixie chroot with the real MinIO client and python3-moto's S3 server for the FRS archive test (cached
# under out/s3-lab: built once, about 25 s).
bash "$(dirname "$0")/build-s3-lab.sh"
