// check_ibac_cert_file FILE WARN_DAYS CRIT_DAYS, for certificates no TLS check reaches (agent, client, CA files).
export const CERT_FILE_SCRIPT = String.raw`#!/bin/sh
# check_ibac_cert_file FILE WARN_DAYS CRIT_DAYS: the certificate in FILE is valid for more than the thresholds.
unknown() { echo "CERT UNKNOWN - $1"; exit 3; }
is_int() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }

if ! { [ "$#" -eq 3 ] && is_int "$2" && is_int "$3" && [ "$2" -gt "$3" ]; }; then unknown "usage: check_ibac_cert_file FILE WARN_DAYS CRIT_DAYS (integers, WARN > CRIT)"; fi
command -v openssl >/dev/null 2>&1 || unknown "openssl not found (Debian package openssl)"
# A certificate a service needs that is missing or unreadable is as bad as an expired one.
if ! end=$(openssl x509 -in "$1" -noout -enddate 2>/dev/null); then echo "CERT CRITICAL - $1 is not a readable certificate"; exit 2; fi
end=$(printf '%s' "$end" | sed 's/^notAfter=//')
now=$(date +%s)
if ! until=$(date -d "$end" +%s 2>/dev/null); then unknown "cannot read the date \"$end\""; fi
days=$(((until - now) / 86400))
text="$1 expires $end ($days days) | days=$days;$2:;$3:"
if ! openssl x509 -in "$1" -noout -checkend "$(($3 * 86400))" >/dev/null; then echo "CERT CRITICAL - $text"; exit 2; fi
if ! openssl x509 -in "$1" -noout -checkend "$(($2 * 86400))" >/dev/null; then echo "CERT WARNING - $text"; exit 1; fi
echo "CERT OK - $text"
exit 0
`;
