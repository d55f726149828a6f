/**
 * The sandbox lines every unit the toolkit renders shares (MinIO, the S3 front, the API and FRS services, the
 * FRS archive job, the database backups): none of them loads modules, tunes the kernel, reads its log, edits
 * cgroups, sets the clock or the host name. Said once, so a hardening change reaches every unit; each unit adds
 * what depends on its job (writable paths, address families, devices). One directive per line, no newline.
 */
export const KERNEL_AND_HOST_PROTECTION: readonly string[] = [
  "ProtectKernelTunables=yes",
  "ProtectKernelModules=yes",
  "ProtectKernelLogs=yes",
  "ProtectControlGroups=yes",
  "ProtectClock=yes",
  "ProtectHostname=yes",
];

/** The lines above as a block of a unit file's text. */
export const KERNEL_AND_HOST_PROTECTION_BLOCK = KERNEL_AND_HOST_PROTECTION.join("\n");
