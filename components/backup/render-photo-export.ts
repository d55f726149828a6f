import type { ObjectServicePlan } from "../storage/storage-plan";
import { MC_BINARY } from "../storage/mc-script";
import { s3KeyProblem } from "../storage/mc-commands";
import { checkBelow, checkedService, checkPath } from "../storage/minio-values";
import { bucketNameProblem } from "../storage/bucket-names";
import { BACKUP_COMPONENT_PATHS } from "./paths";

// The photos job's ClientRunBeforeJob on the object store's file daemon (`s3-fd`, on the Promoted storage VM,
// which the director reaches through the service address): `mc mirror` of the photos bucket from the local
// MinIO into a directory on the same DRBD volume, which the job then saves. MinIO's own files are not a backup
// format (erasure metadata, SSE-KMS ciphertext); the export is the objects as the API stored them.

/** The alias the export's mc configuration names (the backup tier's read-only S3 user). */
export const PHOTO_EXPORT_ALIAS = "backup";

export interface PhotoExportArgs {
  service: ObjectServicePlan;
  /** The photos bucket's name. */
  bucket: string;
  /** The directory the export writes, one subdirectory per bucket: on the DRBD volume, outside MinIO's data. */
  exportDirectory: string;
  mcBinary?: string;
  mcConfigDir?: string;
}

function checkedArgs(args: PhotoExportArgs): Required<PhotoExportArgs> {
  const where = "ibac-photo-export";
  checkedService(args.service, where);
  const problem = !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucket) ? "not 3 to 63 lower-case letters, digits, '.' and '-'" : bucketNameProblem(args.bucket);
  if (problem) throw new Error(`${where}: bucket: expected an S3 bucket name, found ${JSON.stringify(args.bucket)}: ${problem}`);
  checkBelow(checkPath(args.exportDirectory, `${where}: exportDirectory`), args.service.mountPoint, `${where}: exportDirectory (on the DRBD volume)`);
  if (`${args.exportDirectory}/`.startsWith(`${args.service.dataDir}/`) || `${args.service.dataDir}/`.startsWith(`${args.exportDirectory}/`)) {
    throw new Error(`${where}: exportDirectory: expected a directory apart from MinIO's data directory ${args.service.dataDir}, found ${JSON.stringify(args.exportDirectory)}`);
  }
  return {
    ...args,
    mcBinary: checkPath(args.mcBinary ?? MC_BINARY, `${where}: mcBinary`),
    mcConfigDir: checkPath(args.mcConfigDir ?? BACKUP_COMPONENT_PATHS.photoExportMcDir, `${where}: mcConfigDir`),
  };
}

/**
 * The export script. Refuses to run where the DRBD volume is not mounted (the Unpromoted side, or a stopped
 * cluster): an empty export there would be saved as "every photo deleted". MinIO is reached on its loopback
 * backend with TLS verified against the service name (mc's `--resolve`), so HAProxy is not in the path.
 */
export function renderPhotoExportScript(input: PhotoExportArgs): string {
  const args = checkedArgs(input);
  const s = args.service;
  return `#!/bin/bash
# Rendered by the iBac toolkit: exports the ${args.bucket} bucket from the local MinIO for the Bacula photos job.
# Run by the file daemon (root) before the job, on the Promoted storage VM; the keys are in an owner-only mc config.
set -euo pipefail
export LC_ALL=C
umask 077
readonly NAME=ibac-photo-export
readonly MC=${args.mcBinary}
readonly MC_DIR=${args.mcConfigDir}
readonly VOLUME=${s.mountPoint}
readonly EXPORT_DIR=${args.exportDirectory}/${args.bucket}
readonly BACKEND=${s.serverName}:${s.backend.port}
readonly BACKEND_ADDRESS=${s.backend.address}

fail() {
  echo "$NAME: $*" >&2
  exit 1
}

[ -x "$MC" ] || fail "no MinIO client at $MC (objectStore.minioClient)"
if ! mountpoint -q "$VOLUME"; then
  fail "$VOLUME is not mounted: this VM is not the Promoted storage VM (the director reaches that one through the service address)"
fi
[ -r "$MC_DIR/config.json" ] || fail "cannot read $MC_DIR/config.json (the backup user's mc configuration)"
install -d -m 0700 "$EXPORT_DIR"
# --overwrite: a changed object replaces its copy; --remove: a deleted object leaves the export too (the job's
# Accurate mode records the deletion, older restore points keep it).
"$MC" --config-dir "$MC_DIR" --resolve "$BACKEND=$BACKEND_ADDRESS" --no-color --quiet \\
  mirror --overwrite --remove "${PHOTO_EXPORT_ALIAS}/${args.bucket}" "$EXPORT_DIR"
`;
}

/**
 * The export's mc configuration (format version 10): one alias, the backup tier's read-only S3 user, at the
 * loopback backend by the service's name. Holds the secret key: delivered 0600 root in a 0700 directory.
 */
export function renderPhotoExportMcConfig(service: ObjectServicePlan, accessKey: string, secretKey: string): string {
  for (const [value, what] of [[accessKey, "the backup S3 user's access key"], [secretKey, "the backup S3 user's secret key"]] as const) {
    const problem = s3KeyProblem(value, what);
    if (problem) throw new Error(`ibac-photo-export: ${problem}`);
  }
  const config = {
    version: "10",
    aliases: { [PHOTO_EXPORT_ALIAS]: { url: `https://${service.serverName}:${service.backend.port}`, accessKey, secretKey, api: "s3v4", path: "auto" } },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
