import { shellQuote } from "../../../playbooks/engine/shell-quote";
import { MC_CHECK_KEY_SHELL, mcThrowawayConfig } from "../../storage/mc-script";
import { checkedArchivePlan } from "./archive-values";
import type { FrsArchivePlan } from "./archive-plan";

/** The job's exit codes: 0 everything old archived; 1 something was kept (a failure, a mismatch, an unsafe name); 2 it could not start. */
export const ARCHIVE_EXIT = { ok: 0, kept: 1, cannotStart: 2 } as const;

/**
 * A path below the data directory the job will archive: segments of letters, digits and `._-`, none starting
 * with `.` or `-` (so no `.`, `..`, hidden files or option-like names), each at most 255 characters (a file
 * name's limit), the whole at most MAX_RELATIVE_PATH characters (S3 keys are 1024 bytes at most, and the key
 * also holds the VM's name). Anything else is skipped, reported escaped, and fails the run.
 */
export const SAFE_RELATIVE_PATH = "^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}(/[A-Za-z0-9_][A-Za-z0-9._-]{0,254})*$";
export const MAX_RELATIVE_PATH = 900;
/** After this many failed uploads in a row the run stops: the object store is down, and the next run tries again. */
export const MAX_CONSECUTIVE_FAILURES = 5;

/**
 * The FRS local-retention job (`ibac-frs-archive`), run by its systemd unit as the FRS user. Pure.
 *
 * For each regular file below the data directory last modified more than `retentionDays` ago: check its path
 * (file names are the application's, so hostile until checked), hash it, upload it with mc to
 * `<bucket>/<vm>/<path>` with its SHA-256 as metadata, then verify: the stored object's metadata must carry the
 * same digest, the bucket must have given it a version id (a versioned bucket: a later upload under the same
 * key cannot destroy it), and that version, read back in full, must hash to the same digest. Only then, and
 * only if the file did not change meanwhile (size and mtime), is it deleted here. Anything else keeps the file
 * and makes the run exit 1, so systemd marks the unit failed and monitoring sees it; the next run tries again.
 *
 * Directories are never deleted, empty or not: the FRS service owns its layout, and an rmdir racing the service
 * creating a file in it would break the service's write.
 *
 * The FRS S3 user's keys come from the environment (the unit's root-only EnvironmentFile), reach mc as an
 * MC_HOST_ variable (components/storage/mc-script.ts: never an argument, never a config file), and are never
 * printed. Every file name printed is printf %q-escaped (control characters as $'\n'), and cut to 300 characters.
 */
export function renderArchiveScript(plan: FrsArchivePlan): string {
  const p = checkedArchivePlan(plan, "renderArchiveScript");
  return `#!/bin/bash
# Rendered by the iBac toolkit: the FRS local retention. Archives what is older than ${p.retentionDays} days in
# ${p.dataDir} to the object store, verifies it there, and only then deletes it here.
set -euo pipefail
export LC_ALL=C
umask 077
readonly NAME=ibac-frs-archive
readonly MC=${shellQuote(p.mcBinary)}
readonly CA_FILE=${shellQuote(p.caFile)}
readonly DATA_DIR=${shellQuote(p.dataDir)}
readonly STATE_DIR=${shellQuote(p.stateDir)}
readonly RETENTION_DAYS=${p.retentionDays}
readonly BUCKET=${shellQuote(p.bucket)}
readonly PREFIX=${shellQuote(p.vm)}
readonly S3_HOST_PORT=${shellQuote(`${p.endpoint.serverName}:${p.endpoint.port}`)}
readonly S3_ADDRESS=${shellQuote(p.endpoint.address)}
readonly SAFE_PATH=${shellQuote(SAFE_RELATIVE_PATH)}
readonly MAX_PATH=${MAX_RELATIVE_PATH}
readonly MAX_CONSECUTIVE_FAILURES=${MAX_CONSECUTIVE_FAILURES}

fail() {
  echo "$NAME: $*" >&2
  exit ${ARCHIVE_EXIT.cannotStart}
}

${MC_CHECK_KEY_SHELL}
# shown TEXT: a name from the disk as it may be printed: %q-escaped (no control characters), at most 300 characters.
shown() {
  local quoted
  printf -v quoted '%q' "$1"
  if [ "\${#quoted}" -gt 300 ]; then quoted="\${quoted:0:300}... (\${#1} characters)"; fi
  printf '%s' "$quoted"
}

# mc's last line of complaint, printable characters only, the secret key scrubbed should mc ever echo it.
mc_error() {
  local line
  line=$(tail -n 1 "$1" | tr -cd '[:print:]')
  line=\${line//"$secret_key"/(secret key)}
  printf '%s' "\${line:0:300}"
}

[ -x "$MC" ] || fail "no MinIO client at $MC (objectStore.minioClient, installed by ibac-mc-install)"
[ -d "$DATA_DIR" ] || fail "no data directory $DATA_DIR"
access_key=\${IBAC_S3_ACCESS_KEY-}
secret_key=\${IBAC_S3_SECRET_KEY-}
[[ -n $access_key && -n $secret_key ]] || fail "IBAC_S3_ACCESS_KEY and IBAC_S3_SECRET_KEY must be set (the unit's EnvironmentFile)"
check_key IBAC_S3_ACCESS_KEY "$access_key"
check_key IBAC_S3_SECRET_KEY "$secret_key"
unset IBAC_S3_ACCESS_KEY IBAC_S3_SECRET_KEY

${mcThrowawayConfig({ alias: "archive", access: "access_key", secret: "secret_key", hostPort: "S3_HOST_PORT", address: "S3_ADDRESS" })}
# The list of candidates and mc's messages live beside mc's throwaway configuration (removed on exit).
readonly LIST="$config_dir/candidates"
readonly ERRORS="$config_dir/mc-errors"

# archive_one FILE REL: upload, verify, delete. Returns 0 when archived and deleted, 1 when the file is kept.
archive_one() {
  local file=$1 rel=$2 key before after digest stat_json stored version read_back
  key="$PREFIX/$rel"
  if ! before=$(stat -c '%s %Y' -- "$file"); then
    echo "$NAME: $rel: could not be read: kept" >&2
    return 1
  fi
  if ! digest=$(sha256sum < "$file" | cut -d' ' -f1); then
    echo "$NAME: $rel: could not be hashed: kept" >&2
    return 1
  fi
  if ! mcx --quiet cp --attr "Ibac-Sha256=$digest" "$file" "archive/$BUCKET/$key" > /dev/null 2> "$ERRORS"; then
    echo "$NAME: $rel: upload failed ($(mc_error "$ERRORS")): kept" >&2
    return 1
  fi
  if ! stat_json=$(mcx --json stat "archive/$BUCKET/$key" 2> "$ERRORS"); then
    echo "$NAME: $rel: uploaded but could not be looked up ($(mc_error "$ERRORS")): kept" >&2
    return 1
  fi
  stored=$(grep -io '"X-Amz-Meta-Ibac-Sha256":"[0-9a-f]*"' <<< "$stat_json" | head -n 1 | cut -d'"' -f4 || true)
  version=$(grep -o '"versionID":"[A-Za-z0-9._-]*"' <<< "$stat_json" | head -n 1 | cut -d'"' -f4 || true)
  if [ "$stored" != "$digest" ]; then
    echo "$NAME: $rel: the stored object's sha256 metadata is \${stored:-missing}, expected $digest: kept" >&2
    return 1
  fi
  if [ -z "$version" ] || [ "$version" = null ]; then
    echo "$NAME: $rel: the object has no version id (is versioning on for $BUCKET?): kept" >&2
    return 1
  fi
  if ! read_back=$(mcx cat --vid "$version" "archive/$BUCKET/$key" 2> "$ERRORS" | sha256sum | cut -d' ' -f1); then
    echo "$NAME: $rel: version $version could not be read back ($(mc_error "$ERRORS")): kept" >&2
    return 1
  fi
  if [ "$read_back" != "$digest" ]; then
    echo "$NAME: $rel: version $version reads back as sha256 $read_back, expected $digest: kept" >&2
    return 1
  fi
  after=$(stat -c '%s %Y' -- "$file" || true)
  if [ "$after" != "$before" ]; then
    echo "$NAME: $rel: changed while it was archived: kept (the next run archives it again)" >&2
    return 1
  fi
  rm -f -- "$file" || { echo "$NAME: $rel: archived but could not be deleted here" >&2; return 1; }
  echo "$NAME: archived $rel as $BUCKET/$key (\${before%% *} bytes, sha256 $digest, version $version) and deleted it here"
}

archived=0
kept=0
refused=0
consecutive=0
status=${ARCHIVE_EXIT.ok}
# Regular files only (no symbolic links, devices or sockets), on the data disk only (-xdev), by age in minutes
# (find's -mtime rounds to whole days).
if ! find "$DATA_DIR" -xdev -type f -mmin "+$((RETENTION_DAYS * 1440))" -print0 > "$LIST" 2> "$ERRORS"; then
  echo "$NAME: could not list all of $DATA_DIR ($(mc_error "$ERRORS")): what was listed is archived, the run fails" >&2
  status=${ARCHIVE_EXIT.kept}
fi
while IFS= read -r -d '' file; do
  rel=\${file#"$DATA_DIR"/}
  if [ "\${#rel}" -gt "$MAX_PATH" ] || ! [[ $rel =~ $SAFE_PATH ]]; then
    echo "$NAME: skipped $(shown "$rel"): not a safe path (segments of letters, digits and ._- not starting with . or -, at most $MAX_PATH characters); nothing done with it" >&2
    refused=$((refused + 1))
    continue
  fi
  if archive_one "$file" "$rel"; then
    archived=$((archived + 1))
    consecutive=0
  else
    kept=$((kept + 1))
    consecutive=$((consecutive + 1))
    if [ "$consecutive" -ge "$MAX_CONSECUTIVE_FAILURES" ]; then
      echo "$NAME: $consecutive failures in a row: stopping this run (the next run tries again)" >&2
      break
    fi
  fi
done < "$LIST"

echo "$NAME: $archived archived and deleted, $kept kept after a failure, $refused skipped for their names"
if [ "$kept" -gt 0 ] || [ "$refused" -gt 0 ]; then status=${ARCHIVE_EXIT.kept}; fi
if [ "$status" -eq ${ARCHIVE_EXIT.ok} ]; then
  date +%s > "$STATE_DIR/last-success"
fi
exit "$status"
`;
}
