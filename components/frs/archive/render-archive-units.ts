import { checkPath } from "../../storage/minio-values";
import { checkedArchivePlan } from "./archive-values";
import { ARCHIVE_ENV_FILE, ARCHIVE_SCRIPT_PATH, ARCHIVE_SERVICE, ARCHIVE_STATE_DIRECTORY, type FrsArchivePlan } from "./archive-plan";
import { KERNEL_AND_HOST_PROTECTION_BLOCK } from "../../vm/systemd-sandbox";

export interface ArchiveUnitOptions {
  /** The script ExecStart= runs and the EnvironmentFile=; the production paths unless a test renders others. */
  script?: string;
  envFile?: string;
}

/** A failed run is killed after this long; what it had not deleted stays, and the next run goes on. */
export const ARCHIVE_TIMEOUT = "6h";

/**
 * `ibac-frs-archive.service`: one run of the local-retention job. Pure.
 *
 * Type=oneshot, started by its timer only (no [Install]): a run that keeps a file exits 1, so the unit is
 * failed until a run succeeds, which is what monitoring watches. systemd never starts a second run while one is
 * active, however long it takes.
 *
 * Hardened: the FRS service's own user (the data is its files), no capabilities, no new privileges, the system
 * read-only but for the data directory (ReadWritePaths=) and the job's own state (StateDirectory=), a private
 * /tmp for mc's throwaway configuration, no devices, no kernel or clock access; its only network peer is the
 * object store's service address (IPAddressAllow=), reached by name through mc's --resolve (no DNS needed). The
 * keys come from a root:root 0600 EnvironmentFile, which systemd reads as PID 1 before it drops to the user.
 * It yields to the FRS service (Nice=, idle I/O): archiving can wait, the service cannot.
 */
export function renderArchiveService(plan: FrsArchivePlan, opts: ArchiveUnitOptions = {}): string {
  const where = "renderArchiveService";
  const p = checkedArchivePlan(plan, where);
  const script = checkPath(opts.script ?? ARCHIVE_SCRIPT_PATH, `${where}: script`);
  const envFile = checkPath(opts.envFile ?? ARCHIVE_ENV_FILE, `${where}: envFile`);
  return `# Rendered by the iBac toolkit. Started by ibac-frs-archive.timer.
[Unit]
Description=FRS local retention: archive data older than ${p.retentionDays} days to the object store, then delete it here
After=network-online.target
Wants=network-online.target
RequiresMountsFor=${p.dataDir}
AssertFileIsExecutable=${script}

[Service]
Type=oneshot
User=${p.user}
Group=${p.user}
EnvironmentFile=${envFile}
ExecStart=${script}
StateDirectory=${ARCHIVE_STATE_DIRECTORY}
StateDirectoryMode=0750
TimeoutStartSec=${ARCHIVE_TIMEOUT}
Nice=10
IOSchedulingClass=idle
UMask=0077

NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ReadWritePaths=${p.dataDir}
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
DevicePolicy=closed
${KERNEL_AND_HOST_PROTECTION_BLOCK}
ProtectProc=invisible
ProcSubset=pid
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
IPAddressDeny=any
IPAddressAllow=${p.endpoint.address}
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM
`;
}

/**
 * `ibac-frs-archive.timer`. Pure.
 *
 * Hourly: the retention is counted in days, so an hour late costs nothing, while an hourly run retries a
 * failed upload soon and keeps each run to about an hour's worth of files. Persistent=true: a run missed while
 * the VM was down happens at its next boot. RandomizedDelaySec=15min: the FRS instances (and every other VM's
 * hourly jobs) do not all reach the object store at the top of the hour.
 */
export function renderArchiveTimer(plan: FrsArchivePlan): string {
  const p = checkedArchivePlan(plan, "renderArchiveTimer");
  return `# Rendered by the iBac toolkit.
[Unit]
Description=Hourly FRS local retention (archive data older than ${p.retentionDays} days)

[Timer]
OnCalendar=hourly
RandomizedDelaySec=15min
AccuracySec=1min
Persistent=true
Unit=${ARCHIVE_SERVICE}

[Install]
WantedBy=timers.target
`;
}
