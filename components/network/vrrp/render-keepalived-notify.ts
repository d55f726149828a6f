import { LOG_SOURCES, type LocalSyslog } from "../../logging/local-syslog";

/**
 * keepalived's notify script: logs every transition of every instance (name, new state, priority) to the
 * logging seam. keepalived calls it as `notify TYPE NAME STATE PRIORITY`; each value is checked against what
 * keepalived sends before it reaches the log, so a caller passing other text gets a fixed rejection line, never
 * its text. Runs as the script user (logger needs nothing else).
 */
export function renderKeepalivedNotify(syslog: LocalSyslog): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(syslog.target)) throw new Error(`keepalived's notify script logs to a syslog socket (an absolute path), found "${syslog.target}"`);
  const { facility, tag } = LOG_SOURCES.keepalivedNotify;
  return `#!/bin/bash
# Rendered by the iBac toolkit: logs keepalived's VRRP transitions (keepalived's notify script).
set -u
readonly SOCKET='${syslog.target}'

log() {
  logger -u "$SOCKET" -t ${tag} -p "${facility}.$1" -- "$2"
}

reject() {
  log warning "rejected a notification: $1"
  exit 2
}

[[ $# -eq 4 ]] || reject "expected 4 arguments (type, name, state, priority), found $#"
type=$1
name=$2
state=$3
priority=$4
case "$type" in
  INSTANCE | GROUP) ;;
  *) reject "the type is not INSTANCE or GROUP" ;;
esac
[[ $name =~ ^[A-Za-z0-9_]{1,64}$ ]] || reject "the name is not 1-64 letters, digits or _"
case "$state" in
  MASTER | BACKUP | FAULT | STOP) ;;
  *) reject "the state is not MASTER, BACKUP, FAULT or STOP" ;;
esac
[[ $priority =~ ^[0-9]{1,3}$ ]] || reject "the priority is not a number of 1-3 digits"
log notice "\${type,,} $name is now $state (priority $priority)"
`;
}
