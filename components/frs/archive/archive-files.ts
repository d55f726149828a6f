import * as pulumi from "@pulumi/pulumi";
import type { ObjectStoreSpec } from "../../spec/schema";
import type { RenderedFile } from "../../vm/rendered-file";
import { renderMcInstallScript } from "./render-mc-install-script";
import {
  ARCHIVE_CA_FILE, ARCHIVE_ENV_FILE, ARCHIVE_SCRIPT_PATH, ARCHIVE_SERVICE_PATH, ARCHIVE_TIMER, ARCHIVE_TIMER_PATH, MC_INSTALL_SCRIPT_PATH,
  type FrsArchivePlan,
} from "./archive-plan";
import { renderArchiveEnv } from "./render-archive-env";
import { renderArchiveScript } from "./render-archive-script";
import { renderArchiveService, renderArchiveTimer } from "./render-archive-units";

export interface ArchiveSecrets {
  /** The FRS S3 user: `offeredCredential(offered, "objectStore", "frs", ...)`'s user and password. */
  accessKey: pulumi.Input<string>;
  secretKey: pulumi.Input<string>;
  /** The internal CA's certificate (PEM), which the object store's certificate is checked against. */
  caPem: pulumi.Input<string>;
}

/**
 * The archive job's files for one FRS VM, in install order, for the delivery seam: the pinned MinIO client
 * (installed by its script as the file arrives), the CA, the root-only keys, the script, the service, and last
 * the timer, which is enabled once everything it runs is in place. Deliver them after the FRS service's own
 * files: the unit runs as the FRS service's user, which those create.
 */
export function frsArchiveFiles(plan: FrsArchivePlan, minioClient: ObjectStoreSpec["minioClient"], secrets: ArchiveSecrets): RenderedFile[] {
  const env = pulumi.secret(pulumi.all([secrets.accessKey, secrets.secretKey]).apply(([accessKey, secretKey]) => renderArchiveEnv({ accessKey, secretKey })));
  return [
    { path: MC_INSTALL_SCRIPT_PATH, content: renderMcInstallScript(minioClient, { binary: plan.mcBinary }), mode: "0755", owner: "root:root", afterChange: MC_INSTALL_SCRIPT_PATH },
    { path: ARCHIVE_CA_FILE, content: secrets.caPem, mode: "0644", owner: "root:root" },
    { path: ARCHIVE_ENV_FILE, content: env, mode: "0600", owner: "root:root" },
    { path: ARCHIVE_SCRIPT_PATH, content: renderArchiveScript(plan), mode: "0755", owner: "root:root" },
    { path: ARCHIVE_SERVICE_PATH, content: renderArchiveService(plan), mode: "0644", owner: "root:root", afterChange: "systemctl daemon-reload" },
    { path: ARCHIVE_TIMER_PATH, content: renderArchiveTimer(plan), mode: "0644", owner: "root:root", afterChange: `systemctl daemon-reload && systemctl enable --now ${ARCHIVE_TIMER}` },
  ];
}
