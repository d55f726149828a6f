import { deliveredFiles } from "../kit/rendered-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { RESOURCES } from "../../components/resource-types";
import { MINIO_ENV_FILE } from "../../components/storage/minio-paths";
import { envValues, resourcesOf } from "./object-store-evidence";
import { effectiveValue, filesByVm, serverSettings } from "../database/option-files";

/** InnoDB settings under which MariaDB writes its tables encrypted (a key management plugin must supply the keys). */
const ENCRYPTING = ["on", "force", "1"];

/**
 * Adopted document 002, "3.1.1 Encrypted data storage": personal data the backend stores is encrypted at rest.
 * Judged from what the stack delivers: MinIO gets a static encryption key (MINIO_KMS_SECRET_KEY) and every bucket
 * encrypts by default with it (SSE-KMS); each database server's option files set innodb_encrypt_tables. What the
 * toolkit does not render (the VM disks on the nodes' ZFS pools, the backup volume) is not judged here.
 */
export function dataEncryptedAtRestPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "data-encrypted-at-rest",
    description: "MinIO has an encryption key and every bucket encrypts its objects by default (SSE-KMS); every MariaDB server encrypts its tables (innodb_encrypt_tables).",
    requirements: ["IBAC-DAT-004"],
    severity: "medium",
    enforcementLevel: "advisory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const keyNames = new Set<string>();
    for (const vm of view.model.vms.filter((v) => v.tier === "objectStore")) {
      const env = files.find((f) => f.vm === vm.name && f.path === MINIO_ENV_FILE);
      const key = env ? envValues(env.content).get("MINIO_KMS_SECRET_KEY") : undefined;
      const name = key?.split(":")[0];
      if (!name || !key?.includes(":")) {
        reportFinding(report, { subject: `MinIO's encryption key on ${vm.name}`, observed: env ? "no MINIO_KMS_SECRET_KEY" : "no MinIO environment file delivered", expected: "MINIO_KMS_SECRET_KEY=<name>:<key> (objects and MinIO's own state encrypted)", urn: env?.urn ?? vmUrn(resources, vm.name, view.urn), location: `${MINIO_ENV_FILE}: MINIO_KMS_SECRET_KEY` });
      } else keyNames.add(name);
    }
    const encryption = resourcesOf(resources, RESOURCES.MinioS3BucketServerSideEncryption);
    for (const bucket of view.spec.objectStore.buckets) {
      const sse = encryption.find((r) => r.props.bucket === bucket.name);
      const keyId = sse ? String(sse.props.kmsKeyId ?? "") : "";
      if (!sse || sse.props.encryptionType !== "aws:kms" || !keyNames.has(keyId)) {
        const bucketResource = resourcesOf(resources, RESOURCES.MinioS3Bucket).find((r) => r.props.bucket === bucket.name);
        reportFinding(report, {
          subject: `bucket ${bucket.name}`,
          observed: sse ? `default encryption ${String(sse.props.encryptionType)} with key ${keyId || "none"}` : "no default encryption",
          expected: `SSE-KMS with MinIO's key${keyNames.size ? ` (${[...keyNames].join(", ")})` : ""}`,
          urn: (sse ?? bucketResource)?.urn ?? view.urn,
        });
      }
    }
    const byVm = filesByVm(files);
    for (const vm of view.model.vms.filter((v) => v.tier === "database")) {
      const setting = effectiveValue(serverSettings(byVm.get(vm.name) ?? []), "innodb_encrypt_tables");
      if (!setting || !ENCRYPTING.includes(setting.value.toLowerCase())) {
        reportFinding(report, {
          subject: `MariaDB's tables on ${vm.name}`,
          observed: setting ? `innodb_encrypt_tables = ${setting.value}` : "innodb_encrypt_tables not set (tables written unencrypted)",
          expected: "innodb_encrypt_tables = ON or FORCE, with a key management plugin",
          urn: setting?.urn ?? vmUrn(resources, vm.name, view.urn),
        });
      }
    }
  });
}
