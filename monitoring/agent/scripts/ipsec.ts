// check_ibac_ipsec CONNECTION. swanctl talks to charon over the VICI socket (root only): run as root.
export const IPSEC_SCRIPT = String.raw`#!/bin/sh
# check_ibac_ipsec CONNECTION: an IKE SA of the connection is ESTABLISHED with a CHILD_SA INSTALLED.
unknown() { echo "IPSEC UNKNOWN - $1"; exit 3; }

if ! { [ "$#" -eq 1 ] && case "$1" in '' | -* | *[!A-Za-z0-9_.-]*) false ;; esac; }; then unknown "usage: check_ibac_ipsec CONNECTION"; fi
command -v swanctl >/dev/null 2>&1 || unknown "swanctl not found (Debian package strongswan-swanctl)"
if ! sas=$(swanctl --list-sas --ike "$1" 2>&1); then
  echo "IPSEC CRITICAL - swanctl --list-sas failed: $(printf '%s' "$sas" | head -n 1)"
  exit 2
fi

# IKE SA lines start in column 1 ("NAME: #1, ESTABLISHED, IKEv2, ..."), CHILD_SA lines are indented by two
# ("  child: #1, reqid 1, INSTALLED, TUNNEL, ...").
printf '%s\n' "$sas" | awk -v ike="$1" '
  index($0, ike ": #") == 1 { ikes++; if ($0 ~ /, ESTABLISHED,/) established++ }
  /^  [^ ].*: #[0-9]+, reqid [0-9]+, / { if ($0 ~ /, INSTALLED,/) installed++ }
  END {
    text = ike ": " established + 0 " of " ikes + 0 " IKE SAs established, " installed + 0 " CHILD_SAs installed | ike_established=" established + 0 " child_installed=" installed + 0
    if (established && installed) { print "IPSEC OK - " text; exit 0 }
    print "IPSEC CRITICAL - " text
    exit 2
  }'
`;
