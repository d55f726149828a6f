import { shellQuote } from "../../../playbooks/engine/shell-quote";
import type { ObjectStoreSpec } from "../../spec/schema";
import { MC_BINARY } from "../../storage/mc-script";
import { checkPath } from "../../storage/minio-values";
import { checked } from "../../storage/render-minio-install-script";
import { renderPinnedDownloadFunctions } from "../../vm/render-pinned-download";

export interface McInstallOptions {
  /** Where the client goes; MC_BINARY unless a test installs elsewhere. */
  binary?: string;
}

/**
 * The script that installs only the pinned MinIO client on an FRS VM (the archive job runs it): the storage
 * platform's pinned download and digest gate (components/vm/render-pinned-download.ts), nothing else (no
 * MinIO server, no user, no directories). Idempotent: a client that already has the pinned digest is kept. Pure.
 */
export function renderMcInstallScript(client: ObjectStoreSpec["minioClient"], opts: McInstallOptions = {}): string {
  const { url, sha256, release } = checked(client, "objectStore.minioClient", "renderMcInstallScript");
  const binary = checkPath(opts.binary ?? MC_BINARY, "renderMcInstallScript: binary");
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs the MinIO client ${release} from the operator's pinned binary.
set -euo pipefail
umask 022
readonly CLIENT_URL=${shellQuote(url)}
readonly CLIENT_SHA256=${shellQuote(sha256)}
readonly CLIENT_RELEASE=${shellQuote(release)}
readonly CLIENT_BINARY=${shellQuote(binary)}

${renderPinnedDownloadFunctions("ibac-mc-install")}install_pinned "the MinIO client $CLIENT_RELEASE" "$CLIENT_URL" "$CLIENT_SHA256" "$CLIENT_BINARY" objectStore.minioClient.sha256
`;
}
