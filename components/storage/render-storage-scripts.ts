import { STORAGE_PATHS } from "./paths";
import { DEBIAN_HAPROXY_UNIT } from "./s3-haproxy-paths";
import type { StoragePlan } from "./storage-plan";

/**
 * The packages a storage VM runs: DRBD's tools (the kernel module is in Debian's kernels, the cloud flavour's
 * too), corosync with the QDevice client, Pacemaker and its command-line tools, the OCF agents (ocf:linbit:drbd
 * comes with drbd-utils, Filesystem and IPaddr2 with resource-agents), the fence agents (fence_pve,
 * fence_ipmilan) and HAProxy (the S3 TLS in front of MinIO). Unverified here: the package names on trixie
 * (fence-agents is split there).
 */
export const STORAGE_PACKAGES = ["drbd-utils", "corosync", "corosync-qdevice", "pacemaker", "pacemaker-cli-utils", "resource-agents", "fence-agents", "haproxy", "curl", "ca-certificates"] as const;

/**
 * The first step of every storage deployment: the packages, before the files that name their users and
 * directories. corosync and pacemaker stay disabled until the setup script has put their keys and the DRBD
 * resource in place: a cluster that starts half-configured after an interrupted deployment could fence its peer.
 * That happens only when Pacemaker itself is new: a package added to the list later (HAProxy was) is installed
 * on a running cluster without stopping it. Debian's haproxy.service, which the package enables and starts with
 * its default config, is masked at once: HAProxy runs here only as Pacemaker's ibac-s3-haproxy.service.
 */
export function renderStoragePackagesScript(): string {
  const installed = (p: string): string => `dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q 'install ok installed'`;
  const checks = STORAGE_PACKAGES.map((p) => `   || ! ${installed(p)}`).join(" \\\n");
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs the storage cluster's packages.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
new_cluster=0
if ! ${installed("pacemaker")}; then
  new_cluster=1
fi
if false \\
${checks}; then
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${STORAGE_PACKAGES.join(" ")}
fi
if [ "$new_cluster" = 1 ]; then
  systemctl disable --now pacemaker corosync corosync-qdevice
fi
systemctl mask --now ${DEBIAN_HAPROXY_UNIT}
`;
}

/**
 * A password script the CIB names (`password_script`): prints one fence agent's password from its root-only
 * file, so that the password is in no CIB, command line or process list.
 */
export function renderFencePasswordScript(secretFile: string): string {
  if (!/^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/.test(secretFile)) throw new Error(`renderFencePasswordScript: expected an absolute path, found ${JSON.stringify(secretFile)}`);
  return `#!/bin/sh
# Rendered by the iBac toolkit: a fence agent's password_script; the password stays in a root-only file.
exec cat ${secretFile}
`;
}

/**
 * The script each deployment runs on a storage VM once every other file is in place. Idempotent, and it never
 * destroys data: DRBD metadata is created only on a disk that has none and no file system, the initial sync
 * and the file system are made only on a resource that has never held data (its generation identifier is the
 * one `create-md` writes), and only on the first peer. The Pacemaker configuration is loaded on the first peer
 * while the cluster is quorate; the second peer joins it.
 *
 * Left to the operator (docs/design.md): enrolling the storage cluster with the QNetd (corosync-qdevice-net-certutil
 * needs SSH to the QDevice host, which no flow opens from the storage VMs).
 */
export function renderStorageSetupScript(plan: StoragePlan, vm: string): string {
  const res = plan.drbd.name;
  const first = plan.drbd.peers[0].vm === vm;
  return `#!/bin/bash
# Rendered by the iBac toolkit: brings this storage VM to its rendered state. Run by every deployment.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
state=${STORAGE_PATHS.stateDir}
install -d -m 0700 "$state"

${STORAGE_PATHS.packagesScript}
modprobe drbd
# fence_pve verifies the Proxmox API's certificate: the cluster's CA joins the system's trusted ones.
update-ca-certificates >/dev/null

# corosync's key: the same on both peers, root-only, written only when it changed.
umask 077
base64 -d ${STORAGE_PATHS.corosyncAuthkeyBase64} > "$state/authkey.new"
if ! cmp -s "$state/authkey.new" ${STORAGE_PATHS.corosyncAuthkey}; then
  install -m 0400 -o root -g root "$state/authkey.new" ${STORAGE_PATHS.corosyncAuthkey}
fi
rm -f "$state/authkey.new"

# DRBD metadata only on a disk that has none, and never over a file system (wipefs lists its signatures).
# An attached disk has its metadata already (dump-md refuses to read an attached one).
dstate=$(drbdadm dstate ${res} 2>/dev/null || echo Unconfigured)
case "\${dstate%%/*}" in
  Unconfigured|Diskless)
    if ! drbdadm dump-md ${res} >/dev/null 2>&1; then
      if [ -n "$(wipefs --noheadings ${plan.drbd.backingDisk})" ]; then
        echo "ibac-storage-setup: ${plan.drbd.backingDisk} holds a signature but no DRBD metadata; refusing to create any (see the storage runbooks)" >&2
        exit 1
      fi
      drbdadm create-md ${res}
    fi
    ;;
esac
drbdadm adjust ${res}
${first ? `
# The first sync, once: only while both sides still carry the identifier create-md wrote (never held data).
fresh=0000000000000004
for _ in $(seq 1 60); do
  [ "$(drbdadm cstate ${res})" = Connected ] && break
  sleep 2
done
if [ "$(drbdadm cstate ${res})" = Connected ] && [ "$(drbdadm dstate ${res})" = Inconsistent/Inconsistent ] \\
   && [ "$(drbdadm get-gi ${res} | cut -d: -f1)" = "$fresh" ]; then
  drbdadm primary --force ${res}
  mkfs.ext4 -q -L ibac-s3 ${plan.drbd.device}
  drbdadm secondary ${res}
fi
` : ""}
install -d -m 0750 ${plan.service.mountPoint}
# minio.service and ibac-s3-haproxy.service are Pacemaker's: loaded, never enabled (no [Install] section).
systemctl daemon-reload
systemctl enable --now corosync
${plan.cluster.qdeviceAddress ? "systemctl enable --now corosync-qdevice || echo 'ibac-storage-setup: corosync-qdevice did not start: enrol the cluster with the QNetd (docs/design.md)' >&2\n" : ""}systemctl enable --now pacemaker
${first ? `
# The Pacemaker configuration, from the first peer, when the cluster is quorate and the file changed.
for _ in $(seq 1 60); do
  crm_mon --one-shot >/dev/null 2>&1 && break
  sleep 2
done
config_hash=$(sha256sum ${STORAGE_PATHS.cibConfiguration} | cut -d' ' -f1)
if [ "$(cat "$state/cib.sha256" 2>/dev/null)" != "$config_hash" ]; then
  if [ "$(crm_node --quorum)" != 1 ]; then
    echo "ibac-storage-setup: the storage cluster is not quorate; its configuration is not loaded (deploy again once it is)" >&2
    exit 1
  fi
  cibadmin --replace --scope configuration --xml-file ${STORAGE_PATHS.cibConfiguration}
  echo "$config_hash" > "$state/cib.sha256"
fi
` : ""}`;
}
