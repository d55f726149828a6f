/** A word for bash, single-quoted when it needs to be. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

export interface ServiceScriptOptions {
  serverCnf: string;
  adminCnf: string;
  pidFile: string;
  log: string;
  /**
   * The server's own temporary directory (TMPDIR, mariadbd's default tmpdir). A starting mariadbd deletes
   * every `#sql*` file in its tmpdir, so servers sharing /tmp destroy each other's temporary tables.
   */
  tmpdir: string;
  mariadbd: string;
  mariadb: string;
  /** The OS user mariadbd switches to (`--user`). */
  user: string;
  /** Seconds `start` waits for the server to answer on its socket. */
  startTimeoutSeconds: number;
  /** Seconds `stop` waits for the server to exit after SIGTERM. */
  stopTimeoutSeconds: number;
}

/**
 * The lab's stand-in for `systemctl start|stop mariadb`: a bash script per host. It starts mariadbd detached
 * (setsid, output to a log, stdin from /dev/null, its own TMPDIR) so that a runbook's SSH session can end while the server
 * runs on, in the network namespace of the sshd that ran it. Processes are only ever signalled by the PID in
 * the server's pid file, and only after /proc confirms that PID runs this host's --defaults-file (a stale pid
 * file after `kill9` must never hit an unrelated process). Zombies count as gone: the lab machine's PID 1 is
 * not an init that reaps them.
 */
export function renderServiceScript(o: ServiceScriptOptions): string {
  const q = shellQuote;
  return `#!/bin/bash
# Written by the iBac database lab (test/lab): start|stop|kill9|status of one lab host's mariadbd.
set -u
SERVER_CNF=${q(o.serverCnf)}
ADMIN_CNF=${q(o.adminCnf)}
PID_FILE=${q(o.pidFile)}
LOG=${q(o.log)}
MARIADBD=${q(o.mariadbd)}
MARIADB=${q(o.mariadb)}
export TMPDIR=${q(o.tmpdir)}

# 0 when PID is a live (non-zombie) process.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=\${stat##*) }
  [ "\${stat%% *}" != Z ]
}

# Prints the PID of this host's running mariadbd, from the pid file; fails when there is none.
server_pid() {
  local pid
  [ -s "$PID_FILE" ] || return 1
  pid=$(tr -dc 0-9 < "$PID_FILE")
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\\0' '\\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "--defaults-file=$SERVER_CNF" || return 1
  echo "$pid"
}

answers() {
  "$MARIADB" --defaults-file="$ADMIN_CNF" -N -B -e 'select 1' >/dev/null 2>&1
}

wait_gone() {
  local pid=$1 tenths=$2 i
  for ((i = 0; i < tenths; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  return 1
}

case "\${1:-}" in
  start)
    if pid=$(server_pid); then
      echo "mariadbd is already running (pid $pid)"
      exit 0
    fi
    echo "=== $(date -u +%FT%TZ) start" >> "$LOG"
    setsid "$MARIADBD" --defaults-file="$SERVER_CNF" --user=${q(o.user)} < /dev/null >> "$LOG" 2>&1 &
    child=$!
    for ((i = 0; i < ${o.startTimeoutSeconds * 10}; i++)); do
      if answers; then
        echo "mariadbd started (pid $(cat "$PID_FILE" 2>/dev/null || echo "$child"))"
        exit 0
      fi
      if ! alive "$child"; then
        echo "mariadbd exited during start-up; the end of $LOG:" >&2
        tail -n 25 "$LOG" >&2
        exit 1
      fi
      sleep 0.1
    done
    echo "mariadbd did not answer on its socket within ${o.startTimeoutSeconds} s; the end of $LOG:" >&2
    tail -n 25 "$LOG" >&2
    exit 1
    ;;
  stop)
    if ! pid=$(server_pid); then
      echo "mariadbd is not running"
      exit 0
    fi
    kill -TERM "$pid"
    if wait_gone "$pid" ${o.stopTimeoutSeconds * 10}; then
      echo "mariadbd stopped (pid $pid)"
      exit 0
    fi
    echo "mariadbd (pid $pid) did not stop within ${o.stopTimeoutSeconds} s" >&2
    exit 1
    ;;
  kill9)
    if ! pid=$(server_pid); then
      echo "mariadbd is not running"
      exit 0
    fi
    kill -KILL "$pid"
    wait_gone "$pid" 100 || { echo "mariadbd (pid $pid) survived SIGKILL" >&2; exit 1; }
    echo "mariadbd killed (pid $pid)"
    ;;
  status)
    if pid=$(server_pid) && answers; then
      echo "mariadbd is running (pid $pid)"
      exit 0
    fi
    echo "mariadbd is not running"
    exit 3
    ;;
  *)
    echo "usage: $0 start|stop|kill9|status" >&2
    exit 2
    ;;
esac
`;
}
