import type { ObjectServicePlan } from "./storage-plan";
import { MINIO_BINARY, MINIO_ENV_FILE } from "./minio-paths";
import { checkedService, checkPath } from "./minio-values";
import { KERNEL_AND_HOST_PROTECTION_BLOCK } from "../vm/systemd-sandbox";

export interface MinioUnitOptions {
  /** The MinIO release the binary is (spec.objectStore.minio.release): it decides how the unit learns MinIO is up. */
  release: string;
  /** The server binary ExecStart= runs; the production path unless a test renders another. */
  binary?: string;
  /** The EnvironmentFile=; the production path unless a test renders another. */
  envFile?: string;
}

/**
 * `minio.service` on a storage VM. Pure.
 *
 * Pacemaker owns this unit (its `systemd:minio` resource, colocated with the Promoted DRBD side, ordered after
 * the file system and the service address), so:
 * - it has no [Install] section: `systemctl enable` has nothing to hook it to and it never starts at boot, where
 *   the volume may be the peer's;
 * - Restart=no: a crashed MinIO is for Pacemaker's monitor to see and recover (in place, or by moving the whole
 *   group); a restart behind Pacemaker's back hides the failure from it and races its recovery;
 * - AssertPathIsMountPoint= on the volume: MinIO must never write into the empty directory under an unmounted
 *   volume (those objects would vanish behind the DRBD mount later). An Assert, not a Condition: a failed
 *   Condition makes `systemctl start` succeed without starting anything, a failed Assert fails the start job,
 *   which is what Pacemaker must see.
 *
 * Hardened: its own user, no capabilities, no new privileges, the whole system read-only except the volume,
 * no devices, no kernel tunables, modules or logs, IPv4/IPv6/Unix sockets plus netlink (Go's net.Interfaces,
 * which MinIO calls at start to learn its addresses, asks the kernel over netlink).
 */
/**
 * The first release that tells systemd it is ready (sd_notify), per the unit MinIO publishes: with it, Type=notify
 * makes a start succeed only once MinIO serves, so Pacemaker starts what depends on it after that, not at exec.
 */
export const FIRST_NOTIFY_RELEASE = "RELEASE.2023-05-04T21-44-30Z";
const RELEASE = /^RELEASE\.[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z$/;

export function renderMinioUnit(service: ObjectServicePlan, opts: MinioUnitOptions): string {
  const where = "renderMinioUnit";
  checkedService(service, where);
  if (!RELEASE.test(opts.release)) throw new Error(`${where}: release: expected a release such as RELEASE.2025-09-07T16-13-09Z, found ${JSON.stringify(opts.release)}`);
  // The names sort as their dates do.
  const type = opts.release >= FIRST_NOTIFY_RELEASE ? "notify" : "simple";
  const binary = checkPath(opts.binary ?? MINIO_BINARY, `${where}: binary`);
  const envFile = checkPath(opts.envFile ?? MINIO_ENV_FILE, `${where}: envFile`);
  return `# Rendered by the iBac toolkit. Started and stopped by Pacemaker only: never enable it.
[Unit]
Description=MinIO S3 object store on the DRBD volume (Pacemaker resource)
Documentation=https://min.io/docs/minio/linux/index.html
After=network-online.target
Wants=network-online.target
AssertPathIsMountPoint=${service.mountPoint}
AssertFileIsExecutable=${binary}

[Service]
Type=${type}
User=${service.user}
Group=${service.user}
EnvironmentFile=${envFile}
# The data directory below the mount point, the service's own: made as root ("+") once the volume is mounted.
ExecStartPre=+/usr/bin/install -d -m 0750 -o ${service.user} -g ${service.user} ${service.dataDir}
ExecStart=${binary} server $MINIO_OPTS $MINIO_VOLUMES
# Recovery is Pacemaker's (its monitor and its restart or move of the group), not systemd's.
Restart=no
TimeoutStartSec=120
TimeoutStopSec=60
LimitNOFILE=65536
TasksMax=infinity
UMask=0077

NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ReadWritePaths=${service.mountPoint}
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
${KERNEL_AND_HOST_PROTECTION_BLOCK}
ProtectProc=invisible
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged
`;
}
