// check_ibac_memory WARN_PCT CRIT_PCT. MemAvailable is the kernel's own estimate of what can be allocated
// without swapping (page cache included), so "free" memory eaten by cache does not raise a false alarm.
export const MEMORY_SCRIPT = String.raw`#!/bin/sh
# check_ibac_memory WARN_PCT CRIT_PCT: MemAvailable in percent of MemTotal, WARNING/CRITICAL below the thresholds.
meminfo=/proc/meminfo
# Tests point this at a fixture; NRPE and sudo both clear the environment, so on a host it is always /proc.
[ -n "$IBAC_MEMINFO" ] && meminfo=$IBAC_MEMINFO

unknown() { echo "MEMORY UNKNOWN - $1"; exit 3; }
is_int() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }

if ! { [ "$#" -eq 2 ] && is_int "$1" && is_int "$2" && [ "$1" -gt "$2" ] && [ "$1" -le 100 ]; }; then unknown "usage: check_ibac_memory WARN_PCT CRIT_PCT (integers, 100 >= WARN > CRIT)"; fi
[ -r "$meminfo" ] || unknown "cannot read $meminfo"
total=$(awk '$1 == "MemTotal:" { print $2 }' "$meminfo")
avail=$(awk '$1 == "MemAvailable:" { print $2 }' "$meminfo")
if ! { is_int "$total" && is_int "$avail" && [ "$total" -gt 0 ]; }; then unknown "no MemTotal/MemAvailable in $meminfo"; fi

pct=$((avail * 100 / total))
text="$pct% available ($((avail / 1024)) of $((total / 1024)) MiB) | available=$pct%;$1:;$2:;0;100"
if [ "$pct" -lt "$2" ]; then echo "MEMORY CRITICAL - $text"; exit 2; fi
if [ "$pct" -lt "$1" ]; then echo "MEMORY WARNING - $text"; exit 1; fi
echo "MEMORY OK - $text"
exit 0
`;
