// ibac-standby-takeover: the standby's event handler (standby.cfg). Nagios passes the active VM's host state
// and the state of its engine check as arguments (state words only: UP, DOWN, HARD, ...). It writes
// ENABLE_NOTIFICATIONS to the standby's own command pipe while the active engine is down (host DOWN or
// UNREACHABLE, or the engine check CRITICAL, each HARD), DISABLE_NOTIFICATIONS once both are UP/OK again,
// and nothing in between, so a soft state changes nothing.

import type { EnginePaths } from "../paths";
import { filePath } from "./object-text";

export function renderTakeoverScript(paths: EnginePaths): string {
  const commandFile = filePath(paths.commandFile, "commandFile");
  return `#!/bin/sh
# ibac-standby-takeover HOSTSTATE HOSTSTATETYPE SERVICESTATE SERVICESTATETYPE. Rendered by ibac.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

command_file='${commandFile}'

host_state=\${1:-}
host_type=\${2:-}
engine_state=\${3:-}
engine_type=\${4:-}

command=
case "$host_state:$host_type" in
  DOWN:HARD|UNREACHABLE:HARD) command=ENABLE_NOTIFICATIONS ;;
esac
if [ "$engine_state:$engine_type" = CRITICAL:HARD ]; then
  command=ENABLE_NOTIFICATIONS
fi
if [ -z "$command" ] && [ "$host_state" = UP ] && [ "$engine_state" = OK ]; then
  command=DISABLE_NOTIFICATIONS
fi
[ -n "$command" ] || exit 0

if [ ! -p "$command_file" ]; then
  echo "ibac-standby-takeover: $command_file is not the engine's command pipe" >&2
  exit 1
fi
printf '[%s] %s\\n' "$(date +%s)" "$command" > "$command_file"
logger -t ibac-standby-takeover -- "$command (active host $host_state $host_type, engine $engine_state $engine_type)" || true
`;
}
