import { checkPath, checkPort, checkUserName } from "../storage/minio-values";
import type { ApplicationServicePlan } from "./service-plan";
import { KERNEL_AND_HOST_PROTECTION } from "../vm/systemd-sandbox";

export interface ServiceUnitOptions {
  /** ExecStart='s program; the plan's unless a test renders another. */
  executable?: string;
}

/**
 * The systemd unit of the operator's API or FRS service (`ibac-api.service`, `ibac-frs.service`). Pure.
 *
 * The service is the operator's code: the unit gives it what an HTTPS service on a port above 1024 needs and
 * nothing more, so that a flaw in it reaches as little of the VM as possible:
 * - its own system user; no capabilities at all (CapabilityBoundingSet= empty: the port is >= 1024, the
 *   schema's minimum), no new privileges, no set-uid;
 * - the whole file system read-only (ProtectSystem=strict), /home and /root hidden, a private /tmp and /dev;
 *   writable only FRS's data directory on its data disk;
 * - no kernel tunables, modules, logs, clock or cgroups; no namespaces; IPv4, IPv6 and Unix sockets only;
 *   system calls limited to @system-service without @privileged.
 * - not MemoryDenyWriteExecute=: the artifact may be a JIT runtime (a JVM, Node.js), which it would kill.
 *
 * The EnvironmentFile holds the database password and the S3 secret key: root:root 0600, read by systemd (PID 1)
 * before it drops to User=; the service's user cannot read the file itself.
 *
 * FRS writes below /srv, the data disk's mount point: RequiresMountsFor= keeps it from starting (and writing into
 * the root file system under an empty /srv) when the disk is not mounted, which cloud-init's `nofail` allows.
 * Its data directory is made before each start as root ("+"), on the mounted disk.
 *
 * Restart=on-failure: the load balancer (API) or the API (FRS) stops sending to an instance that fails its
 * health checks; systemd brings the process back, at most 5 times a minute so a crash loop shows as failed.
 */
export function renderServiceUnit(plan: ApplicationServicePlan, opts: ServiceUnitOptions = {}): string {
  const where = "renderServiceUnit";
  const user = checkUserName(plan.user, `${where}: user`);
  const executable = checkPath(opts.executable ?? plan.paths.executable, `${where}: executable`);
  const envFile = checkPath(plan.paths.envFile, `${where}: envFile`);
  checkPort(plan.port, `${where}: port`);
  if (plan.port < 1024) throw new Error(`${where}: port: expected 1024 or above (the service has no capability to bind a lower one), found ${plan.port}`);
  const dataDir = plan.frs ? checkPath(plan.frs.dataDir, `${where}: frs.dataDir`) : undefined;
  if (plan.frs && !dataDir?.startsWith(`${checkPath(plan.frs.mountPoint, `${where}: frs.mountPoint`)}/`)) {
    throw new Error(`${where}: frs.dataDir: expected a path below ${plan.frs.mountPoint}, found ${JSON.stringify(plan.frs.dataDir)}`);
  }
  const lines = (items: (string | false | undefined)[]): string => items.filter((l): l is string => typeof l === "string").join("\n");
  return `# Rendered by the iBac toolkit: the operator's ${plan.label}, from its pinned artifact.
${lines([
    "[Unit]",
    `Description=${plan.label} (the operator's application, port ${plan.port})`,
    "After=network-online.target",
    "Wants=network-online.target",
    dataDir && `RequiresMountsFor=${dataDir}`,
    `AssertFileIsExecutable=${executable}`,
    "StartLimitIntervalSec=60",
    "StartLimitBurst=5",
    "",
    "[Service]",
    "Type=simple",
    `User=${user}`,
    `Group=${user}`,
    `EnvironmentFile=${envFile}`,
    dataDir && `ExecStartPre=+/usr/bin/install -d -m 0750 -o ${user} -g ${user} ${dataDir}`,
    `ExecStart=${executable}`,
    "Restart=on-failure",
    "RestartSec=2",
    "TimeoutStopSec=30",
    "UMask=0077",
    "LimitNOFILE=65536",
    "",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "ProtectSystem=strict",
    dataDir && `ReadWritePaths=${dataDir}`,
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "PrivateMounts=yes",
    ...KERNEL_AND_HOST_PROTECTION,
    "ProtectProc=invisible",
    "ProcSubset=pid",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "RemoveIPC=yes",
    "KeyringMode=private",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged",
    "SystemCallErrorNumber=EPERM",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ])}
`;
}
