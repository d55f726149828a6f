import { checkCredential } from "../../storage/minio-values";

export interface ArchiveKeys {
  accessKey: string;
  secretKey: string;
}

/**
 * The job's EnvironmentFile: the FRS S3 user's keys (the object-store tier's "frs" credential). Root:root 0600:
 * systemd reads it as PID 1 and hands the values to the job's environment only. Pure. The values are checked
 * (checkCredential: nothing the env-file parser or mc's MC_HOST_ URL would read as syntax) and never shown in
 * an error.
 */
export function renderArchiveEnv(keys: ArchiveKeys): string {
  const access = checkCredential(keys.accessKey, "renderArchiveEnv: accessKey", 3);
  const secret = checkCredential(keys.secretKey, "renderArchiveEnv: secretKey", 16);
  return `# Rendered by the iBac toolkit: the FRS S3 user's keys for ibac-frs-archive.service (root only).
IBAC_S3_ACCESS_KEY=${access}
IBAC_S3_SECRET_KEY=${secret}
`;
}
