#!/usr/bin/env bash
# Builds, once, a Debian 13 (trixie) chroot holding trixie's corosync (3.1.9) and Pacemaker CLI (3.0), so the
# storage cluster's rendered files are also read by the versions trixie VMs run (the host runs bookworm's).
# Cached under out/ (about 300 MB, some 40 s to build); prints the chroot's path. Needs root and mmdebstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$PWD/out/trixie-validators"
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi
if ! command -v mmdebstrap >/dev/null; then
  echo '"mmdebstrap" is not installed: apt-get install -y --no-install-recommends mmdebstrap' >&2
  exit 2
fi
mkdir -p out
work="$(mktemp -d "$PWD/out/.trixie-validators.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mmdebstrap --quiet --variant=apt --include=pacemaker-cli-utils,corosync trixie "$work/root" >&2
touch "$work/root/.complete"
# Another run may have finished first: keep whichever complete chroot is there.
if ! mv -T "$work/root" "$dest" 2>/dev/null && [ ! -f "$dest/.complete" ]; then
  echo "could not put the chroot at $dest" >&2
  exit 1
fi
echo "$dest"
