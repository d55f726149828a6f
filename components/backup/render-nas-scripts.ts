import type { PlatformSpec } from "../spec/schema";
import { SSH_HOST_KEY_PATTERN } from "../spec/ssh-host-key";
import { checkIpv4, checkPath, checkUserName } from "../storage/minio-values";

// The storage daemon's NAS device mounts the NAS directory over sshfs when a copy job needs it and unmounts it
// after (Bacula's `Mount Command` / `Unmount Command`, run as the bacula user with the mount point as %m). The
// NAS is outside the cluster: the key is the stack's own, the host key is the spec's and no other is accepted.

export type OffsiteSpec = PlatformSpec["backupPolicy"]["offsite"];

export interface NasMountFiles {
  mountPoint: string;
  privateKey: string;
  knownHosts: string;
}

const HOST_KEY = new RegExp(SSH_HOST_KEY_PATTERN);

/** The spec's offsite fields, checked again for what reaches a script (the schema checked them first). */
function checkedOffsite(offsite: OffsiteSpec, where: string): OffsiteSpec {
  checkIpv4(offsite.nasAddress, `${where}: backupPolicy.offsite.nasAddress`);
  checkUserName(offsite.user, `${where}: backupPolicy.offsite.user`);
  checkPath(offsite.path, `${where}: backupPolicy.offsite.path`);
  if (!HOST_KEY.test(offsite.sshHostKey)) throw new Error(`${where}: backupPolicy.offsite.sshHostKey: expected an ssh-ed25519 or ssh-rsa public key, found ${JSON.stringify(offsite.sshHostKey.slice(0, 40))}`);
  return offsite;
}

/** The NAS's known_hosts: its address and the spec's host key (type and key; the comment is dropped). */
export function renderNasKnownHosts(offsite: OffsiteSpec): string {
  const { nasAddress, sshHostKey } = checkedOffsite(offsite, "NAS known_hosts");
  const [type, key] = sshHostKey.split(" ");
  return `${nasAddress} ${type} ${key}\n`;
}

function prelude(name: string, what: string, files: NasMountFiles): string {
  const mountPoint = checkPath(files.mountPoint, `${name}: mountPoint`);
  return `#!/bin/bash
# Rendered by the iBac toolkit: ${what}
# Called by the Bacula storage daemon (as the bacula user) with the NAS device's mount point as its argument.
set -euo pipefail
export LC_ALL=C
readonly NAME=${name}
readonly MOUNT_POINT=${mountPoint}

fail() {
  echo "$NAME: $*" >&2
  exit 1
}

# Only the mount point the storage daemon's NAS device names: never a directory a caller chose.
[ "$#" -le 1 ] || fail "expected at most one argument (the mount point), found $#"
if [ "$#" -eq 1 ] && [ "$1" != "$MOUNT_POINT" ]; then
  fail "expected the mount point $MOUNT_POINT, found $1"
fi
`;
}

/**
 * The mount script: sshfs with the stack's key, the pinned host key only (StrictHostKeyChecking=yes, no global
 * known_hosts), reconnecting after a dropped connection. It refuses a mount point that is already mounted or not
 * empty, so volumes are never written to the local disk under a missing mount, nor a mount stacked on another.
 */
export function renderNasMountScript(offsite: OffsiteSpec, files: NasMountFiles): string {
  const { nasAddress, user, path } = checkedOffsite(offsite, "ibac-nas-mount");
  const key = checkPath(files.privateKey, "ibac-nas-mount: privateKey");
  const knownHosts = checkPath(files.knownHosts, "ibac-nas-mount: knownHosts");
  const options = [
    `IdentityFile=${key}`,
    "IdentitiesOnly=yes",
    `UserKnownHostsFile=${knownHosts}`,
    "GlobalKnownHostsFile=/dev/null",
    "StrictHostKeyChecking=yes",
    "BatchMode=yes",
    "PasswordAuthentication=no",
    "reconnect",
    "ServerAliveInterval=15",
    "ServerAliveCountMax=3",
  ].join(",");
  return `${prelude("ibac-nas-mount", `mounts the NAS copy directory ${user}@${nasAddress}:${path} (sshfs, host key pinned).`, files)}
[ -d "$MOUNT_POINT" ] || fail "$MOUNT_POINT does not exist (the backup packages script creates it)"
if mountpoint -q "$MOUNT_POINT"; then
  fail "$MOUNT_POINT is already mounted: refusing to mount the NAS over it (unmount it first)"
fi
if [ -n "$(find "$MOUNT_POINT" -mindepth 1 -maxdepth 1 -print -quit)" ]; then
  fail "$MOUNT_POINT is not empty while unmounted: refusing to mount over files written to the local disk"
fi
[ -r ${key} ] || fail "cannot read the NAS key ${key}"
[ -r ${knownHosts} ] || fail "cannot read the NAS host key file ${knownHosts}"
sshfs ${user}@${nasAddress}:${path} "$MOUNT_POINT" -o ${options}
mountpoint -q "$MOUNT_POINT" || fail "sshfs returned but $MOUNT_POINT is not mounted"
`;
}

/** The unmount script: nothing to do when the NAS is not mounted; otherwise fusermount3 (sshfs runs as bacula). */
export function renderNasUnmountScript(files: NasMountFiles): string {
  return `${prelude("ibac-nas-unmount", "unmounts the NAS copy directory.", files)}
if ! mountpoint -q "$MOUNT_POINT"; then
  exit 0
fi
fusermount3 -u "$MOUNT_POINT"
`;
}
