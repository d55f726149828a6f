// check_ibac_haproxy SOCKET. HAProxy's stats socket answers `show stat` with its CSV (types: 0 frontend,
// 1 backend, 2 server); socat talks to the UNIX socket (Debian package socat on the load balancers).
export const HAPROXY_SCRIPT = String.raw`#!/bin/sh
# check_ibac_haproxy SOCKET: every backend with servers has one UP (CRITICAL if none, WARNING if some are not).
unknown() { echo "HAPROXY UNKNOWN - $1"; exit 3; }

if ! { [ "$#" -eq 1 ] && case "$1" in /*) true ;; *) false ;; esac; }; then unknown "usage: check_ibac_haproxy SOCKET (absolute path)"; fi
command -v socat >/dev/null 2>&1 || unknown "socat not found (Debian package socat)"
[ -S "$1" ] || { echo "HAPROXY CRITICAL - no stats socket at $1"; exit 2; }
if ! csv=$(echo "show stat" | socat -t 2 - "UNIX-CONNECT:$1" 2>&1); then echo "HAPROXY CRITICAL - $1: $csv"; exit 2; fi

printf '%s\n' "$csv" | awk -F, '
  NR == 1 {
    if ($1 !~ /^# pxname/) { bad = 1; exit }
    sub(/^# /, "", $1)
    for (i = 1; i <= NF; i++) col[$i] = i
    next
  }
  $0 == "" { next }
  $col["type"] == 2 {
    if (!($1 in servers)) order[++n] = $1
    servers[$1]++
    # "no check": a server without health checks is taken as up, HAProxy sends it traffic too.
    if ($col["status"] ~ /^UP/ || $col["status"] == "no check") up[$1]++
  }
  END {
    if (bad || !("status" in col)) { print "HAPROXY UNKNOWN - the stats socket did not answer show stat with CSV"; exit 3 }
    state = 0
    for (i = 1; i <= n; i++) {
      b = order[i]; u = up[b] + 0
      if (u == 0) { crit = crit " " b; state = 2 }
      else if (u < servers[b]) { warn = warn " " b; if (state < 1) state = 1 }
      perf = perf " " b "=" u ";;1:;0;" servers[b]
    }
    if (n == 0) { print "HAPROXY UNKNOWN - no backend with servers"; exit 3 }
    text = n " backends"
    if (crit != "") text = text ", none up:" crit
    if (warn != "") text = text ", some down:" warn
    print "HAPROXY " (state == 2 ? "CRITICAL" : state == 1 ? "WARNING" : "OK") " - " text " |" perf
    exit state
  }'
`;
