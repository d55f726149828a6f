import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { TIER_NAMES, type PlatformSpec, type TierName } from "./spec/schema";
import type { PlatformModel } from "./model/types";
import { PLATFORM_TYPE, policyModelOf, type PlatformPolicyView } from "./model/policy-view";
import { ProxmoxCluster } from "./cluster/component";
import { HaRules } from "./cluster/ha-rules";
import { DebianImage } from "./vm/image";
import { DebianVm } from "./vm/component";
import type { RenderedFile } from "./vm/rendered-file";
import { renderLoginBanner } from "./vm/render-banner";
import { InternalCa } from "./pki/internal-ca";
import { PlatformFirewall } from "./network/firewall/component";
import { flowSlug } from "./model/flow-endpoints";
import { BOOTS_EMPTY, TIER_COMPONENTS } from "./tiers/component-registry";
import type { OperatorSecrets, TierComponent } from "./tiers/tier-component";
import { BackupTier } from "./backup/component";

export interface IbacPlatformArgs {
  spec: PlatformSpec;
  model: PlatformModel;
  /** Administrator API token for the provider. A secret. */
  proxmoxApiToken: pulumi.Input<string>;
  /** Private key for root SSH on the nodes and the QDevice host. A secret. */
  nodeSshPrivateKey: pulumi.Input<string>;
  /** The operator's other secrets, for the tiers that need them. */
  secrets: OperatorSecrets;
}

/**
 * Files every VM gets, whatever its tier, followed by the tiers' own (`TierComponent.filesFor`): this
 * function is the one place a rendered file joins the plan and the deployment.
 */
export function filesForVm(vm: PlatformModel["vms"][number], spec: PlatformSpec, tierFiles: RenderedFile[] = []): RenderedFile[] {
  const banner = renderLoginBanner(vm, spec.site.name);
  return [
    { path: "/etc/motd", content: banner, mode: "0644", owner: "root:root" },
    { path: "/etc/issue.net", content: banner, mode: "0644", owner: "root:root" },
    ...tierFiles,
  ];
}

/** The whole iBac backend on one Proxmox cluster: cluster-wide resources, the image, and every tier's VMs. */
export class IbacPlatform extends pulumi.ComponentResource {
  readonly vms: Record<string, DebianVm>;
  /** The components of the tiers that build something, by tier: their credentials, TLS endpoints and monitors. */
  readonly tiers: Partial<Record<TierName, TierComponent>>;
  readonly automationToken: pulumi.Output<string>;
  /** The mobiles and site issuing CAs, keys secret: what the operator issues VPN peers' certificates from. */
  readonly peerIssuingCas: InternalCa["peerIssuingCas"];
  /** The backup tier's NAS account public key (OpenSSH), for the operator to install on the NAS; absent while it boots empty. */
  readonly backupNasPublicKey?: pulumi.Output<string>;

  constructor(name: string, args: IbacPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    // The spec and model are the component's inputs so that stack policies (`policies/`) can read the design
    // the resources came from: under `pulumi preview --policy-pack` and offline alike. Neither holds a secret.
    // One JSON string rather than a nested object: one input to serialize and to read back.
    super(PLATFORM_TYPE, name, { policyView: JSON.stringify({ spec: args.spec, model: policyModelOf(args.model) } satisfies PlatformPolicyView) }, opts);
    const { spec, model } = args;

    const cluster = new ProxmoxCluster(`${name}-cluster`, {
      spec,
      model,
      apiToken: args.proxmoxApiToken,
      nodeSshPrivateKey: args.nodeSshPrivateKey,
    }, { parent: this });
    const withProvider = { parent: this, providers: { proxmoxve: cluster.provider } };

    // The deploy key never leaves Pulumi's state: generated here, its private half is a secret output.
    const deployKey = new tls.PrivateKey(`${name}-deploy-key`, { algorithm: "ED25519" }, { parent: this });

    const ca = new InternalCa(`${name}-ca`, { organization: spec.site.name, commonName: `${spec.site.name} internal CA`, revoked: spec.pki?.revoked ?? [] }, { parent: this });
    this.peerIssuingCas = ca.peerIssuingCas;
    // Every tier that builds something, in TIER_NAMES order (the order of their files in each VM). With the
    // cluster's provider: a tier may create Proxmox resources of its own (the storage tier's fencing user).
    this.tiers = {};
    for (const tier of TIER_NAMES) {
      const build = TIER_COMPONENTS[tier];
      if (build !== BOOTS_EMPTY) this.tiers[tier] = build(`${name}-${flowSlug(tier)}`, { spec, model, ca, proxmoxCaPem: cluster.clusterCaPem, secrets: args.secrets, offered: { ...this.tiers }, nodeSshPrivateKey: args.nodeSshPrivateKey }, withProvider);
    }
    const tiers = Object.values(this.tiers);
    if (this.tiers.backup instanceof BackupTier) this.backupNasPublicKey = this.tiers.backup.nasPublicKey;
    const replication = new Map(model.replication.map((r) => [r.vmName, r]));

    const image = new DebianImage(`${name}-debian-${spec.debian.release}`, { spec, storageId: cluster.fileStorageId }, withProvider);

    this.vms = {};
    for (const vm of model.vms) {
      // The host key made here, not in the guest: known before the VM first boots, so the first connection to it
      // can already verify it. Private halves are secret outputs, like the deploy key's.
      const hostKeys = {
        ed25519: new tls.PrivateKey(`${vm.name}-host-key-ed25519`, { algorithm: "ED25519" }, { parent: this }),
      };
      const affinity = model.ha.nodeAffinity.find((p) => p.vmIds.includes(vm.vmId));
      const group = affinity ? cluster.haGroups.get(affinity.id) : undefined;
      this.vms[vm.name] = new DebianVm(vm.name, {
        vm,
        spec,
        model,
        imageFileId: image.fileIds[vm.node],
        snippetStorageId: cluster.fileStorageId,
        deployPublicKey: deployKey.publicKeyOpenssh,
        deployPrivateKey: deployKey.privateKeyOpenssh,
        hostKeys: {
          ed25519: { publicKeyOpenssh: hostKeys.ed25519.publicKeyOpenssh, privateKeyOpenssh: hostKeys.ed25519.privateKeyOpenssh },
        },
        files: filesForVm(vm, spec, tiers.flatMap((t) => t.filesFor(vm))),
        ...(group ? { haGroup: group.group } : {}),
        ...(replication.has(vm.name) ? { replication: replication.get(vm.name) } : {}),
      }, withProvider);
    }

    const declared = Object.fromEntries(Object.entries(this.vms).map(([vmName, vm]) => [vmName, { resource: vm, connection: vm.connection }]));
    for (const tier of tiers) tier.onVmsDeclared?.(declared);

    new PlatformFirewall(`${name}-firewall`, {
      spec,
      model,
      vmResources: Object.fromEntries(Object.entries(this.vms).map(([vmName, vm]) => [vmName, vm.vmResource])),
      qdeviceSshPrivateKey: args.nodeSshPrivateKey,
      qdeviceDependsOn: cluster.qdeviceSetup,
    }, withProvider);

    if (spec.proxmox.version >= 9) {
      new HaRules(`${name}-ha`, {
        ha: model.ha,
        provider: cluster.provider,
        haResources: new Map(model.vms.map((vm) => [vm.vmId, this.vms[vm.name].haResource])),
      }, { parent: this });
    }

    this.automationToken = cluster.automationToken;
    this.registerOutputs({ automationToken: this.automationToken });
  }
}
