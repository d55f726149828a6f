import * as pulumi from "@pulumi/pulumi";
import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import { withDeployedDigest } from "../vm/deployed-digest";
import { renderReplicatedDrbdResource, type DrbdResourceText } from "../replicated-volume/render-drbd-resource";
import { renderReplicatedCorosyncConf, type CorosyncText } from "../replicated-volume/render-corosync-conf";
import { ipmiPasswordScript, PVE_PASSWORD_SCRIPT, renderReplicatedCib, type CibText } from "../replicated-volume/render-cib";
import { renderFencePasswordScript } from "../replicated-volume/render-cluster-scripts";
import { deriveBackupClusterPlan, type BackupClusterPlan } from "./cluster-plan";
import { BACKUP_CLUSTER_PATHS, BACKUP_CLUSTER_UNITS } from "./cluster-paths";
import { renderBackupClusterPackagesScript, renderBackupClusterSetupScript, renderBaculaUnitDropIn } from "./render-backup-cluster-scripts";

/** What the backup cluster's files say about themselves (comments and error messages). */
// No split-brain runbook is typed for the backup pair yet: the .res tells the operator to settle it by hand.
export const BACKUP_DRBD_TEXT: DrbdResourceText = { volume: "the backup volume", flowId: "backup-drbd" };
export const BACKUP_COROSYNC_TEXT: CorosyncText = { where: "backup cluster plan (corosync.conf)", clusterLabel: "backup cluster" };
export const BACKUP_CIB_TEXT: CibText = { where: "backup cluster plan (Pacemaker CIB)", vms: "backup VMs" };

/**
 * The secrets a backup VM's cluster files are made from; each becomes a root-only file, wrapped in
 * pulumi.secret here whatever is passed. declareBackupClusterSecrets (cluster-secrets.ts) makes all four.
 */
export interface BackupClusterSecrets {
  /** corosync's 256-byte key, base64 (the same on both backup VMs). */
  corosyncAuthkeyBase64: pulumi.Input<string>;
  /** The password of BACKUP_FENCE_PVE_USER, the Proxmox user fence_pve logs in as. */
  fencePvePassword: pulumi.Input<string>;
  /** The nodes' BMC password (the operator's `ibac:fenceIpmiPassword`, shared with the storage cluster). */
  fenceIpmiPassword: pulumi.Input<string>;
  /** The Proxmox cluster's CA (PEM, not secret), which fence_pve verifies the API against. */
  proxmoxCaPem: pulumi.Input<string>;
}

export interface BackupClusterFileOptions {
  /**
   * The Bacula files (bacula-dir.conf, bacula-sd.conf, certificates...), placed after the packages script (which
   * installs Bacula, so its users exist) and before the cluster's setup script, under the same digest: a change
   * of any of them runs the setup once, after all are in place.
   */
  serviceFiles?: readonly RenderedFile[];
  /** The Debian release the VMs run (12 bookworm, 13 trixie): picks the CIB schema. Default: the spec's. */
  release?: number;
}

const rootOnly = { mode: "0600", owner: "root:root" } as const;
const world = { mode: "0644", owner: "root:root" } as const;

/** The backup cluster's rendered text files, pure (no secrets): what the tests and the offline plan check. */
export function backupClusterTextFiles(plan: BackupClusterPlan, release: number, vm: string): { drbdResource: string; corosyncConf: string; cib: string; setupScript: string; packagesScript: string; unitDropIn: string } {
  return {
    drbdResource: renderReplicatedDrbdResource(plan.drbd, BACKUP_DRBD_TEXT),
    corosyncConf: renderReplicatedCorosyncConf(plan.cluster, BACKUP_COROSYNC_TEXT),
    cib: renderReplicatedCib(plan.cib, BACKUP_CIB_TEXT, { release: release >= 13 ? "trixie" : "bookworm" }),
    setupScript: renderBackupClusterSetupScript(plan, vm),
    packagesScript: renderBackupClusterPackagesScript(),
    unitDropIn: renderBaculaUnitDropIn(plan),
  };
}

/**
 * Every file of one backup VM, in install order: the packages script first (cluster packages and Bacula's),
 * then `serviceFiles`, the DRBD resource, corosync's files, the fence passwords and their scripts, the CIB,
 * the drop-ins that keep Bacula's units to the Promoted side, the setup script; last a digest of them all whose
 * follow-up runs the setup script once everything it reads is in place. `vm` must be one of the two backup VMs.
 */
export function backupClusterFiles(spec: PlatformSpec, model: PlatformModel, vm: string, secrets: BackupClusterSecrets, options: BackupClusterFileOptions = {}): RenderedFile[] {
  const plan = deriveBackupClusterPlan(spec, model);
  if (!plan.drbd.peers.some((p) => p.vm === vm)) throw new Error(`backupClusterFiles: ${JSON.stringify(vm)} is not a backup VM (${plan.drbd.peers.map((p) => p.vm).join(", ")})`);
  const text = backupClusterTextFiles(plan, options.release ?? spec.debian.release, vm);
  const ipmiScripts = [...new Set(plan.cluster.fencing.filter((f) => f.ipmi).map((f) => f.pve.proxmoxNode))].map(ipmiPasswordScript);
  const paths = BACKUP_CLUSTER_PATHS;
  const files: RenderedFile[] = [
    { path: paths.packagesScript, content: text.packagesScript, mode: "0755", owner: "root:root", afterChange: paths.packagesScript },
    ...(options.serviceFiles ?? []),
    { path: paths.drbdResource(plan.drbd.name), content: text.drbdResource, ...world },
    { path: paths.corosyncConf, content: text.corosyncConf, ...world },
    { path: paths.corosyncAuthkeyBase64, content: pulumi.secret(secrets.corosyncAuthkeyBase64), ...rootOnly },
    { path: paths.fencePveSecret, content: pulumi.secret(secrets.fencePvePassword), ...rootOnly },
    { path: paths.fenceIpmiSecret, content: pulumi.secret(secrets.fenceIpmiPassword), ...rootOnly },
    { path: PVE_PASSWORD_SCRIPT, content: renderFencePasswordScript(paths.fencePveSecret), mode: "0700", owner: "root:root" },
    { path: paths.proxmoxCa, content: secrets.proxmoxCaPem, ...world },
    ...ipmiScripts.map((path): RenderedFile => ({ path, content: renderFencePasswordScript(paths.fenceIpmiSecret), mode: "0700", owner: "root:root" })),
    // Not a secret (passwords come from the scripts above), but only the cluster's business.
    { path: paths.cibConfiguration, content: text.cib, mode: "0640", owner: "root:root" },
    ...BACKUP_CLUSTER_UNITS.map((unit): RenderedFile => ({ path: paths.unitDropIn(unit), content: text.unitDropIn, ...world })),
    { path: paths.setupScript, content: text.setupScript, mode: "0755", owner: "root:root" },
  ];
  return withDeployedDigest(files, `${paths.stateDir}/deployed.sha256`, paths.setupScript);
}
