// check_ibac_engine [LOCK_FILE STATUS_FILE MAX_AGE_SECONDS]: the standby's check of the active engine. Without
// arguments it takes the files monitoring/nagios renders (lock_file and status_file in the state directory
// /var/lib/nagios4, status_update_interval 10 s) and allows six status intervals.
export const ENGINE_SCRIPT = String.raw`#!/bin/sh
# check_ibac_engine [LOCK_FILE STATUS_FILE MAX_AGE_SECONDS]: the process in LOCK_FILE is nagios4 and it wrote
# STATUS_FILE within MAX_AGE_SECONDS (a hung engine keeps its pid but stops writing its status).
unknown() { echo "ENGINE UNKNOWN - $1"; exit 3; }
is_int() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }

[ "$#" -eq 0 ] && set -- /var/lib/nagios4/nagios.lock /var/lib/nagios4/status.dat 60
if ! { [ "$#" -eq 3 ] && is_int "$3" && [ "$3" -gt 0 ]; }; then unknown "usage: check_ibac_engine [LOCK_FILE STATUS_FILE MAX_AGE_SECONDS]"; fi
pid=$(head -n 1 "$1" 2>/dev/null)
is_int "$pid" || { echo "ENGINE CRITICAL - no pid in $1"; exit 2; }
comm=$(cat "/proc/$pid/comm" 2>/dev/null)
[ "$comm" = nagios4 ] || { echo "ENGINE CRITICAL - process $pid of $1 is not running nagios4"; exit 2; }
if ! written=$(stat -c %Y "$2" 2>/dev/null); then echo "ENGINE CRITICAL - nagios4 ($pid) runs but $2 is missing"; exit 2; fi
age=$(($(date +%s) - written))
text="nagios4 ($pid) wrote $2 $age s ago | status_age=$age""s;;$3;0"
if [ "$age" -gt "$3" ]; then echo "ENGINE CRITICAL - $text"; exit 2; fi
echo "ENGINE OK - $text"
exit 0
`;
