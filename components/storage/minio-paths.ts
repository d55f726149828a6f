// Where MinIO lives on a storage VM: said once, read by the env file, the unit, the install script and the
// replication script.

/** The operator's pinned server binary, installed by the install script. */
export const MINIO_BINARY = "/usr/local/bin/minio";
/** MinIO's EnvironmentFile: holds the root credentials, so root:root 0600 (systemd reads it as PID 1). */
export const MINIO_ENV_FILE = "/etc/default/minio";
/** `--certs-dir`: `public.crt` and `private.key` (the internal CA's certificate for the service) and `CAs/`. */
export const MINIO_CERTS_DIR = "/etc/minio/certs";
/** The internal CA's certificate MinIO trusts, which the storage runbooks verify MinIO's certificate with. */
export const MINIO_CA_FILE = `${MINIO_CERTS_DIR}/CAs/ibac-ca.pem`;
export const MINIO_UNIT = "minio.service";
export const MINIO_UNIT_PATH = `/etc/systemd/system/${MINIO_UNIT}`;
/** The script that installs the binary and the user (run by every deployment, before the unit arrives). */
export const MINIO_INSTALL_SCRIPT_PATH = "/usr/local/sbin/ibac-minio-install";
