import { checkPath } from "./minio-values";
import { HAPROXY_BINARY, S3_HAPROXY_CONFIG } from "./s3-haproxy-paths";
import { KERNEL_AND_HOST_PROTECTION_BLOCK } from "../vm/systemd-sandbox";

export interface S3HaproxyUnitOptions {
  /** The binary and the config ExecStart= runs; the production paths unless a test renders others. */
  binary?: string;
  config?: string;
}

/**
 * `ibac-s3-haproxy.service` on a storage VM: HAProxy with the S3 TLS config. Pure.
 *
 * Pacemaker owns it (`systemd:ibac-s3-haproxy`, the last member of the service group, after the address and
 * MinIO), as it owns minio.service, and for the same reasons:
 * - no [Install] section: never started at boot, where the service address may be the peer's;
 * - Restart=no: a failed HAProxy is for Pacemaker's monitor to see and recover; Debian's own haproxy.service
 *   (Restart=always) would restart it behind Pacemaker's back, which is why this is a unit of its own.
 * - The config is checked before each start and reload (`-c`), so a bad file fails the start Pacemaker sees
 *   instead of a half-started HAProxy.
 *
 * As Debian's unit does: master-worker mode with sd_notify (Type=notify, `-Ws`), reload by USR2, /dev/log bound
 * into the chroot for its log. HAProxy starts as root (it reads the root-only certificate, then chroots and drops
 * to the haproxy user), so the capabilities it keeps are those three steps'.
 */
export function renderS3HaproxyUnit(opts: S3HaproxyUnitOptions = {}): string {
  const where = "renderS3HaproxyUnit";
  const binary = checkPath(opts.binary ?? HAPROXY_BINARY, `${where}: binary`);
  const config = checkPath(opts.config ?? S3_HAPROXY_CONFIG, `${where}: config`);
  return `# Rendered by the iBac toolkit. Started and stopped by Pacemaker only: never enable it.
[Unit]
Description=HAProxy: the object store's S3 TLS in front of MinIO (Pacemaker resource)
Documentation=man:haproxy(1)
After=network-online.target
Wants=network-online.target
AssertFileNotEmpty=${config}

[Service]
Type=notify
RuntimeDirectory=ibac-s3-haproxy
ExecStartPre=${binary} -Ws -f ${config} -c -q
ExecStart=${binary} -Ws -f ${config} -p /run/ibac-s3-haproxy/haproxy.pid
ExecReload=${binary} -Ws -f ${config} -c -q
ExecReload=/bin/kill -USR2 $MAINPID
KillMode=mixed
SuccessExitStatus=143
# Recovery is Pacemaker's (its monitor and its restart or move of the group), not systemd's.
Restart=no
TimeoutStartSec=60
TimeoutStopSec=30
BindReadOnlyPaths=/dev/log:/var/lib/haproxy/dev/log

NoNewPrivileges=yes
CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_SYS_CHROOT
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
${KERNEL_AND_HOST_PROTECTION_BLOCK}
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
`;
}
