// check_ibac_bacula_job CATALOG CLIENT HOURS, on the director VM. The catalog (SQLite, bacula 0640) is read
// with sqlite3 -readonly, so the check can never write it; Debian package sqlite3 on the director.
export const BACULA_JOB_SCRIPT = String.raw`#!/bin/sh
# check_ibac_bacula_job CATALOG CLIENT HOURS: the newest finished backup job of CLIENT ended OK (JobStatus T)
# within HOURS. W (warnings) is WARNING; an error, a cancel, an old or no job is CRITICAL.
unknown() { echo "BACULA UNKNOWN - $1"; exit 3; }
is_int() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }

# Bacula names allow more, but these are the toolkit's client names; this keeps the SQL literal safe.
if ! { [ "$#" -eq 3 ] && is_int "$3" && [ "$3" -gt 0 ] && case "$2" in '' | *[!A-Za-z0-9_.-]*) false ;; esac; }; then unknown "usage: check_ibac_bacula_job CATALOG CLIENT HOURS (CLIENT of [A-Za-z0-9_.-])"; fi
command -v sqlite3 >/dev/null 2>&1 || unknown "sqlite3 not found (Debian package sqlite3)"
[ -r "$1" ] || unknown "cannot read the catalog $1"

# Running or waiting jobs (R C F S m M s j c d t p a i) are skipped: the newest one that ended counts.
# Bacula writes EndTime in local time; both sides of the age are taken in local time.
if ! row=$(sqlite3 -readonly -batch -separator ' ' "$1" "SELECT Job.JobId, Job.JobStatus,
    CAST(strftime('%s', 'now', 'localtime') AS INTEGER) - CAST(strftime('%s', Job.EndTime) AS INTEGER)
  FROM Job JOIN Client ON Client.ClientId = Job.ClientId
  WHERE Client.Name = '$2' AND Job.Type = 'B' AND Job.JobStatus IN ('T', 'W', 'E', 'e', 'f', 'A')
  ORDER BY Job.JobId DESC LIMIT 1;" 2>&1); then
  unknown "sqlite3 $1: $row"
fi
[ -n "$row" ] || { echo "BACULA CRITICAL - no finished backup job of $2 in the catalog"; exit 2; }
# shellcheck disable=SC2086 # the row is three words: JobId JobStatus age
set -- "$2" "$3" $row
age_h=$(($5 / 3600))
text="job $3 of $1 ended $4, $age_h h ago | age=$5s;;$(($2 * 3600))"
case "$4" in
  T | W) ;;
  *) echo "BACULA CRITICAL - $text"; exit 2 ;;
esac
if [ "$5" -gt "$(($2 * 3600))" ]; then echo "BACULA CRITICAL - $text (older than $2 h)"; exit 2; fi
if [ "$4" = W ]; then echo "BACULA WARNING - $text (with warnings)"; exit 1; fi
echo "BACULA OK - $text"
exit 0
`;
