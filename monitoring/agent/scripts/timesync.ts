// check_ibac_timesync. timedatectl asks systemd-timedated over D-Bus, which any user may read.
export const TIMESYNC_SCRIPT = String.raw`#!/bin/sh
# check_ibac_timesync: systemd says the clock is synchronised (timedatectl show -p NTPSynchronized --value).
unknown() { echo "TIMESYNC UNKNOWN - $1"; exit 3; }

[ "$#" -eq 0 ] || unknown "usage: check_ibac_timesync (no arguments)"
command -v timedatectl >/dev/null 2>&1 || unknown "timedatectl not found (Debian package systemd)"
if ! state=$(timedatectl show -p NTPSynchronized --value 2>&1); then unknown "timedatectl failed: $state"; fi
case "$state" in
  yes) echo "TIMESYNC OK - clock synchronised"; exit 0 ;;
  no) echo "TIMESYNC CRITICAL - clock not synchronised"; exit 2 ;;
esac
unknown "timedatectl said \"$state\""
`;
