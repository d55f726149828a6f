// check_ibac_vrrp INSTANCE: keepalived 2.2 has no query command, so its own data dump is read: SIGUSR1
// (`keepalived --signum=DATA`) makes it write keepalived.data, with a "State = ..." line per VRRP instance,
// into its TMPDIR (default /tmp). The file is read through /proc/PID/root as keepalived sees its /tmp, so a
// private /tmp on either side (NRPE's unit has PrivateTmp=true) does not hide it. Signalling a root daemon
// needs root: run as root. The VIP on an interface was not chosen: it cannot tell BACKUP from FAULT.
export const VRRP_SCRIPT = String.raw`#!/bin/sh
# check_ibac_vrrp INSTANCE: keepalived's VRRP instance is MASTER or BACKUP (OK), not FAULT or missing (CRITICAL).
pidfile=/run/keepalived.pid
# Tests point this at their own keepalived; NRPE and sudo both clear the environment on a host.
[ -n "$IBAC_KEEPALIVED_PID" ] && pidfile=$IBAC_KEEPALIVED_PID
unknown() { echo "VRRP UNKNOWN - $1"; exit 3; }

if ! { [ "$#" -eq 1 ] && case "$1" in '' | *[!A-Za-z0-9_.-]*) false ;; esac; }; then unknown "usage: check_ibac_vrrp INSTANCE"; fi
pid=$(head -n 1 "$pidfile" 2>/dev/null)
case "$pid" in '' | *[!0-9]*) echo "VRRP CRITICAL - keepalived is not running (no pid in $pidfile)"; exit 2 ;; esac
[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = keepalived ] || { echo "VRRP CRITICAL - keepalived is not running (pid $pid)"; exit 2; }

tmpdir=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^TMPDIR=//p' | head -n 1)
[ -n "$tmpdir" ] || tmpdir=/tmp
data="/proc/$pid/root$tmpdir/keepalived.data"
rm -f "$data"
kill -USR1 "$pid" || unknown "cannot signal keepalived ($pid)"
# keepalived's VRRP process writes the file after the signal; wait for its topology section (up to 3 s).
tries=0
until grep -q '^------< VRRP Topology >------' "$data" 2>/dev/null && grep -q '^ *Using src_ip\|^ *Interface = ' "$data"; do
  tries=$((tries + 1))
  [ "$tries" -le 30 ] || unknown "keepalived ($pid) wrote no data dump to $tmpdir/keepalived.data"
  sleep 0.1
done
state=$(awk -v name="$1" '
  $0 ~ /^ VRRP Instance = / { inside = ($4 == name) }
  inside && $1 == "State" && $2 == "=" { print $3; exit }' "$data")
case "$state" in
  MASTER | BACKUP) echo "VRRP OK - $1 is $state"; exit 0 ;;
  "") echo "VRRP CRITICAL - keepalived has no VRRP instance $1"; exit 2 ;;
esac
echo "VRRP CRITICAL - $1 is $state"
exit 2
`;
