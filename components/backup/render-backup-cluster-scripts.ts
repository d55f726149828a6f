import { renderClusterPackagesScript, renderClusterSetupScript, type ClusterSetupText } from "../replicated-volume/render-cluster-scripts";
import { BACKUP_CLUSTER_PATHS, BACKUP_CLUSTER_UNITS } from "./cluster-paths";
import type { BackupClusterPlan } from "./cluster-plan";

/**
 * The packages a backup VM's cluster runs: DRBD's tools, corosync with the QDevice client, Pacemaker and its
 * tools, the OCF agents and the fence agents, as on the storage VMs; and Bacula's storage daemon and director
 * with the SQLite catalog (ARCHITECTURE.md), which Pacemaker runs. The backup component reads this list for the
 * Bacula packages it does not install a second time.
 */
export const BACKUP_CLUSTER_PACKAGES = [
  "drbd-utils", "corosync", "corosync-qdevice", "pacemaker", "pacemaker-cli-utils", "resource-agents", "fence-agents", "ca-certificates",
  "bacula-sd", "bacula-director-sqlite3",
] as const;

const UNITS = BACKUP_CLUSTER_UNITS.map((u) => `${u}.service`).join(" ");

/**
 * The first step of every backup deployment (renderClusterPackagesScript). Debian enables bacula-sd and
 * bacula-director and starts them on install; here Pacemaker alone runs them, on the Promoted side. So they are
 * disabled at boot every time, and stopped while Pacemaker is not running on this VM (a fresh install, an
 * interrupted deployment): never both VMs serving, never a director writing its catalog on the root disk.
 */
export function renderBackupClusterPackagesScript(): string {
  return renderClusterPackagesScript({
    clusterLabel: "backup cluster",
    packages: BACKUP_CLUSTER_PACKAGES,
    tail: `systemctl disable ${UNITS}
if ! systemctl is-active --quiet pacemaker; then
  systemctl stop ${UNITS}
fi
`,
  });
}

/**
 * A drop-in for a Bacula unit Pacemaker runs: it refuses to start unless the DRBD volume is mounted (Pacemaker
 * starts the file system first; anyone else starting it by hand gets a clear failure, not a catalog on the root
 * disk), and leaves restarts to Pacemaker (Debian's Restart=on-failure would restart it behind the monitor's back).
 */
export function renderBaculaUnitDropIn(plan: BackupClusterPlan): string {
  const mount = plan.service.mountPoint;
  if (!/^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/.test(mount)) throw new Error(`renderBaculaUnitDropIn: expected an absolute mount point, found ${JSON.stringify(mount)}`);
  return `# Rendered by the iBac toolkit: Pacemaker runs this unit on the backup cluster's Promoted side only.
[Unit]
AssertPathIsMountPoint=${mount}

[Service]
Restart=no
`;
}

const SETUP_TEXT: ClusterSetupText = {
  vmLabel: "backup VM",
  clusterLabel: "backup cluster",
  runbooks: "the backup runbooks",
  unitsComment: `${UNITS} are Pacemaker's: disabled at boot, started only where the volume is mounted.`,
  paths: BACKUP_CLUSTER_PATHS,
};

/** The script each deployment runs on a backup VM once every other file is in place (renderClusterSetupScript). */
export function renderBackupClusterSetupScript(plan: BackupClusterPlan, vm: string): string {
  return renderClusterSetupScript({ drbd: plan.drbd, cluster: plan.cluster, mountPoint: plan.service.mountPoint }, vm, SETUP_TEXT);
}
