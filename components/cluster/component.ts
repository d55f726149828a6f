import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";
import { automationPrivileges } from "./automation-role";
import { qdeviceCommands } from "./qdevice";
import { clusterCaCommand } from "./cluster-ca";
import { outboundPolicyOf } from "../network/firewall/rules";

export interface ProxmoxClusterArgs {
  /** The validated platform spec. */
  spec: PlatformSpec;
  /** The model derived from it: nodes, QDevice, HA plan. */
  model: PlatformModel;
  /** API token of an administrator, `user@realm!token=uuid`; used to create everything else. A secret. */
  apiToken: pulumi.Input<string>;
  /** Private key for root SSH on the nodes and the QDevice host (snippet uploads, QDevice setup). A secret. */
  nodeSshPrivateKey: pulumi.Input<string>;
}

/**
 * The cluster-wide part of the platform: the provider, the default-deny cluster firewall, the storage for
 * cloud-init snippets and images, HA groups (VE 8), the QDevice, and a least-privilege automation token.
 */
export class ProxmoxCluster extends pulumi.ComponentResource {
  /** The provider every Proxmox resource of the stack uses. */
  readonly provider: proxmox.Provider;
  /** The storage holding snippets and imported images, once it exists. */
  readonly fileStorageId: pulumi.Output<string>;
  /** HA group per (home, failover) node pair, VE 8 only; empty on VE 9, where HA rules are used. */
  readonly haGroups: Map<string, proxmox.Hagroup>;
  /** The automation token's secret value (`user@realm!name=uuid`). */
  readonly automationToken: pulumi.Output<string>;
  /** The commands that install QNetd and join the QDevice (empty without one). */
  readonly qdeviceSetup: command.remote.Command[];
  /** The Proxmox cluster's CA (PEM), which signs the nodes' API certificates, read from the first node. */
  readonly clusterCaPem: pulumi.Output<string>;

  constructor(name: string, args: ProxmoxClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:cluster:ProxmoxCluster", name, {}, opts);
    const { spec, model } = args;
    const child = { parent: this };

    this.provider = new proxmox.Provider(`${name}-provider`, {
      endpoint: spec.proxmox.endpoint,
      apiToken: pulumi.secret(args.apiToken),
      insecure: spec.proxmox.insecure,
      minTls: "1.2",
      ssh: {
        agent: false,
        username: "root",
        privateKey: pulumi.secret(args.nodeSshPrivateKey),
        nodes: model.nodes.map((n) => ({ name: n.name, address: n.managementAddress })),
      },
    }, child);
    const withProvider = { parent: this, provider: this.provider };

    // Inbound default deny at the datacenter level; outbound as the spec says (under DROP, the firewall
    // component adds one outbound rule per flow).
    new proxmox.cluster.FirewallLegacy(`${name}-firewall`, {
      enabled: true,
      inputPolicy: "DROP",
      outputPolicy: outboundPolicyOf(spec),
      ebtables: true,
      logRatelimit: { enabled: true, burst: 10, rate: "5/second" },
    }, withProvider);
    // Proxmox's own `management` IP set is what keeps the GUI and SSH reachable once input is DROP:
    // only the admin network is in it.
    new proxmox.firewall.IpsetLegacy(`${name}-management-ipset`, {
      name: "management",
      comment: "Proxmox GUI (8006) and SSH: admin network only (IBAC-NET admin-interface restriction)",
      cidrs: [{ name: spec.networks.admin.cidr, comment: "admin network" }],
    }, withProvider);

    const storage = new proxmox.storage.DirectoryLegacy(`${name}-file-storage`, {
      resourceId: spec.proxmox.snippetStorage.id,
      path: spec.proxmox.snippetStorage.path,
      contents: ["snippets", "import"],
      nodes: model.nodes.map((n) => n.name),
      shared: false,
      createBasePath: true,
      createSubdirs: true,
    }, withProvider);
    this.fileStorageId = storage.resourceId;

    this.haGroups = new Map();
    if (spec.proxmox.version < 9) {
      for (const plan of model.ha.nodeAffinity) {
        this.haGroups.set(plan.id, new proxmox.Hagroup(`${name}-ha-group-${plan.id}`, {
          group: plan.id,
          nodes: plan.nodes,
          restricted: plan.strict,
          noFailback: false,
          comment: "VMs homed on the first node; recovered only where their disks are replicated",
        }, withProvider));
      }
    }

    this.qdeviceSetup = qdeviceCommands(model, spec).map((c) => new command.remote.Command(`${name}-${c.name}`, {
      connection: { host: c.host, hostKey: c.hostKey, user: "root", privateKey: pulumi.secret(args.nodeSshPrivateKey), dialErrorLimit: 5 },
      create: c.create,
      ...(c.delete ? { delete: c.delete } : {}),
    }, child));

    const ca = clusterCaCommand(model, spec);
    this.clusterCaPem = new command.remote.Command(`${name}-${ca.name}`, {
      connection: { host: ca.host, hostKey: ca.hostKey, user: "root", privateKey: pulumi.secret(args.nodeSshPrivateKey), dialErrorLimit: 5 },
      create: ca.create,
    }, child).stdout;

    const role = new proxmox.RoleLegacy(`${name}-automation-role`, {
      roleId: "IbacAutomation",
      privileges: automationPrivileges(spec.proxmox.version),
    }, withProvider);
    const user = new proxmox.UserLegacy(`${name}-automation-user`, {
      userId: "ibac-automation@pve",
      comment: "ibac toolkit automation; token only, no password",
      enabled: true,
      acls: [{ path: "/", roleId: role.roleId, propagate: true }],
    }, withProvider);
    // What the token may do: privilege separation (its own ACL below, never more than its user's) and the
    // IbacAutomation role. Where it may be used from: Proxmox VE has no source-address binding for API
    // tokens (nor for users), so that bound is the firewall's: the API (8006) is in the `management` IP set
    // above, reachable from the admin network only.
    const token = new proxmox.user.TokenLegacy(`${name}-automation-token`, {
      userId: user.userId,
      tokenName: "pulumi",
      privilegesSeparation: true,
      comment: "ibac toolkit automation",
    }, withProvider);
    new proxmox.AclLegacy(`${name}-automation-token-acl`, {
      path: "/",
      roleId: role.roleId,
      tokenId: token.id,
      propagate: true,
    }, withProvider);
    this.automationToken = pulumi.secret(token.value);

    this.registerOutputs({ fileStorageId: this.fileStorageId, automationToken: this.automationToken });
  }
}
