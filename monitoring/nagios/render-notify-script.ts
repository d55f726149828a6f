// ibac-notify: the notification command of every contact. Nagios starts it as `ibac-notify host|service`
// with no macro on its command line; everything it says comes from the NAGIOS_* environment
// (enable_environment_macros=1), so plugin output is never parsed by a shell. Header values lose every control
// character (a CR/LF in a plugin's output cannot add a header); the mail goes to msmtp with the address after
// `--`, so an address cannot become an option.

import type { NotificationPlan } from "../plan/types";
import type { EnginePaths } from "../paths";
import { filePath } from "./object-text";
import { senderAddress } from "./render-msmtprc";

export const DEFAULT_MAILER = "/usr/bin/msmtp";

export function renderNotifyScript(notifications: NotificationPlan, paths: EnginePaths, mailer: string = DEFAULT_MAILER): string {
  const from = senderAddress(notifications.from);
  const config = filePath(paths.msmtpConfig, "msmtpConfig");
  const program = filePath(mailer, "mailer");
  return `#!/bin/sh
# ibac-notify host|service: one notification mail from Nagios's environment macros. Rendered by ibac.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
LC_ALL=C
export LC_ALL

from='${from}'
msmtp_config='${config}'

# One header-safe line: no CR, LF or other control character, at most 200 characters.
clean() {
  printf '%s' "$1" | tr -d '\\000-\\037\\177' | cut -c 1-200
}

# A body line: control characters become blanks, lines at most 1000 characters.
body_line() {
  printf '%s: %s\\n' "$1" "$(printf '%s' "$2" | tr '\\000-\\037\\177' ' ' | cut -c 1-1000)"
}

kind=\${1:-}
address=$(clean "\${NAGIOS_CONTACTEMAIL:-}")
case "$address" in
  -*|'') echo "ibac-notify: no usable contact address in NAGIOS_CONTACTEMAIL" >&2; exit 3 ;;
  *@*) ;;
  *) echo "ibac-notify: no usable contact address in NAGIOS_CONTACTEMAIL" >&2; exit 3 ;;
esac

type=$(clean "\${NAGIOS_NOTIFICATIONTYPE:-PROBLEM}")
host=$(clean "\${NAGIOS_HOSTNAME:-unknown host}")
case "$kind" in
  host)
    state=$(clean "\${NAGIOS_HOSTSTATE:-UNKNOWN}")
    subject="** $type Host Alert: $host is $state **"
    ;;
  service)
    state=$(clean "\${NAGIOS_SERVICESTATE:-UNKNOWN}")
    service=$(clean "\${NAGIOS_SERVICEDESC:-unknown service}")
    subject="** $type Service Alert: $host/$service is $state **"
    ;;
  *)
    echo "ibac-notify: expected host or service, found '$kind'" >&2
    exit 3
    ;;
esac

{
  printf 'From: %s\\n' "$from"
  printf 'To: %s\\n' "$address"
  printf 'Subject: %s\\n' "$subject"
  printf 'Date: %s\\n' "$(date -R)"
  printf 'MIME-Version: 1.0\\n'
  printf 'Content-Type: text/plain; charset=UTF-8\\n'
  printf 'Auto-Submitted: auto-generated\\n'
  printf '\\n'
  body_line "Notification" "$type"
  body_line "Host" "$host"
  body_line "Address" "\${NAGIOS_HOSTADDRESS:-}"
  if [ "$kind" = service ]; then
    body_line "Service" "$service"
    body_line "State" "$state"
    body_line "Layer" "\${NAGIOS__SERVICELAYER:-}"
    body_line "Flow" "\${NAGIOS__SERVICEFLOW:-}"
    body_line "What" "\${NAGIOS_SERVICENOTES:-}"
    body_line "Output" "\${NAGIOS_SERVICEOUTPUT:-}"
  else
    body_line "State" "$state"
    body_line "Kind" "\${NAGIOS__HOSTKIND:-}"
    body_line "Tier" "\${NAGIOS__HOSTTIER:-}"
    body_line "Output" "\${NAGIOS_HOSTOUTPUT:-}"
  fi
  body_line "Time" "\${NAGIOS_LONGDATETIME:-}"
} | ${program} -C "$msmtp_config" -- "$address"
`;
}
