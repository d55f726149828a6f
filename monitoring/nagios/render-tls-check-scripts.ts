// Two check scripts for TLS endpoints, because Debian 12's plugins (2.3.3) cannot do it in one run (verified):
// - check_tcp -S -D checks a certificate's expiry but verifies neither its chain nor its name;
// - check_curl -D --ca-cert verifies chain and name, but with -C and --continue-after-certificate it prints
//   the expiry WARNING and then exits with the HTTP result (0): the warning would be lost.
// So ibac-check-tls verifies with `openssl s_client -verify_return_error -verify_hostname` and checks expiry
// with check_tcp; ibac-check-https runs check_curl for the request and again for the expiry. Each exits with
// the worse state (CRITICAL, UNKNOWN, WARNING, OK) and prints that result's line first. Their arguments come
// from commands.cfg, checked against strict patterns there; the CA and the plugins are rendered in.

import type { EnginePaths } from "../paths";
import { filePath } from "./object-text";

export const TLS_CHECK_SCRIPT = "ibac-check-tls";
export const HTTPS_CHECK_SCRIPT = "ibac-check-https";

const WORST = `# The worse of two plugin states: CRITICAL, then UNKNOWN, then WARNING, then OK.
worst() {
  for state in 2 3 1 0; do
    if [ "$1" = "$state" ] || [ "$2" = "$state" ]; then
      echo "$state"
      return
    fi
  done
  echo 3
}

# The first result's lines, then the second's: Nagios shows the first line, so the worse one goes first.
report() {
  state=$(worst "$1" "$3")
  if [ "$state" = "$1" ]; then
    printf '%s\\n%s\\n' "$2" "$4"
  else
    printf '%s\\n%s\\n' "$4" "$2"
  fi
  exit "$state"
}`;

function header(name: string, usage: string, paths: EnginePaths): string {
  return `#!/bin/sh
# ${name} ${usage}. Rendered by ibac.
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

plugins='${filePath(paths.pluginDir, "pluginDir")}'
ca='${filePath(paths.caFile, "caFile")}'

if [ "$#" -ne ${usage.split(" ").length} ]; then
  echo "UNKNOWN - usage: ${name} ${usage}"
  exit 3
fi

${WORST}
`;
}

export function renderTlsCheckScript(paths: EnginePaths): string {
  const usage = "ADDRESS PORT NAME WARN_DAYS CRIT_DAYS";
  return `${header(TLS_CHECK_SCRIPT, usage, paths)}
address=$1 port=$2 name=$3 warn=$4 crit=$5

if handshake=$(timeout 10 openssl s_client -connect "$address:$port" -servername "$name" -verify_hostname "$name" \\
  -CAfile "$ca" -verify_return_error -brief </dev/null 2>&1); then
  verify_state=0
  verify="TLS OK - $name on $address:$port verified against the internal CA"
else
  verify_state=2
  reason=$(printf '%s\\n' "$handshake" | grep -m 1 -E 'verify error|errno|error' | cut -c 1-200)
  verify="TLS CRITICAL - $name on $address:$port not verified: $reason"
fi

expiry=$("$plugins/check_tcp" -H "$address" -p "$port" -S --sni="$name" -D "$warn,$crit" 2>&1)
expiry_state=$?

report "$verify_state" "$verify" "$expiry_state" "$expiry"
`;
}

export function renderHttpsCheckScript(paths: EnginePaths): string {
  const usage = "ADDRESS PORT NAME PATH EXPECT WARN_DAYS CRIT_DAYS";
  return `${header(HTTPS_CHECK_SCRIPT, usage, paths)}
address=$1 port=$2 name=$3 path=$4 expect=$5 warn=$6 crit=$7

# The request, over TLS verified against the internal CA (chain and name: -D).
request=$("$plugins/check_curl" -I "$address" -H "$name" -p "$port" -S1.2+ --sni --ca-cert="$ca" -D -u "$path" -e "$expect" 2>&1)
request_state=$?

# The certificate's expiry (without --continue-after-certificate its state is the exit status).
expiry=$("$plugins/check_curl" -I "$address" -H "$name" -p "$port" -S1.2+ --sni --ca-cert="$ca" -D -C "$warn,$crit" 2>&1)
expiry_state=$?

report "$request_state" "$request" "$expiry_state" "$expiry"
`;
}
