import type { DatabasePaths } from "../../components/database/paths";
import type { DatabaseServer, DatabaseTopology } from "../../components/database/topology";
import type { RenderedFile } from "../../components/vm/rendered-file";
import { KERNEL_AND_HOST_PROTECTION_BLOCK } from "../../components/vm/systemd-sandbox";

/** The backup job's script: `ibac-db-backup full|incremental|prune`. */
export const BACKUP_SCRIPT_PATH = "/usr/local/sbin/ibac-db-backup";
/** The continuous binary-log capture (a supervisor loop around `mariadb-binlog --stop-never`). */
export const BINLOG_CAPTURE_SCRIPT_PATH = "/usr/local/sbin/ibac-binlog-capture";
export const SYSTEMD_UNIT_DIR = "/etc/systemd/system";

/** The unit names, for the runbooks and monitors that start, stop or watch them. */
export const BACKUP_UNITS = {
  fullService: "ibac-db-backup-full.service",
  fullTimer: "ibac-db-backup-full.timer",
  incrementalService: "ibac-db-backup-incremental.service",
  incrementalTimer: "ibac-db-backup-incremental.timer",
  pruneService: "ibac-db-backup-prune.service",
  pruneTimer: "ibac-db-backup-prune.timer",
  binlogCaptureService: "ibac-binlog-capture.service",
} as const;

/** Name of the manifest the backup script writes into every finished backup. */
export const BACKUP_MANIFEST = "ibac-backup.json";

/** A rendered file whose content is known now (no secret Output): everything this module renders. */
export type PlainRenderedFile = RenderedFile & { content: string };

/** Where one server's backups live on the backup volume; restore runbooks read the same layout. */
export interface DatabaseBackupLayout {
  /** `<backupDir>/<server name>`: one directory per server, so both database VMs can share a volume. */
  root: string;
  /** Full backups, one directory per backup named by its UTC start (`20260301T120000Z`). */
  full: string;
  /** Incremental backups, named like the full ones; each manifest names its base. */
  incremental: string;
  /** The captured binary logs, byte for byte as the server wrote them. */
  binlog: string;
  /** flock(1) file that keeps full, incremental and prune from overlapping. */
  lock: string;
}

/** The backup layout of one server. */
export function databaseBackupLayout(server: Pick<DatabaseServer, "name">, paths: Pick<DatabasePaths, "backupDir">): DatabaseBackupLayout {
  const root = `${paths.backupDir}/${server.name}`;
  return { root, full: `${root}/full`, incremental: `${root}/inc`, binlog: `${root}/binlog`, lock: `${root}/.lock` };
}

/** The timers' minute offsets: the incremental runs half an hour after the full, the prune between them. */
const FULL_MINUTE = 0;
const INCREMENTAL_MINUTE = 30;
const PRUNE_MINUTE = 45;

/**
 * An OnCalendar expression (UTC) that elapses every `hours` hours at `minuteOffset` past the hour.
 *
 * Calendar events cannot count hours across midnight, so the spacing is exact only when it divides the
 * calendar: hours dividing 24 (`00/12`), whole days dividing a week (168 h -> Mondays) and whole days as a
 * repetition of the day of the month. Otherwise the schedule restarts at each period boundary and the
 * last gap before it is shorter, never longer: 5 h gives 00, 05, 10, 15, 20, then 00 again (a 4 h gap);
 * 48 h gives days 1, 3, ..., 31 and then the 1st (a 1-day gap at the end of a 31-day month); a number of
 * hours above 24 that is not whole days rounds down to whole days (36 h -> daily). A backup is therefore
 * never further apart than asked. UTC, because the backup directories are named in UTC and a local
 * time zone's daylight-saving change would otherwise stretch or squeeze one interval twice a year.
 */
export function onCalendarEveryHours(hours: number, minuteOffset = 0): string {
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
    throw new RangeError(`onCalendarEveryHours: hours must be an integer from 1 to 168, got ${hours}`);
  }
  if (!Number.isInteger(minuteOffset) || minuteOffset < 0 || minuteOffset > 59) {
    throw new RangeError(`onCalendarEveryHours: minuteOffset must be an integer from 0 to 59, got ${minuteOffset}`);
  }
  const minute = String(minuteOffset).padStart(2, "0");
  if (hours < 24) return `*-*-* 00/${hours}:${minute}:00 UTC`;
  const days = Math.floor(hours / 24);
  if (days === 1) return `*-*-* 00:${minute}:00 UTC`;
  if (days === 7) return `Mon *-*-* 00:${minute}:00 UTC`;
  return `*-*-01/${days} 00:${minute}:00 UTC`;
}

// The scripts embed paths in single quotes and the units embed them bare; a path with a space, a quote, a
// `%` (a systemd specifier) or a `$` would need escaping in one of the two, and no path of ours has one.
const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkPath(what: string, value: string): string {
  if (!SAFE_PATH.test(value) || value.split("/").includes("..")) {
    throw new Error(`database backup: ${what} must be an absolute path of letters, digits, ".", "_", "-" and "/", got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, "");
}

/**
 * The backup job's files for one database server: the two scripts, the backup services and their timers,
 * and the binary-log capture service. Every database VM carries them all; the backup script itself
 * decides at each run whether this server is the replica (read_only=ON), so backups follow the replica
 * role across a switchover without redeploying anything. Credentials are not here: the scripts read
 * `paths.backupCnf` and `paths.binlogCnf`, which the database tier renders with its secrets.
 */
export function renderDatabaseBackupFiles(server: DatabaseServer, topology: DatabaseTopology, paths: DatabasePaths): PlainRenderedFile[] {
  if (!SAFE_NAME.test(server.name)) throw new Error(`database backup: server name ${JSON.stringify(server.name)} is not a plain host name`);
  const checked = {
    backupCnf: checkPath("paths.backupCnf", paths.backupCnf),
    binlogCnf: checkPath("paths.binlogCnf", paths.binlogCnf),
    datadir: checkPath("paths.datadir", paths.datadir),
    backupDir: checkPath("paths.backupDir", paths.backupDir),
  };
  const layout = databaseBackupLayout(server, checked);
  const { fullEveryHours, incrementalEveryHours, retentionDays } = topology.backup;
  const unit = (name: string, content: string, afterChange?: string): PlainRenderedFile => ({
    path: `${SYSTEMD_UNIT_DIR}/${name}`,
    content,
    mode: "0644",
    owner: "root:root",
    ...(afterChange !== undefined ? { afterChange } : {}),
  });
  // A changed unit only needs systemd to re-read it: timers re-arm on reload, oneshot services pick the
  // change up at their next run. Enabling happens once, on the last file (see below).
  const reload = "systemctl daemon-reload";
  const timers = [BACKUP_UNITS.fullTimer, BACKUP_UNITS.incrementalTimer, BACKUP_UNITS.pruneTimer];
  return [
    {
      path: BACKUP_SCRIPT_PATH,
      content: renderBackupScript(server, layout, checked, { fullEveryHours, retentionDays }),
      mode: "0755",
      owner: "root:root",
    },
    {
      path: BINLOG_CAPTURE_SCRIPT_PATH,
      content: renderBinlogCaptureScript(server, layout, checked),
      mode: "0755",
      owner: "root:root",
      // The capture resumes where it stopped, so restarting it for a new script loses nothing.
      afterChange: `if systemctl is-active --quiet ${BACKUP_UNITS.binlogCaptureService}; then systemctl restart ${BACKUP_UNITS.binlogCaptureService}; fi`,
    },
    unit(BACKUP_UNITS.fullService, renderBackupService(server, checked.backupDir, "full", fullEveryHours), reload),
    unit(
      BACKUP_UNITS.fullTimer,
      renderTimer(`Full MariaDB backup of ${server.name} every ${fullEveryHours} h`, onCalendarEveryHours(fullEveryHours, FULL_MINUTE), "5min"),
      reload,
    ),
    unit(BACKUP_UNITS.incrementalService, renderBackupService(server, checked.backupDir, "incremental", incrementalEveryHours), reload),
    unit(
      BACKUP_UNITS.incrementalTimer,
      renderTimer(
        `Incremental MariaDB backup of ${server.name} every ${incrementalEveryHours} h`,
        onCalendarEveryHours(incrementalEveryHours, INCREMENTAL_MINUTE),
        "5min",
      ),
      reload,
    ),
    unit(BACKUP_UNITS.pruneService, renderBackupService(server, checked.backupDir, "prune", 1), reload),
    unit(
      BACKUP_UNITS.pruneTimer,
      renderTimer(`Daily pruning of ${server.name}'s MariaDB backups older than ${retentionDays} days`, onCalendarEveryHours(24, PRUNE_MINUTE), "10min"),
      reload,
    ),
    // The last file enables everything, which relies on the files being installed in list order.
    // `restart` (not `start`): a changed capture unit takes effect at once, and the capture resumes itself.
    unit(
      BACKUP_UNITS.binlogCaptureService,
      renderBinlogCaptureService(server, checked.backupDir),
      `${reload} && systemctl enable --now ${timers.join(" ")} && systemctl enable ${BACKUP_UNITS.binlogCaptureService} && systemctl restart ${BACKUP_UNITS.binlogCaptureService}`,
    ),
  ];
}

/**
 * Sandboxing shared by every service. The jobs read the datadir and the option files, talk to the local
 * server over its unix socket and write only to the backup volume, so everything else can be read-only
 * and the network namespace empty (filesystem unix sockets still connect across it).
 */
function hardening(backupDir: string, capabilities: string[]): string {
  // The volume itself, not the server's directory under it: ReadWritePaths must exist when the sandbox is
  // built, and the script creates the server's directory on the first run. A missing volume fails here.
  return `ProtectSystem=strict
ReadWritePaths=${backupDir}
PrivateTmp=yes
PrivateDevices=yes
PrivateNetwork=yes
ProtectHome=yes
${KERNEL_AND_HOST_PROTECTION_BLOCK}
NoNewPrivileges=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX
SystemCallArchitectures=native
CapabilityBoundingSet=${capabilities.join(" ")}
UMask=0077`;
}

/**
 * The capabilities a backup needs as root: reading the datadir, which belongs to mysql (0700 directories),
 * needs CAP_DAC_READ_SEARCH; nothing else it touches belongs to anyone but root.
 */
export const BACKUP_CAPABILITIES = ["CAP_DAC_READ_SEARCH"];

function renderBackupService(server: DatabaseServer, backupDir: string, job: "full" | "incremental" | "prune", timeoutHours: number): string {
  const what = {
    full: `Full MariaDB backup of ${server.name} (only while it is a replica)`,
    incremental: `Incremental MariaDB backup of ${server.name} (only while it is a replica)`,
    prune: `Pruning of ${server.name}'s MariaDB backups and captured binary logs`,
  }[job];
  return `# Rendered by the iBac toolkit for ${server.name}; do not edit: the next deployment overwrites it.
[Unit]
Description=${what}
Documentation=file://${BACKUP_SCRIPT_PATH}
After=mariadb.service
RequiresMountsFor=${backupDir}

[Service]
Type=oneshot
ExecStart=${BACKUP_SCRIPT_PATH} ${job}
# A job stuck longer than its interval would hold the lock and block every later one.
TimeoutStartSec=${timeoutHours}h
Nice=10
CPUSchedulingPolicy=batch
IOSchedulingClass=idle
${hardening(backupDir, BACKUP_CAPABILITIES)}
`;
}

function renderTimer(description: string, onCalendar: string, randomizedDelay: string): string {
  return `# Rendered by the iBac toolkit; do not edit: the next deployment overwrites it.
[Unit]
Description=${description}

[Timer]
OnCalendar=${onCalendar}
# A run missed while the VM was down happens at boot.
Persistent=true
RandomizedDelaySec=${randomizedDelay}
AccuracySec=1min

[Install]
WantedBy=timers.target
`;
}

function renderBinlogCaptureService(server: DatabaseServer, backupDir: string): string {
  return `# Rendered by the iBac toolkit for ${server.name}; do not edit: the next deployment overwrites it.
[Unit]
Description=Continuous capture of ${server.name}'s binary logs to the backup volume
Documentation=file://${BINLOG_CAPTURE_SCRIPT_PATH}
Wants=mariadb.service
After=mariadb.service
RequiresMountsFor=${backupDir}
# The script resumes by itself; systemd restarts it only if the script itself dies, and never gives up.
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=${BINLOG_CAPTURE_SCRIPT_PATH}
Restart=always
RestartSec=5
${hardening(backupDir, [])}

[Install]
WantedBy=multi-user.target
`;
}

/** A bash single-quoted word. */
function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const SCRIPT_PATH_LINE = "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function renderBackupScript(
  server: DatabaseServer,
  layout: DatabaseBackupLayout,
  paths: Pick<DatabasePaths, "backupCnf" | "datadir" | "backupDir">,
  policy: { fullEveryHours: number; retentionDays: number },
): string {
  return `#!/bin/bash
# Rendered by the iBac toolkit for ${server.name} (${server.fqdn}); do not edit: the next deployment overwrites it.
#
# MariaDB backups of this server onto the backup volume, with mariabackup:
#   full         a full backup into ${layout.full}/<UTC start>/
#   incremental  an incremental into ${layout.incremental}/<UTC start>/, on top of the newest backup of the
#                newest full's chain
#   prune        drops what no restore to a moment of the last ${policy.retentionDays} days needs
# Backups run only while this server is a replica (read_only=ON): both database VMs carry this script and its
# timers, and backups follow the replica role across a switchover. Each backup is written to <name>.partial
# and renamed when complete, so a crashed run never looks like a backup; ${BACKUP_MANIFEST} in each one says
# what it is (kind, start, finish, GTID position, base).
set -euo pipefail
umask 077
shopt -s nullglob
export LC_ALL=C
${SCRIPT_PATH_LINE}

readonly SERVER_NAME=${shq(server.name)}
readonly BACKUP_CNF=${shq(paths.backupCnf)}
readonly DATADIR=${shq(paths.datadir)}
readonly BACKUP_VOLUME=${shq(paths.backupDir)}
readonly ROOT=${shq(layout.root)}
readonly FULL_DIR=${shq(layout.full)}
readonly INC_DIR=${shq(layout.incremental)}
readonly BINLOG_DIR=${shq(layout.binlog)}
readonly LOCK_FILE=${shq(layout.lock)}
readonly RETENTION_DAYS=${policy.retentionDays}
readonly FULL_EVERY_HOURS=${policy.fullEveryHours}
readonly MANIFEST=${shq(BACKUP_MANIFEST)}
readonly STAMP_RE='^[0-9]{8}T[0-9]{6}Z$'
${BACKUP_SCRIPT_BODY}`;
}

// The script's body does not depend on the server: every value it needs is a readonly variable above.
const BACKUP_SCRIPT_BODY = `
log() { printf '%s\\n' "$*" >&2; }
die() { printf 'error: %s\\n' "$*" >&2; exit 1; }

usage() {
  printf 'usage: %s full|incremental|prune\\n' "\${0##*/}" >&2
  exit 2
}

# 20260301T120000Z -> seconds since the epoch.
stamp_epoch() {
  local s=$1
  date -u -d "\${s:0:4}-\${s:4:2}-\${s:6:2} \${s:9:2}:\${s:11:2}:\${s:13:2}" +%s
}

# 20260301T120000Z -> 2026-03-01T12:00:00Z
stamp_iso() {
  local s=$1
  printf '%s-%s-%sT%s:%s:%sZ' "\${s:0:4}" "\${s:4:2}" "\${s:6:2}" "\${s:9:2}" "\${s:11:2}" "\${s:13:2}"
}

# The finished backups in a directory (a name of the stamp's form with a manifest), oldest first.
finished_backups() {
  local dir=$1 entry name
  for entry in "$dir"/*; do
    name=\${entry##*/}
    if [[ $name =~ $STAMP_RE && -f $entry/$MANIFEST ]]; then
      printf '%s\\n' "$name"
    fi
  done
  return 0
}

# The backup the next incremental builds on: the newest incremental after the newest full, or that full;
# empty when there is no full backup. Printed relative to ROOT (full/<stamp> or inc/<stamp>).
chain_tip() {
  local -a fulls incs
  local newest_full tip inc
  mapfile -t fulls < <(finished_backups "$FULL_DIR")
  ((\${#fulls[@]} > 0)) || return 0
  newest_full=\${fulls[-1]}
  tip="full/$newest_full"
  mapfile -t incs < <(finished_backups "$INC_DIR")
  for inc in "\${incs[@]}"; do
    if [[ $inc > $newest_full ]]; then tip="inc/$inc"; fi
  done
  printf '%s\\n' "$tip"
}

# A start stamp no finished or partial backup has: names order the chain, so they must be unique.
new_stamp() {
  local stamp
  while :; do
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    if [[ -e $FULL_DIR/$stamp || -e $INC_DIR/$stamp || -e $FULL_DIR/$stamp.partial || -e $INC_DIR/$stamp.partial ]]; then
      sleep 1
      continue
    fi
    printf '%s\\n' "$stamp"
    return 0
  done
}

json_string() {
  local s=$1
  s=\${s//\\\\/\\\\\\\\}
  s=\${s//\\"/\\\\\\"}
  printf '"%s"' "$s"
}

json_string_or_null() {
  if [[ -n $1 ]]; then json_string "$1"; else printf 'null'; fi
}

json_number_or_null() {
  if [[ $1 =~ ^[0-9]+$ ]]; then printf '%s' "$1"; else printf 'null'; fi
}

# mariabackup 10.11 writes xtrabackup_*; later versions write mariadb_backup_*. The first one present.
backup_info_file() {
  local dir=$1 suffix=$2 candidate
  for candidate in "$dir/mariadb_backup_$suffix" "$dir/xtrabackup_$suffix"; do
    if [[ -f $candidate ]]; then printf '%s\\n' "$candidate"; return 0; fi
  done
  return 0
}

# A line "key = value" of a mariabackup info file.
info_value() {
  local file=$1 key=$2
  if [[ -n $file ]]; then sed -n "s/^$key = //p" "$file" | head -n 1; fi
}

# Exits 0 unless this server is a replica: a backup on the primary would load it for nothing while the
# replica has the same data.
require_replica() {
  local read_only
  if ! read_only=$(mariadb --defaults-file="$BACKUP_CNF" --batch --skip-column-names -e 'SELECT @@read_only'); then
    die "cannot ask the local server whether it is read-only (mariadb --defaults-file=$BACKUP_CNF)"
  fi
  case $read_only in
    0) printf 'this server is the primary; backups run on the replica\\n'; exit 0 ;;
    1) ;;
    *) die "unexpected @@read_only: $read_only" ;;
  esac
}

# fd 9 holds the lock until the script (and mariabackup, which inherits it) exits.
take_lock() {
  local mode=$1
  [[ -d $BACKUP_VOLUME ]] || die "the backup volume $BACKUP_VOLUME is missing (not mounted?)"
  mkdir -p -- "$ROOT" "$FULL_DIR" "$INC_DIR" "$BINLOG_DIR"
  exec 9>>"$LOCK_FILE"
  if [[ $mode == try ]]; then
    if ! flock -n 9; then
      printf 'another backup job of %s is running: skipping this one\\n' "$SERVER_NAME"
      exit 0
    fi
  else
    flock 9
  fi
}

# Under the lock, a .partial directory is what a crashed run left: it is not a backup.
remove_stale_partials() {
  local entry
  for entry in "$FULL_DIR"/*.partial "$FULL_DIR"/*.partial.log "$INC_DIR"/*.partial "$INC_DIR"/*.partial.log; do
    log "removing $entry, left by an interrupted run"
    rm -rf -- "$entry"
  done
}

backup() {
  local kind=$1 base="" tip newest_full stamp dest partial info checkpoints
  local binlog_file="" binlog_pos="" gtid="" finished
  local -a args
  if [[ $kind == incremental ]]; then
    tip=$(chain_tip)
    if [[ -z $tip ]]; then
      log "no full backup of $SERVER_NAME yet: taking a full backup instead of an incremental"
      kind=full
    else
      newest_full=$(finished_backups "$FULL_DIR" | tail -n 1)
      # A chain this old means backups stopped (this server was the primary, or the full timer failed):
      # start a new chain rather than extend one that a restore would have to replay for days.
      if (($(date -u +%s) - $(stamp_epoch "$newest_full") > 2 * FULL_EVERY_HOURS * 3600)); then
        log "the newest full backup ($newest_full) is older than $((2 * FULL_EVERY_HOURS)) h: taking a full backup instead"
        kind=full
      else
        base=$tip
      fi
    fi
  fi
  stamp=$(new_stamp)
  if [[ -n $base && ! $stamp > \${base#*/} ]]; then
    die "the clock is behind the newest backup ($base): refusing to break the chain's order"
  fi
  if [[ $kind == full ]]; then dest=$FULL_DIR/$stamp; else dest=$INC_DIR/$stamp; fi
  partial=$dest.partial
  args=(--defaults-file="$BACKUP_CNF" --backup --slave-info --datadir="$DATADIR" --target-dir="$partial")
  if [[ -n $base ]]; then args+=(--incremental-basedir="$ROOT/$base"); fi
  log "$kind backup of $SERVER_NAME into $dest\${base:+ on top of $base}"
  if ! mariabackup "\${args[@]}" 2>"$partial.log"; then
    tail -n 40 -- "$partial.log" >&2 || true
    rm -rf -- "$partial" "$partial.log"
    die "mariabackup failed: no $kind backup was taken"
  fi
  finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  mv -- "$partial.log" "$partial/mariabackup.log"

  info=$(backup_info_file "$partial" binlog_info)
  if [[ -n $info ]]; then
    IFS=$'\\t' read -r binlog_file binlog_pos gtid <"$info" || true
  fi
  if [[ -z $gtid ]]; then log "warning: mariabackup recorded no GTID position (is the binary log on?)"; fi
  checkpoints=$(backup_info_file "$partial" checkpoints)
  {
    printf '{\\n'
    printf '  "format": 1,\\n'
    printf '  "kind": %s,\\n' "$(json_string "$kind")"
    printf '  "server": %s,\\n' "$(json_string "$SERVER_NAME")"
    printf '  "started": %s,\\n' "$(json_string "$(stamp_iso "$stamp")")"
    printf '  "finished": %s,\\n' "$(json_string "$finished")"
    printf '  "gtid": %s,\\n' "$(json_string_or_null "$gtid")"
    printf '  "binlogFile": %s,\\n' "$(json_string_or_null "$binlog_file")"
    printf '  "binlogPosition": %s,\\n' "$(json_number_or_null "$binlog_pos")"
    printf '  "base": %s,\\n' "$(json_string_or_null "$base")"
    printf '  "fromLsn": %s,\\n' "$(json_number_or_null "$(info_value "$checkpoints" from_lsn)")"
    printf '  "toLsn": %s,\\n' "$(json_number_or_null "$(info_value "$checkpoints" to_lsn)")"
    printf '  "toolVersion": %s\\n' "$(json_string_or_null "$(info_value "$(backup_info_file "$partial" info)" tool_version)")"
    printf '}\\n'
  } >"$partial/$MANIFEST"
  # On disk before the rename, and the rename on disk before we say so.
  sync -- "$partial/$MANIFEST"
  mv -T -- "$partial" "$dest"
  sync -- "\${dest%/*}"
  printf '%s backup of %s finished: %s (GTID %s)\\n' "$kind" "$SERVER_NAME" "$dest" "\${gtid:-unknown}"
}

# The newest captured binary log (highest sequence number): the capture is still writing it.
newest_captured_binlog() {
  local file name number best="" best_number=-1
  for file in "$BINLOG_DIR"/*; do
    name=\${file##*/}
    [[ -f $file && $name =~ \\.([0-9]+)$ ]] || continue
    number=$((10#\${BASH_REMATCH[1]}))
    if ((number > best_number)); then best=$file; best_number=$number; fi
  done
  printf '%s\\n' "$best"
}

# Keeps every backup a restore to any moment of the last RETENTION_DAYS days needs: the newest full that
# started at or before the window's start (the base for its first hours) and everything after it. The
# newest chain is always kept, however old. Captured binary logs last written before that full started
# hold nothing a roll-forward from it replays.
prune() {
  local -a fulls incs
  local cutoff keep_from="" stamp binlog_cutoff newest file
  cutoff=$(($(date -u +%s) - RETENTION_DAYS * 86400))
  mapfile -t fulls < <(finished_backups "$FULL_DIR")
  mapfile -t incs < <(finished_backups "$INC_DIR")
  if ((\${#fulls[@]} > 0)); then
    keep_from=\${fulls[0]}
    for stamp in "\${fulls[@]}"; do
      if (($(stamp_epoch "$stamp") <= cutoff)); then keep_from=$stamp; fi
    done
    for stamp in "\${fulls[@]}"; do
      if [[ $stamp < $keep_from ]]; then log "removing full backup $stamp"; rm -rf -- "\${FULL_DIR:?}/$stamp"; fi
    done
    for stamp in "\${incs[@]}"; do
      if [[ $stamp < $keep_from ]]; then log "removing incremental backup $stamp"; rm -rf -- "\${INC_DIR:?}/$stamp"; fi
    done
    binlog_cutoff=$(stamp_epoch "$keep_from")
    printf 'kept the backups from %s on\\n' "$keep_from"
  else
    # No backup here (a server that has only been the primary): keep the capture for the retention time.
    binlog_cutoff=$cutoff
  fi
  newest=$(newest_captured_binlog)
  while IFS= read -r -d '' file; do
    [[ $file == "$newest" ]] && continue
    log "removing captured binary log \${file#"$ROOT"/}"
    rm -f -- "$file"
  done < <(find "$BINLOG_DIR" -type f ! -name '.*' ! -newermt "@$binlog_cutoff" -print0)
  find "$BINLOG_DIR" -mindepth 1 -type d -empty -delete
}

case \${1:-} in
  full)
    require_replica
    take_lock wait
    remove_stale_partials
    backup full
    ;;
  incremental)
    require_replica
    # A full still running is a newer base anyway: skip rather than queue behind it.
    take_lock try
    remove_stale_partials
    backup incremental
    ;;
  prune)
    # On every server, whatever its role: a former replica's backups and a primary's capture age too.
    take_lock wait
    remove_stale_partials
    prune
    ;;
  *) usage ;;
esac
`;

function renderBinlogCaptureScript(server: DatabaseServer, layout: DatabaseBackupLayout, paths: Pick<DatabasePaths, "binlogCnf" | "backupDir">): string {
  return `#!/bin/bash
# Rendered by the iBac toolkit for ${server.name} (${server.fqdn}); do not edit: the next deployment overwrites it.
#
# Continuous capture of this server's binary logs into ${layout.binlog}/, byte for byte
# (mariadb-binlog --raw --stop-never), so that a restore can roll a backup forward to any moment.
# It supervises itself: when mariadb-binlog exits (the server restarted, the connection dropped), it
# waits ${CAPTURE_RETRY_SECONDS} s and resumes from the newest captured file, which raw mode rewrites whole.
set -euo pipefail
umask 077
shopt -s nullglob
export LC_ALL=C
${SCRIPT_PATH_LINE}

readonly BINLOG_CNF=${shq(paths.binlogCnf)}
readonly BACKUP_VOLUME=${shq(paths.backupDir)}
readonly CAPTURE_DIR=${shq(layout.binlog)}
readonly RETRY_SECONDS=${CAPTURE_RETRY_SECONDS}
${CAPTURE_SCRIPT_BODY}`;
}

const CAPTURE_RETRY_SECONDS = 2;

const CAPTURE_SCRIPT_BODY = `
log() { printf 'ibac-binlog-capture: %s\\n' "$*" >&2; }

# The newest captured binary log's name (highest sequence number), or nothing.
newest_captured() {
  local file name number best="" best_number=-1
  for file in "$CAPTURE_DIR"/*; do
    name=\${file##*/}
    [[ -f $file && $name =~ \\.([0-9]+)$ ]] || continue
    number=$((10#\${BASH_REMATCH[1]}))
    if ((number > best_number)); then best=$name; best_number=$number; fi
  done
  printf '%s\\n' "$best"
}

child=""
stop() {
  log "stopping"
  if [[ -n $child ]]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit 0
}
trap stop TERM INT

if [[ ! -d $BACKUP_VOLUME ]]; then
  log "the backup volume $BACKUP_VOLUME is missing (not mounted?)"
  exit 1
fi
mkdir -p -- "$CAPTURE_DIR"
# mariadb-binlog's complaints, kept to recognise a purged start file; a dot file, which prune leaves alone.
readonly ERRORS=$CAPTURE_DIR/.mariadb-binlog.err

from_first=false
while :; do
  start=$(newest_captured)
  if [[ $from_first == true ]]; then start=""; from_first=false; fi
  if [[ -n $start ]]; then
    log "resuming from $start (rewriting it whole)"
  else
    # An empty file name asks the server for its first binary log: no SHOW BINARY LOGS, which the
    # capture account (REPLICATION SLAVE only) may not run.
    log "starting from the server's first binary log"
  fi
  # stop-never-slave-server-id stays 0: a real server id here would make the server drop the dump
  # thread of the replica that has it.
  mariadb-binlog --defaults-file="$BINLOG_CNF" --read-from-remote-server --raw --stop-never \\
    --result-file="$CAPTURE_DIR/" "$start" 2>"$ERRORS" &
  child=$!
  status=0
  wait "$child" || status=$?
  child=""
  if [[ -s $ERRORS ]]; then cat -- "$ERRORS" >&2; fi
  log "mariadb-binlog exited with status $status; resuming in $RETRY_SECONDS s"
  if [[ -n $start ]] && grep -q 'Could not find first log file name' "$ERRORS"; then
    # The file we would resume from is gone from the server (purged while the capture was down, or the
    # binary log was reset): the capture has a gap. Move what we have aside, so that a reset's new
    # mariadb-bin.000001 cannot overwrite an old one, and start again from what the server still has.
    archive="$CAPTURE_DIR/before-gap-$(date -u +%Y%m%dT%H%M%SZ)"
    log "GAP: $start is no longer on the server; moving the captured files to \${archive##*/} and starting from the server's first binary log"
    mkdir -p -- "$archive"
    for file in "$CAPTURE_DIR"/*; do
      if [[ -f $file && \${file##*/} != .* ]]; then mv -- "$file" "$archive/"; fi
    done
    from_first=true
  fi
  # In the background, so that a TERM during the pause is handled at once.
  sleep "$RETRY_SECONDS" &
  wait $! || true
done
`;
