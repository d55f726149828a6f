import { replicationTargetAddress } from "../../storage/replication-target";
import type { PlatformSpec } from "../../spec/schema";
import type { FlowEndpoint, FlowModel } from "../../model/types";

/** A named set of addresses or CIDRs: what a firewall rule's source refers to (a Proxmox IP set, an nft set). */
export interface AddressSet {
  name: string;
  members: string[];
  description: string;
}

/** The set a flow endpoint stands for: `tier-database`, `tier-database-primary`, `zone-admin`. */
export function endpointSetName(endpoint: FlowEndpoint): string {
  if (endpoint.kind === "zone") return `zone-${endpoint.zone}`;
  return `tier-${endpoint.tier}${endpoint.role ? `-${endpoint.role}` : ""}`;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The addresses an endpoint covers. A tier is every address of its VMs (service and storage networks);
 * `mobiles` is the internet; a relay given by name stays a `dns:` member, which a firewall cannot match and
 * the analysis therefore reports.
 */
export function resolveEndpoint(endpoint: FlowEndpoint, model: FlowModel, spec: PlatformSpec): string[] {
  if (endpoint.kind === "tier") {
    return model.vms
      .filter((vm) => vm.tier === endpoint.tier && (!endpoint.role || vm.role === endpoint.role))
      .flatMap((vm) => vm.nics.map((n) => n.address));
  }
  switch (endpoint.zone) {
    case "mobiles":
      return ["0.0.0.0/0"];
    case "vpnClients":
      return [spec.networks.vpnClients.cidr];
    case "admin":
      return [spec.networks.admin.cidr];
    case "proxmoxNodes":
      return model.nodes.flatMap((n) => [n.managementAddress, n.clusterAddress]);
    case "qdevice":
      return model.qdevice ? [model.qdevice.address] : [];
    case "statisticsSite":
      return [spec.vpn.siteTunnel.peerAddress, ...spec.vpn.siteTunnel.remoteSubnets];
    case "offsiteNas":
      return [spec.backupPolicy.offsite.nasAddress];
    case "smtpRelay":
      return [IPV4.test(spec.notifications.smtpRelay.host) ? spec.notifications.smtpRelay.host : `dns:${spec.notifications.smtpRelay.host}`];
    case "ntp":
      return [...spec.site.ntpServers];
    case "nodeBmcs":
      return spec.objectStore.fencing.ipmi.map((b) => b.address);
    case "thirdSite":
      return spec.objectStore.replication ? [replicationTargetAddress(spec.objectStore.replication)] : [];
  }
}

/** Every set the model's flows refer to, once each. */
export function addressSets(model: FlowModel, spec: PlatformSpec): AddressSet[] {
  const sets = new Map<string, AddressSet>();
  for (const flow of model.flows) {
    for (const endpoint of [flow.source, flow.destination]) {
      const name = endpointSetName(endpoint);
      if (!sets.has(name)) {
        const what = endpoint.kind === "zone" ? `zone ${endpoint.zone}` : `the ${endpoint.tier}${endpoint.role ? ` ${endpoint.role}` : ""} VMs`;
        sets.set(name, { name, members: resolveEndpoint(endpoint, model, spec), description: what });
      }
    }
  }
  return [...sets.values()].sort((a, b) => a.name.localeCompare(b.name));
}
