import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as random from "@pulumi/random";
import type { TierComponentArgs } from "../tiers/tier-component";
import { FENCE_PRIVILEGES } from "../storage/fence-privileges";
import { BACKUP_FENCE_PVE_USER, deriveBackupClusterPlan } from "./cluster-plan";
import type { BackupClusterSecrets } from "./cluster-files";

/**
 * The backup cluster's secrets, declared under `parent`: corosync's key (@pulumi/random), and the Proxmox user
 * its fence_pve logs in as (BACKUP_FENCE_PVE_USER, a random password, allowed to see and power the two backup
 * VMs and nothing else; its own role, since the storage tier's IbacFence role belongs to that tier). The BMC
 * password is the operator's `ibac:fenceIpmiPassword`, the nodes' BMCs being the same for every cluster.
 */
export function declareBackupClusterSecrets(name: string, args: Pick<TierComponentArgs, "spec" | "model" | "secrets" | "proxmoxCaPem">, parent: pulumi.Resource): BackupClusterSecrets {
  const child = { parent };
  const fenceIpmiPassword = args.secrets.fenceIpmiPassword;
  if (!fenceIpmiPassword) throw new Error("the backup cluster's second fencing level (the nodes' BMCs) needs the Pulumi secret ibac:fenceIpmiPassword: pulumi config set --secret ibac:fenceIpmiPassword");
  const plan = deriveBackupClusterPlan(args.spec, args.model);
  const fencePassword = new random.RandomPassword(`${name}-fence-pve-password`, { length: 32, special: false }, child).result;
  const role = new proxmox.RoleLegacy(`${name}-fence-role`, { roleId: "IbacFenceBackup", privileges: [...FENCE_PRIVILEGES] }, child);
  new proxmox.UserLegacy(`${name}-fence-user`, {
    userId: BACKUP_FENCE_PVE_USER,
    comment: "ibac backup tier: fence_pve powers a backup VM off",
    enabled: true,
    password: pulumi.secret(fencePassword),
    acls: plan.cluster.fencing.map((f) => ({ path: `/vms/${f.pve.vmId}`, roleId: role.roleId, propagate: false })),
  }, child);
  const authkey = new random.RandomBytes(`${name}-corosync-authkey`, { length: 256 }, child).base64;
  return {
    corosyncAuthkeyBase64: pulumi.secret(authkey),
    fencePvePassword: pulumi.secret(fencePassword),
    fenceIpmiPassword,
    proxmoxCaPem: args.proxmoxCaPem,
  };
}
