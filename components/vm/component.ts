import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import type * as command from "@pulumi/command";
import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel, ReplicationPlan, VmPlan } from "../model/types";
import { renderCloudInit, type VmHostKeys } from "./render-cloud-init";
import { ConfigDelivery } from "./deliver";
import type { RenderedFile } from "./rendered-file";
import { outboundPolicyOf } from "../network/firewall/rules";
import { proxmoxReplicatesDataDisk, tierDataDiskKind } from "../tiers/registry";
import { ipFilterSets } from "./ip-filter-sets";

/** Where cloud-init keeps the user-data inside the VM: the path under which the plan shows it. */
export const USER_DATA_PATH_IN_VM = "/var/lib/cloud/instance/user-data.txt";

/** How long Pulumi waits for the guest agent to report addresses: a first boot runs package upgrades. */
export const GUEST_AGENT_TIMEOUT = "15m";

export interface DebianVmArgs {
  /** The VM as the model planned it: node, failover node, id, size, NICs. */
  vm: VmPlan;
  spec: PlatformSpec;
  /** The model's virtual addresses: the VM's IP filter lets it send from those its tier hands over. */
  model: Pick<PlatformModel, "virtualIps">;
  /** Volume id of the Debian image on the VM's home node (from DebianImage). */
  imageFileId: pulumi.Input<string>;
  /** Storage id for cloud-init snippets (from ProxmoxCluster). */
  snippetStorageId: pulumi.Input<string>;
  /** OpenSSH public key of the deploy user that ConfigDelivery connects as. */
  deployPublicKey: pulumi.Input<string>;
  /** The matching private key. A secret. */
  deployPrivateKey: pulumi.Input<string>;
  /**
   * The VM's SSH host keys (private halves secrets), installed by cloud-init: the delivery's connection pins
   * the ed25519 one, so nothing is sent before the VM has proved it holds it.
   */
  hostKeys: { [type in keyof VmHostKeys]: { [half in keyof VmHostKeys[type]]: pulumi.Input<string> } };
  /** HA group of the VM's (home, failover) pair on Proxmox VE 8; unset on VE 9, where HA rules apply. */
  haGroup?: pulumi.Input<string>;
  /** The model's storage replication job for this VM (to its failover node), if it has one. */
  replication?: ReplicationPlan;
  /** Rendered service configuration for this VM, delivered after it boots (the seam for the tiers). */
  files: RenderedFile[];
}

/**
 * One Debian VM of a tier: its cloud-init snippet (on the home and failover node, so HA can start it on
 * either), the VM itself, its firewall options, HA resource and storage replication, and the delivery of
 * its rendered configuration files.
 */
export class DebianVm extends pulumi.ComponentResource {
  /** The type token, as generated SDK classes carry theirs: policies and the offline plan match on it. */
  static readonly __pulumiType = "ibac:vm:DebianVm";

  readonly vmId: pulumi.Output<number>;
  readonly vmResource: proxmox.VmLegacy;
  /** The VM's HA resource: what an HA rule naming the VM waits for. */
  readonly haResource: proxmox.Haresource;
  /** The cloud-init user-data the VM boots with. */
  readonly userData: pulumi.Output<string>;
  /** How the deployment reaches the VM over SSH: its own address, its pinned host key, the deploy user. */
  readonly connection: command.types.input.remote.ConnectionArgs;

  constructor(name: string, args: DebianVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DebianVm.__pulumiType, name, {}, opts);
    const { vm, spec } = args;
    const child = { parent: this };
    const vmDisks = spec.proxmox.nodes.find((n) => n.name === vm.node)?.storage.vmDisks ?? "local-zfs";

    // A secret: it carries the host keys' private halves.
    this.userData = pulumi.secret(pulumi.all([args.deployPublicKey, pulumi.output(args.hostKeys)]).apply(([deployPublicKey, hostKeys]) => renderCloudInit({ vm, spec, deployPublicKey, hostKeys })));
    const snippetName = `ibac-${vm.name}-user-data.yaml`;
    const snippetNodes = vm.failoverNode ? [vm.node, vm.failoverNode] : [vm.node];
    const snippets = snippetNodes.map((node) => new proxmox.FileLegacy(`${vm.name}-user-data-${node}`, {
      nodeName: node,
      datastoreId: args.snippetStorageId,
      contentType: "snippets",
      sourceRaw: { data: this.userData, fileName: snippetName },
      overwrite: true,
    }, child));

    const disks: proxmox.types.input.VmLegacyDisk[] = [{
      interface: "scsi0",
      datastoreId: vmDisks,
      importFrom: args.imageFileId,
      size: vm.diskGiB,
      discard: "on",
      ssd: true,
      iothread: true,
      replicate: true,
    }];
    const dataDiskKind = tierDataDiskKind(vm.tier);
    if (vm.dataDiskGiB && dataDiskKind) {
      disks.push({ interface: "scsi1", datastoreId: vmDisks, size: vm.dataDiskGiB, discard: "on", ssd: true, iothread: true, replicate: proxmoxReplicatesDataDisk(dataDiskKind), fileFormat: "raw" });
    }

    this.vmResource = new proxmox.VmLegacy(vm.name, {
      nodeName: vm.node,
      vmId: vm.vmId,
      name: vm.name,
      description: `iBac ${vm.tier}${vm.role ? ` (${vm.role})` : ""}: managed by the ibac toolkit`,
      tags: ["ibac", vm.tier.toLowerCase(), ...(vm.role ? [vm.role] : [])],
      onBoot: true,
      started: true,
      // A node change in the spec migrates the VM instead of replacing it.
      migrate: true,
      operatingSystem: { type: "l26" },
      bios: "seabios",
      machine: "q35",
      scsiHardware: "virtio-scsi-single",
      cpu: { cores: vm.cores, sockets: 1, type: "x86-64-v2-AES" },
      memory: { dedicated: vm.memoryGiB * 1024 },
      agent: { enabled: true, timeout: GUEST_AGENT_TIMEOUT, trim: true },
      serialDevices: [{ device: "socket" }],
      disks,
      networkDevices: vm.nics.map((nic) => ({
        bridge: nic.bridge,
        model: "virtio",
        firewall: true,
        ...(nic.vlan ? { vlanId: nic.vlan } : {}),
      })),
      initialization: {
        datastoreId: vmDisks,
        interface: "ide2",
        dns: { domain: spec.site.domain, servers: spec.site.dnsServers },
        ipConfigs: vm.nics.map((nic) => ({
          ipv4: { address: `${nic.address}/${nic.prefix}`, ...(nic.gateway && nic.network === "service" ? { gateway: nic.gateway } : {}) },
        })),
        userDataFileId: snippets[0].id,
      },
      timeoutCreate: 1800,
      timeoutStartVm: 600,
      timeoutShutdownVm: 600,
      timeoutStopVm: 300,
      timeoutMigrate: 1800,
      stopOnDestroy: false,
    }, {
      parent: this,
      dependsOn: snippets,
      // Cloud-init is bootstrap-only: a later change to it must not replace a running VM.
      ignoreChanges: ["initialization.userDataFileId"],
    });
    this.vmId = this.vmResource.vmId;

    // The IP filter drops whatever a NIC sends from an address not in its `ipfilter-net<N>` set, and for a VM
    // (unlike a container) Proxmox puts none of the configured addresses there: the sets exist before the
    // options turn the filter on, or the VM, and the virtual addresses its tier moves, could not send at all
    // (ip-filter-sets.ts). They are VM-scoped, in /etc/pve/firewall/<vmid>.fw on the cluster file system, so
    // they follow the VM when HA recovers it on its failover node.
    const ipFilters = ipFilterSets(vm, args.model).map((set) => new proxmox.firewall.IpsetLegacy(`${vm.name}-${set.name}`, {
      nodeName: vm.node,
      vmId: vm.vmId,
      name: set.name,
      comment: `IP filter of ${vm.name}'s ${set.device}: the addresses it may send from`,
      cidrs: set.entries.map((e) => ({ name: e.cidr, comment: e.comment })),
    }, { parent: this, dependsOn: [this.vmResource] }));

    new proxmox.firewall.OptionsLegacy(`${vm.name}-firewall-options`, {
      nodeName: vm.node,
      vmId: vm.vmId,
      enabled: true,
      inputPolicy: "DROP",
      outputPolicy: outboundPolicyOf(spec),
      dhcp: false,
      ndp: false,
      radv: false,
      macfilter: true,
      ipfilter: true,
      logLevelIn: "info",
      logLevelOut: "nolog",
    }, { parent: this, dependsOn: [this.vmResource, ...ipFilters] });

    this.haResource = new proxmox.Haresource(`${vm.name}-ha`, {
      resourceId: `vm:${vm.vmId}`,
      type: "vm",
      state: "started",
      maxRestart: 2,
      maxRelocate: 1,
      comment: `iBac ${vm.tier}: home ${vm.node}${vm.failoverNode ? `, recovered on ${vm.failoverNode}` : ""}`,
      ...(args.haGroup ? { group: args.haGroup } : {}),
    }, { parent: this, dependsOn: [this.vmResource] });

    if (args.replication) {
      new proxmox.Replication(`${vm.name}-replication`, {
        resourceId: args.replication.jobId,
        target: args.replication.target,
        type: "local",
        schedule: args.replication.schedule,
        comment: `HA recovery copy of ${vm.name} on ${args.replication.target}`,
      }, { parent: this, dependsOn: [this.vmResource] });
    }

    const serviceAddress = vm.nics.find((n) => n.network === "service")?.address ?? vm.nics[0].address;
    this.connection = { host: serviceAddress, hostKey: pulumi.output(args.hostKeys.ed25519.publicKeyOpenssh).apply((k) => k.trim()), user: "ibac-deploy", privateKey: pulumi.secret(args.deployPrivateKey), dialErrorLimit: 30, perDialTimeout: 20 };
    new ConfigDelivery(`${vm.name}-config`, {
      connection: this.connection,
      files: args.files,
      dependsOn: [this.vmResource, this.haResource],
    }, child);

    this.registerOutputs({ vmId: this.vmId, userData: this.userData });
  }
}
