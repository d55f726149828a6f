import type { DrbdResourcePlan, ReplicatedClusterPlan } from "./plan";
import { validateDrbdResourcePlan } from "./render-drbd-resource";

// The two scripts every replicated-volume VM runs: its packages first, its setup last (once every other file is
// in place). Shared by the object store and the backup tier; each passes its own paths and words.

/** What a cluster's packages script installs, how it names the cluster, and the lines it ends with. */
export interface ClusterPackagesText {
  clusterLabel: string;
  packages: readonly string[];
  /** Shell lines run after the install (each ending in a line break): what the cluster's own units need. */
  tail: string;
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * The first step of every deployment of a replicated-volume VM: the packages, before the files that name their
 * users and directories. corosync and pacemaker stay disabled until the setup script has put their keys and the
 * DRBD resource in place: a cluster that starts half-configured after an interrupted deployment could fence its
 * peer. That happens only when Pacemaker itself is new: a package added to the list later is installed on a
 * running cluster without stopping it.
 */
export function renderClusterPackagesScript(text: ClusterPackagesText): string {
  for (const p of text.packages) if (!PACKAGE.test(p)) throw new Error(`renderClusterPackagesScript: expected a Debian package name, found ${JSON.stringify(p)}`);
  const installed = (p: string): string => `dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q 'install ok installed'`;
  const checks = text.packages.map((p) => `   || ! ${installed(p)}`).join(" \\\n");
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs the ${text.clusterLabel}'s packages.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
new_cluster=0
if ! ${installed("pacemaker")}; then
  new_cluster=1
fi
if false \\
${checks}; then
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${text.packages.join(" ")}
fi
if [ "$new_cluster" = 1 ]; then
  systemctl disable --now pacemaker corosync corosync-qdevice
fi
${text.tail}`;
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

/** The files the setup script reads and writes on the VM. */
export interface ClusterPaths {
  corosyncAuthkeyBase64: string;
  corosyncAuthkey: string;
  cibConfiguration: string;
  packagesScript: string;
  setupScript: string;
  stateDir: string;
}

/** How the setup script names the VM, the cluster, the runbooks, and what it says about the group's units. */
export interface ClusterSetupText {
  vmLabel: string;
  clusterLabel: string;
  runbooks: string;
  unitsComment: string;
  paths: ClusterPaths;
}

/** What the setup script takes from the plan: the volume, the QDevice, the mount point. */
export interface ClusterSetupPlan {
  drbd: DrbdResourcePlan;
  cluster: Pick<ReplicatedClusterPlan, "qdeviceAddress">;
  mountPoint: string;
}

const SAFE_PATH = /^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;

/**
 * The script each deployment runs on a VM of a replicated volume once every other file is in place. Idempotent, and it never
 * destroys data: DRBD metadata is created only on a disk that has none and no file system, the initial sync
 * and the file system are made only on a resource that has never held data (its generation identifier is the
 * one `create-md` writes), and only on the first peer. The Pacemaker configuration is loaded on the first peer
 * while the cluster is quorate; the second peer joins it.
 *
 * Left to the operator (docs/design.md): enrolling the cluster with the QNetd (corosync-qdevice-net-certutil
 * needs SSH to the QDevice host, which no flow opens from the cluster's VMs).
 */
export function renderClusterSetupScript(plan: ClusterSetupPlan, vm: string, text: ClusterSetupText): string {
  const res = plan.drbd.name;
  const first = plan.drbd.peers[0].vm === vm;
  const paths = text.paths;
  const name = paths.setupScript.slice(paths.setupScript.lastIndexOf("/") + 1);
  if (!plan.drbd.peers.some((p) => p.vm === vm)) throw new Error(`renderClusterSetupScript: ${JSON.stringify(vm)} is not a peer of ${res}`);
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(res)) throw new Error(`renderClusterSetupScript: expected a resource name that is also an ext4 label (at most 16), found ${JSON.stringify(res)}`);
  for (const key of ["corosyncAuthkeyBase64", "corosyncAuthkey", "cibConfiguration", "packagesScript", "setupScript", "stateDir"] as const) {
    const value = paths[key];
    if (!SAFE_PATH.test(value)) throw new Error(`renderClusterSetupScript: paths.${key}: expected an absolute path, found ${JSON.stringify(value)}`);
  }
  validateDrbdResourcePlan(plan.drbd);
  for (const key of ["vmLabel", "clusterLabel", "runbooks", "unitsComment"] as const) {
    // Code's own words, in comments and double-quoted messages: nothing that ends a comment or a quoted string.
    if (!/^[A-Za-z0-9 ',.:()\[\]_-]+$/.test(text[key])) throw new Error(`renderClusterSetupScript: ${key}: expected plain words, found ${JSON.stringify(text[key])}`);
  }
  if (!SAFE_PATH.test(plan.mountPoint)) throw new Error(`renderClusterSetupScript: mountPoint: expected an absolute path, found ${JSON.stringify(plan.mountPoint)}`);
  return `#!/bin/bash
# Rendered by the iBac toolkit: brings this ${text.vmLabel} to its rendered state. Run by every deployment.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
state=${paths.stateDir}
install -d -m 0700 "$state"

${paths.packagesScript}
modprobe drbd
# fence_pve verifies the Proxmox API's certificate: the cluster's CA joins the system's trusted ones.
update-ca-certificates >/dev/null

# corosync's key: the same on both peers, root-only, written only when it changed.
umask 077
base64 -d ${paths.corosyncAuthkeyBase64} > "$state/authkey.new"
if ! cmp -s "$state/authkey.new" ${paths.corosyncAuthkey}; then
  install -m 0400 -o root -g root "$state/authkey.new" ${paths.corosyncAuthkey}
fi
rm -f "$state/authkey.new"

# DRBD metadata only on a disk that has none, and never over a file system (wipefs lists its signatures).
# An attached disk has its metadata already (dump-md refuses to read an attached one).
dstate=$(drbdadm dstate ${res} 2>/dev/null || echo Unconfigured)
case "\${dstate%%/*}" in
  Unconfigured|Diskless)
    if ! drbdadm dump-md ${res} >/dev/null 2>&1; then
      if [ -n "$(wipefs --noheadings ${plan.drbd.backingDisk})" ]; then
        echo "${name}: ${plan.drbd.backingDisk} holds a signature but no DRBD metadata; refusing to create any (see ${text.runbooks})" >&2
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
  mkfs.ext4 -q -L ${res} ${plan.drbd.device}
  drbdadm secondary ${res}
fi
` : ""}
install -d -m 0750 ${plan.mountPoint}
# ${text.unitsComment}
systemctl daemon-reload
systemctl enable --now corosync
${plan.cluster.qdeviceAddress ? `systemctl enable --now corosync-qdevice || echo '${name}: corosync-qdevice did not start: enrol the cluster with the QNetd (docs/design.md)' >&2\n` : ""}systemctl enable --now pacemaker
${first ? `
# The Pacemaker configuration, from the first peer, when the cluster is quorate and the file changed.
for _ in $(seq 1 60); do
  crm_mon --one-shot >/dev/null 2>&1 && break
  sleep 2
done
config_hash=$(sha256sum ${paths.cibConfiguration} | cut -d' ' -f1)
if [ "$(cat "$state/cib.sha256" 2>/dev/null)" != "$config_hash" ]; then
  if [ "$(crm_node --quorum)" != 1 ]; then
    echo "${name}: the ${text.clusterLabel} is not quorate; its configuration is not loaded (deploy again once it is)" >&2
    exit 1
  fi
  cibadmin --replace --scope configuration --xml-file ${paths.cibConfiguration}
  echo "$config_hash" > "$state/cib.sha256"
fi
` : ""}`;
}
