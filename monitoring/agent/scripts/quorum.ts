// check_ibac_quorum. corosync-quorumtool talks to corosync's IPC, which admits root only by default.
export const QUORUM_SCRIPT = String.raw`#!/bin/sh
# check_ibac_quorum: corosync is quorate (corosync-quorumtool -s: exit 0 quorate, 2 not quorate, 1 error).
unknown() { echo "QUORUM UNKNOWN - $1"; exit 3; }

[ "$#" -eq 0 ] || unknown "usage: check_ibac_quorum (no arguments)"
command -v corosync-quorumtool >/dev/null 2>&1 || unknown "corosync-quorumtool not found (Debian package corosync)"

out=$(corosync-quorumtool -s 2>&1)
rc=$?
votes() { printf '%s\n' "$out" | awk -F: -v k="$1" '$1 == k { gsub(/[^0-9]/, "", $2); print $2; exit }'; }
total=$(votes "Total votes")
expected=$(votes "Expected votes")
needed=$(votes "Quorum")
perf="| votes=$total;;$needed;0;$expected"
case "$rc" in
  0) echo "QUORUM OK - quorate, $total of $expected votes (quorum $needed) $perf"; exit 0 ;;
  2) echo "QUORUM CRITICAL - not quorate, $total of $expected votes (quorum $needed) $perf"; exit 2 ;;
esac
# corosync not running or refusing us: the node cannot be part of a quorate cluster either.
echo "QUORUM CRITICAL - corosync-quorumtool -s failed (exit $rc): $(printf '%s' "$out" | head -n 1)"
exit 2
`;
