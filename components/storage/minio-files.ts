import * as pulumi from "@pulumi/pulumi";
import type { ServerCertificateArgs } from "../pki/internal-ca";
import type { ObjectStoreSpec } from "../spec/schema";
import type { RenderedFile } from "../vm/rendered-file";
import type { ObjectServicePlan } from "./storage-plan";
import { MINIO_CA_FILE, MINIO_CERTS_DIR, MINIO_ENV_FILE, MINIO_INSTALL_SCRIPT_PATH, MINIO_UNIT_PATH } from "./minio-paths";
import { renderMinioEnv } from "./render-minio-env";
import { renderMinioInstallScript } from "./render-minio-install-script";
import { renderMinioUnit } from "./render-minio-unit";
import { renderReplicationScript } from "./render-replication-commands";
import { renderRetentionScript } from "./render-retention-commands";
import { replicationScriptFile, retentionScriptFile } from "./mc-commands";

// MinIO's files for a storage VM, in install order, for the tier component to hand to the delivery seam. Both
// VMs get the same files: the service (its address, name, certificate and data) moves between them with the
// Promoted role, and either may be the one that runs MinIO next.

/** The certificate MinIO presents: the service's name and the moving service address (the provider connects to it). */
export function minioCertificateArgs(service: ObjectServicePlan): ServerCertificateArgs {
  return { commonName: service.serverName, dnsNames: [service.serverName], ipAddresses: [service.address] };
}

export interface MinioFileSecrets {
  /** MinIO's root credentials (@pulumi/random secrets). */
  rootUser: pulumi.Input<string>;
  rootPassword: pulumi.Input<string>;
  /** MinIO's static encryption key, base64 (a secret). */
  kmsKeyBase64: pulumi.Input<string>;
  /** The internal CA's certificate, MinIO's certificate for the service and its key (a secret). */
  caPem: pulumi.Input<string>;
  certPem: pulumi.Input<string>;
  keyPem: pulumi.Input<string>;
}

export function minioFilesForVm(objectStore: ObjectStoreSpec, service: ObjectServicePlan, secrets: MinioFileSecrets): RenderedFile[] {
  const rootOnly = { mode: "0600", owner: "root:root" };
  const env = pulumi.secret(pulumi.all([secrets.rootUser, secrets.rootPassword, secrets.kmsKeyBase64]).apply(([rootUser, rootPassword, kmsKeyBase64]) => renderMinioEnv(service, { rootUser, rootPassword, kmsKeyBase64 })));
  const retention = renderRetentionScript(objectStore.buckets, service);
  return [
    // First: it creates minio-user, so that the key below is installed readable by it from its first install.
    { path: MINIO_INSTALL_SCRIPT_PATH, content: renderMinioInstallScript(objectStore.minio, service, { client: objectStore.minioClient }), mode: "0755", owner: "root:root", afterChange: MINIO_INSTALL_SCRIPT_PATH },
    { path: MINIO_CA_FILE, content: secrets.caPem, mode: "0644", owner: "root:root" },
    { path: `${MINIO_CERTS_DIR}/public.crt`, content: secrets.certPem, mode: "0644", owner: "root:root" },
    // MinIO reads its key itself, as minio-user.
    { path: `${MINIO_CERTS_DIR}/private.key`, content: pulumi.secret(secrets.keyPem), mode: "0640", owner: "root:minio-user" },
    // The root credentials: read by systemd as root, never by MinIO's user. A change takes effect at the next
    // start, which is Pacemaker's to make (no restart here: this VM may not be the one running MinIO).
    { path: MINIO_ENV_FILE, content: env, ...rootOnly },
    // daemon-reload only: Pacemaker starts the unit; nothing here enables or starts it.
    { path: MINIO_UNIT_PATH, content: renderMinioUnit(service, { release: objectStore.minio.release }), mode: "0644", owner: "root:root", afterChange: "systemctl daemon-reload" },
    ...(retention ? [retentionScriptFile(retention)] : []),
    ...(objectStore.replication ? [replicationScriptFile(renderReplicationScript(objectStore.replication, service))] : []),
  ];
}
