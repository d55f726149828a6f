import { shellQuote } from "../../playbooks/engine/shell-quote";
import type { ObjectStoreSpec } from "../spec/schema";
import type { ObjectServicePlan } from "./storage-plan";
import { MINIO_BINARY, MINIO_CERTS_DIR } from "./minio-paths";
import { MC_BINARY } from "./mc-script";
import { checkedService, checkPath } from "./minio-values";

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
const URL = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~%+-]+)+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const RELEASE = /^RELEASE\.[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z$/;

/** A pinned MinIO binary (server or client) from the spec, checked again; `renderer` names the caller in errors. */
export function checked(minio: ObjectStoreSpec["minio"], field = "objectStore.minio", renderer = "renderMinioInstallScript"): ObjectStoreSpec["minio"] {
  const where = `${renderer}: ${field}`;
  if (!URL.test(minio.url)) throw new Error(`${where}.url: expected an http(s) URL of a file such as https://artifacts.example.org/minio/minio.RELEASE.2025-09-07T16-13-09Z, found ${JSON.stringify(minio.url)}`);
  if (!SHA256.test(minio.sha256)) throw new Error(`${where}.sha256: expected 64 lower-case hex digits, found ${JSON.stringify(minio.sha256)}`);
  if (!RELEASE.test(minio.release)) throw new Error(`${where}.release: expected a release such as RELEASE.2025-09-07T16-13-09Z, found ${JSON.stringify(minio.release)}`);
  return minio;
}

/** curl held to the URL's scheme: https URLs TLS 1.2 or later and redirects to https only (see below). */
function curlProtocolOf(url: string): string {
  return url.startsWith("https://") ? "--proto =https --proto-redir =https --tlsv1.2" : "--proto =http --proto-redir =http";
}

/**
 * The shell functions an install script of pinned binaries is made of (`fail`, `digest_of`, `install_pinned`),
 * messages prefixed with `name`; curl is held to `url`'s scheme. Shared by MinIO's install script and the MinIO
 * client's alone (the FRS VMs' archive job runs mc: components/frs/archive/).
 */
export function pinnedInstallShell(name: string, url: string): string {
  return `fail() {
  echo "${name}: $*" >&2
  exit 1
}

digest_of() {
  sha256sum "$1" | cut -d' ' -f1
}

# install_pinned WHAT URL SHA256 TARGET: the file at URL, kept only if its SHA-256 is the pinned one.
install_pinned() {
  local what=$1 url=$2 sha256=$3 target=$4 field=$5
  install -d -m 0755 "$(dirname "$target")"
  if [ -x "$target" ] && [ "$(digest_of "$target")" = "$sha256" ]; then
    echo "${name}: $target is already the pinned $what"
    return
  fi
  download=$(mktemp "$target.download.XXXXXX")
  trap 'rm -f "$download"' EXIT
  curl --fail --silent --show-error --location ${curlProtocolOf(url)} \\
    --retry 3 --connect-timeout 20 --max-time 900 --output "$download" -- "$url" \\
    || fail "could not download $what from $url"
  actual=$(digest_of "$download")
  if [ "$actual" != "$sha256" ]; then
    fail "refusing the binary from $url: its SHA-256 is $actual, the spec pins $sha256 ($field); nothing was installed"
  fi
  chmod 0755 "$download"
  chown 0:0 "$download"
  mv -f "$download" "$target"
  trap - EXIT
  echo "${name}: installed $what at $target"
}

`;
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
 * curl is held to the URL's scheme (https URLs: TLS 1.2 or later, redirects to https only); an http URL, which
 * the spec allows for an internal mirror, relies on the digest alone, which is what makes any copy safe to use.
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

${pinnedInstallShell("ibac-minio-install", url)}install_pinned "MinIO $RELEASE" "$URL" "$SHA256" "$BINARY" objectStore.minio.sha256
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

