import { checkBelow, checkPath } from "../storage/minio-values";
import { BACKUP_COMPONENT_PATHS } from "./paths";

// The director's and the storage daemon's systemd drop-ins on the backup VMs, beside the cluster's own
// (render-backup-cluster-scripts.ts: the volume asserted, restarts left to Pacemaker, disabled at boot): these add
// what the daemons need on the volume before they start, and the director evaluates its schedules in UTC
// (RotationPlan.timeZone), so no daylight-saving hour is lost or doubled.

export interface BackupVolumeLayout {
  /** The DRBD volume's mount point. */
  volume: string;
  /** Directories on it that the daemons write, created (owner bacula) before either starts. */
  directories: readonly string[];
  /** The SQLite catalog on it. */
  catalogFile: string;
}

function checkedLayout(layout: BackupVolumeLayout, where: string): BackupVolumeLayout {
  checkPath(layout.volume, `${where}: volume`);
  layout.directories.forEach((d, i) => checkBelow(checkPath(d, `${where}: directories[${i}]`), layout.volume, `${where}: directories[${i}]`));
  checkBelow(checkPath(layout.catalogFile, `${where}: catalogFile`), layout.volume, `${where}: catalogFile`);
  return layout;
}

function dropIn(what: string, extra: readonly string[]): string {
  return `# Rendered by the iBac toolkit: ${what}
[Service]
${extra.join("\n")}
`;
}

/**
 * The director's drop-in: TZ=UTC, and the catalog created before Debian's own config test
 * (which opens the catalog): the ExecStartPre list is reset and given again in that order. The catalog init runs
 * as root (`+`): it creates the bacula-owned directories on a freshly formatted volume.
 */
export function renderDirectorDropIn(layout: BackupVolumeLayout, catalogInit: string = BACKUP_COMPONENT_PATHS.catalogInit): string {
  checkedLayout(layout, "bacula-director drop-in");
  checkPath(catalogInit, "bacula-director drop-in: catalogInit");
  return dropIn("bacula-director on the DRBD backup volume, schedules in UTC.", [
    "Environment=TZ=UTC",
    "ExecStartPre=",
    `ExecStartPre=+${catalogInit}`,
    "ExecStartPre=/usr/sbin/bacula-dir -t -c $CONFIG",
  ]);
}

/** The storage daemon's drop-in: its directories on the volume made before it starts (and UTC, like the director). */
export function renderStorageDropIn(layout: BackupVolumeLayout, catalogInit: string = BACKUP_COMPONENT_PATHS.catalogInit): string {
  checkedLayout(layout, "bacula-sd drop-in");
  checkPath(catalogInit, "bacula-sd drop-in: catalogInit");
  return dropIn("bacula-sd on the DRBD backup volume.", [
    "Environment=TZ=UTC",
    "ExecStartPre=",
    `ExecStartPre=+${catalogInit}`,
    "ExecStartPre=/usr/sbin/bacula-sd -t -c $CONFIG",
  ]);
}

/**
 * The catalog init, as root, before either daemon starts: refuses an unmounted volume; makes the daemons'
 * directories (bacula, 0750); creates the SQLite catalog from Debian's schema if there is none, into a temporary
 * file renamed into place, so a daemon never sees half a catalog. An existing catalog is never touched.
 */
export function renderCatalogInitScript(layout: BackupVolumeLayout, schema: string = BACKUP_COMPONENT_PATHS.catalogSchema): string {
  checkedLayout(layout, "ibac-catalog-init");
  checkPath(schema, "ibac-catalog-init: schema");
  const dirs = [...new Set([...layout.directories, layout.catalogFile.slice(0, layout.catalogFile.lastIndexOf("/"))])];
  return `#!/bin/bash
# Rendered by the iBac toolkit: prepares the DRBD backup volume for the director and the storage daemon.
set -euo pipefail
export LC_ALL=C
readonly NAME=ibac-catalog-init
readonly VOLUME=${layout.volume}
readonly CATALOG=${layout.catalogFile}
readonly SCHEMA=${schema}

fail() {
  echo "$NAME: $*" >&2
  exit 1
}

mountpoint -q "$VOLUME" || fail "$VOLUME is not mounted: the director and the storage daemon run only where Pacemaker mounted the backup volume"
${dirs.map((d) => `install -d -m 0750 -o bacula -g bacula ${d}`).join("\n")}
if [ ! -e "$CATALOG" ]; then
  [ -r "$SCHEMA" ] || fail "no catalog schema at $SCHEMA (package bacula-director-sqlite3)"
  tmp=$(mktemp "$CATALOG.new.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
  sqlite3 -bail "$tmp" < "$SCHEMA"
  chown bacula:bacula "$tmp"
  chmod 0640 "$tmp"
  mv -n "$tmp" "$CATALOG"
  echo "$NAME: created the catalog $CATALOG" >&2
fi
`;
}

/**
 * The config job's RunBeforeJob on the director (as bacula): a consistent text dump of the SQLite catalog
 * (`.dump` reads in one transaction while the director runs), written beside it and renamed into place, which
 * the job saves with the configuration. Without it a lost volume would take the catalog's history with it.
 */
export function renderCatalogDumpScript(catalogFile: string, dumpFile: string): string {
  checkPath(catalogFile, "ibac-catalog-dump: catalogFile");
  checkPath(dumpFile, "ibac-catalog-dump: dumpFile");
  return `#!/bin/bash
# Rendered by the iBac toolkit: dumps the Bacula catalog for the config job.
set -euo pipefail
export LC_ALL=C
umask 077
readonly NAME=ibac-catalog-dump
readonly CATALOG=${catalogFile}
readonly DUMP=${dumpFile}

fail() {
  echo "$NAME: $*" >&2
  exit 1
}

[ -r "$CATALOG" ] || fail "cannot read the catalog $CATALOG"
tmp=$(mktemp "$DUMP.XXXXXX")
trap 'rm -f "$tmp"' EXIT
sqlite3 -bail "$CATALOG" .dump > "$tmp"
mv "$tmp" "$DUMP"
`;
}
