import { shellQuote } from "../../playbooks/engine/shell-quote";
import type { ObjectStoreSpec } from "../spec/schema";
import type { ObjectServicePlan } from "./storage-plan";
import { MINIO_BINARY, MINIO_CERTS_DIR } from "./minio-paths";
import { MC_BINARY } from "./mc-script";
import { checkedService, checkPath } from "./minio-values";
import { checkPinnedUrl, checkSha256, renderPinnedDownloadFunctions } from "../vm/render-pinned-download";

export interface MinioInstallOptions {
  /** The MinIO client (`mc`) the retention and replication scripts run, pinned like the server. */
  client?: ObjectStoreSpec["minioClient"];
  /**
   * A directory every path the script writes is placed under, and the account files it edits (useradd
   * --prefix): tests install into a temporary root; production renders without it (the VM's own /).
   */
  root?: string;
}

// The schema's patterns again: the script is rendered from a spec object, which a caller may have built
// without the loader, and its values end up in a shell script.
const RELEASE = /^RELEASE\.[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z$/;

/** A pinned MinIO binary (server or client) from the spec, checked again; `renderer` names the caller in errors. */
export function checked(minio: ObjectStoreSpec["minio"], field = "objectStore.minio", renderer = "renderMinioInstallScript"): ObjectStoreSpec["minio"] {
  const where = `${renderer}: ${field}`;
  checkPinnedUrl(minio.url, `${where}.url`, "https://artifacts.example.org/minio/minio.RELEASE.2025-09-07T16-13-09Z");
  checkSha256(minio.sha256, `${where}.sha256`);
  if (!RELEASE.test(minio.release)) throw new Error(`${where}.release: expected a release such as RELEASE.2025-09-07T16-13-09Z, found ${JSON.stringify(minio.release)}`);
  return minio;
}

/**
 * The script each deployment runs on both storage VMs before MinIO's unit arrives: fetch the operator's
 * pinned MinIO binary, refuse it unless its SHA-256 is the spec's, install it root-owned 0755, create MinIO's
 * system user and its certificate directory (root:minio-user 0750, so the service reads its key and nobody
 * else does), and the volume's mount point. Idempotent: a binary that already has the pinned digest is kept.
 *
 * It never enables or starts minio.service: Pacemaker starts it on the Promoted side only. A new binary
 * replaces the file atomically (rename in the same directory); a running MinIO keeps the old one until
 * Pacemaker next starts it.
 *
 * The download and its digest gate are components/vm/render-pinned-download.ts (shared with the API and FRS).
 */
export function renderMinioInstallScript(minio: ObjectStoreSpec["minio"], service: ObjectServicePlan, opts: MinioInstallOptions = {}): string {
  const { url, sha256, release } = checked(minio);
  const client = opts.client ? checked(opts.client, "objectStore.minioClient") : undefined;
  checkedService(service, "renderMinioInstallScript");
  const root = opts.root === undefined ? "" : checkPath(opts.root, "renderMinioInstallScript: root");
  const under = (p: string): string => shellQuote(`${root}${p}`);
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs MinIO ${release} from the operator's pinned binary, its user and
# its certificate directory. Never enables minio.service: Pacemaker starts it. Run by every deployment.
set -euo pipefail
umask 022
readonly URL=${shellQuote(url)}
readonly SHA256=${shellQuote(sha256)}
readonly RELEASE=${shellQuote(release)}
readonly BINARY=${under(MINIO_BINARY)}
readonly CERTS_DIR=${under(MINIO_CERTS_DIR)}
readonly MOUNT_POINT=${under(service.mountPoint)}
readonly SERVICE_USER=${shellQuote(service.user)}
${client ? `readonly CLIENT_URL=${shellQuote(client.url)}
readonly CLIENT_SHA256=${shellQuote(client.sha256)}
readonly CLIENT_RELEASE=${shellQuote(client.release)}
readonly CLIENT_BINARY=${under(MC_BINARY)}
` : ""}
readonly PASSWD_FILE=${under("/etc/passwd")}
readonly GROUP_FILE=${under("/etc/group")}

${renderPinnedDownloadFunctions("ibac-minio-install")}
install_pinned "MinIO $RELEASE" "$URL" "$SHA256" "$BINARY" objectStore.minio.sha256
${client ? `install_pinned "the MinIO client $CLIENT_RELEASE" "$CLIENT_URL" "$CLIENT_SHA256" "$CLIENT_BINARY" objectStore.minioClient.sha256
` : ""}
if ! grep -q "^$SERVICE_USER:" "$PASSWD_FILE"; then
  useradd ${root ? `--prefix ${shellQuote(root)} ` : ""}--system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_USER"
fi
gid=$(awk -F: -v name="$SERVICE_USER" '$1 == name { print $3 }' "$GROUP_FILE")
[ -n "$gid" ] || fail "no group $SERVICE_USER in $GROUP_FILE after useradd"

install -d -m 0750 -o 0 -g "$gid" "$CERTS_DIR" "$CERTS_DIR/CAs"
# The volume mounts here on the Promoted side; the directory below an unmounted volume stays root's and empty.
install -d -m 0755 -o 0 -g 0 "$MOUNT_POINT"
`;
}
