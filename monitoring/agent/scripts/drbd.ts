// check_ibac_drbd RESOURCE. drbdadm (8.4) asks the kernel through drbdsetup, which needs root: run as root.
export const DRBD_SCRIPT = String.raw`#!/bin/sh
# check_ibac_drbd RESOURCE: the DRBD 8.4 resource is Connected and UpToDate on both sides.
unknown() { echo "DRBD UNKNOWN - $1"; exit 3; }

if ! { [ "$#" -eq 1 ] && case "$1" in '' | -* | *[!A-Za-z0-9_.-]*) false ;; esac; }; then unknown "usage: check_ibac_drbd RESOURCE"; fi
command -v drbdadm >/dev/null 2>&1 || unknown "drbdadm not found (Debian package drbd-utils)"

if ! cs=$(drbdadm cstate "$1" 2>&1); then unknown "drbdadm cstate $1: $cs"; fi
if ! ds=$(drbdadm dstate "$1" 2>&1); then unknown "drbdadm dstate $1: $ds"; fi
text="$1 $cs $ds"
case "$cs:$ds" in
  Connected:UpToDate/UpToDate) echo "DRBD OK - $text"; exit 0 ;;
  # A resync towards an UpToDate side is on its way back to redundancy.
  Sync*:UpToDate/Inconsistent | Sync*:Inconsistent/UpToDate | Sync*:UpToDate/Outdated | Sync*:Outdated/UpToDate)
    echo "DRBD WARNING - $text (resynchronising)"; exit 1 ;;
esac
echo "DRBD CRITICAL - $text"
exit 2
`;
