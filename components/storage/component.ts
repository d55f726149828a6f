import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as random from "@pulumi/random";
import type { VmPlan } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import type { TierComponent, TierComponentArgs, TierCredential, TlsEndpoint } from "../tiers/tier-component";
import { tierMonitors, type ServiceMonitor } from "../tiers/monitors";
import { renderDrbdResource } from "./render-drbd-resource";
import { renderFencePasswordScript, renderStoragePackagesScript, renderStorageSetupScript } from "./render-storage-scripts";
import { STORAGE_PATHS } from "./paths";
import { FENCE_PVE_USER } from "./derive-storage-plan";
import { FENCE_PRIVILEGES } from "./fence-privileges";
import type { StoragePlan } from "./storage-plan";


/** The secrets a storage VM's files are made from. */
export interface StorageSecrets {
  corosyncAuthkeyBase64: pulumi.Input<string>;
  fencePvePassword: pulumi.Input<string>;
  fenceIpmiPassword: pulumi.Input<string>;
}

const rootOnly = { mode: "0600", owner: "root:root" } as const;
const world = { mode: "0644", owner: "root:root" } as const;

/**
 * Every file of one storage VM, in install order: the packages first (their users and directories), then the
 * DRBD resource, corosync's key, the fence agents' passwords and the scripts; last a digest of them all, whose
 * follow-up runs the setup script once everything it reads is in place.
 */
export function storageFilesForVm(plan: StoragePlan, vm: string, secrets: StorageSecrets): RenderedFile[] {
  const files: RenderedFile[] = [
    { path: STORAGE_PATHS.packagesScript, content: renderStoragePackagesScript(), mode: "0755", owner: "root:root", afterChange: STORAGE_PATHS.packagesScript },
    { path: STORAGE_PATHS.drbdResource(plan.drbd.name), content: renderDrbdResource(plan.drbd), ...world },
    { path: STORAGE_PATHS.corosyncAuthkeyBase64, content: pulumi.secret(secrets.corosyncAuthkeyBase64), ...rootOnly },
    { path: STORAGE_PATHS.fencePveSecret, content: pulumi.secret(secrets.fencePvePassword), ...rootOnly },
    { path: STORAGE_PATHS.fenceIpmiSecret, content: pulumi.secret(secrets.fenceIpmiPassword), ...rootOnly },
    { path: STORAGE_PATHS.fencePasswordScript, content: renderFencePasswordScript(), mode: "0700", owner: "root:root" },
    { path: STORAGE_PATHS.setupScript, content: renderStorageSetupScript(plan, vm), mode: "0755", owner: "root:root" },
  ];
  const digest = pulumi.all(files.map((f) => pulumi.output(f.content))).apply((contents) => {
    const hash = crypto.createHash("sha256");
    files.forEach((f, i) => hash.update(`${f.path}\0${f.mode}\0${f.owner}\0${contents[i]}\0`));
    return `${hash.digest("hex")}\n`;
  });
  files.push({ path: `${STORAGE_PATHS.stateDir}/deployed.sha256`, content: pulumi.secret(digest), ...rootOnly, afterChange: STORAGE_PATHS.setupScript });
  return files;
}

/**
 * The object-store tier: MinIO on a DRBD volume that Pacemaker moves between the two storage VMs. Creates the
 * Proxmox user fence_pve logs in as (its password from @pulumi/random, a secret), corosync's key, and each VM's
 * files, delivered by the VM's ConfigDelivery. The VMs themselves are DebianVms.
 */
export class StorageTier extends pulumi.ComponentResource implements TierComponent {
  readonly plan: StoragePlan;
  readonly credentials: Readonly<Record<string, TierCredential>>;
  readonly tlsEndpoints: readonly TlsEndpoint[];
  readonly monitors: readonly ServiceMonitor[];
  private readonly files = new Map<string, RenderedFile[]>();

  constructor(name: string, args: TierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:storage:StorageTier", name, {}, opts);
    const child = { parent: this };
    this.plan = args.model.objectStore;
    const plan = this.plan;
    const fenceIpmiPassword = args.secrets.fenceIpmiPassword;
    if (!fenceIpmiPassword) {
      throw new Error("the storage tier's second fencing level needs the BMC password: pulumi config set --secret ibac:fenceIpmiPassword");
    }

    // fence_pve takes a password ticket (Debian's agent has no API tokens): a pve-realm user with a random
    // password, allowed to see and power VMs and nothing else.
    const fencePassword = new random.RandomPassword(`${name}-fence-pve-password`, { length: 32, special: false }, child).result;
    const role = new proxmox.RoleLegacy(`${name}-fence-role`, { roleId: "IbacFence", privileges: [...FENCE_PRIVILEGES] }, child);
    new proxmox.UserLegacy(`${name}-fence-user`, {
      userId: FENCE_PVE_USER,
      comment: "ibac storage tier: fence_pve powers a storage VM off",
      enabled: true,
      password: pulumi.secret(fencePassword),
      acls: plan.cluster.fencing.map((f) => ({ path: `/vms/${f.pve.vmId}`, roleId: role.roleId, propagate: false })),
    }, child);
    const authkey = new random.RandomBytes(`${name}-corosync-authkey`, { length: 256 }, child).base64;

    this.credentials = {};
    this.tlsEndpoints = [];
    this.monitors = tierMonitors(args.model, "objectStore");
    for (const peer of plan.drbd.peers) {
      this.files.set(peer.vm, storageFilesForVm(plan, peer.vm, {
        corosyncAuthkeyBase64: authkey,
        fencePvePassword: fencePassword,
        fenceIpmiPassword,
      }));
    }
    this.registerOutputs({});
  }

  /** The files a VM of this tier gets, in install order; none for a VM of another tier. */
  filesFor(vm: VmPlan): RenderedFile[] {
    return this.files.get(vm.name) ?? [];
  }
}
