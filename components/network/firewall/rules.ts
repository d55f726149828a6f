import type { PlatformSpec } from "../../spec/schema";
import type { Flow, PlatformModel, FlowModel } from "../../model/types";
import { addressSets, endpointSetName, type AddressSet } from "./address-sets";

/** One inbound rule on one host: accept `protocol`/`ports` from the members of `source`. */
export interface FirewallRule {
  /** 0-based, explicit: Proxmox and nftables evaluate in this order. */
  position: number;
  action: "ACCEPT";
  protocol: Flow["protocol"];
  /** A port, `low:high`, or empty for protocols without ports. */
  ports: string;
  /** An AddressSet name. */
  source: string;
  flowId: string;
  /**
   * `tier`: every VM of the tier has it (it goes in the tier's security group); `role`: only the VMs of one
   * role (the primary's replication port); `host`: a node's own rule.
   */
  scope: "tier" | "role" | "host";
  /** `<flow id>: <purpose> [<requirement>]`, for the rule's comment. */
  comment: string;
}

/**
 * The security requirement a flow's opening serves, named in its rule's comment so that an auditor reading
 * the firewall sees why each hole exists. (The requirement catalogue of the policy issue will give ids.)
 */
export function requirementOf(flow: Flow): string {
  if (flow.source.kind === "zone" && flow.source.zone === "admin") return "admin interfaces from the admin network only";
  if (flow.source.kind === "zone" && flow.source.zone === "proxmoxNodes") return "cluster traffic between the nodes only";
  if (flow.protocol === "udp" && (flow.ports === "500" || flow.ports === "4500")) return "IPsec with PFS at the border";
  return "default deny: one opening per intended flow";
}

/** One outbound rule on one host: accept `protocol`/`ports` towards the members of `destination`. */
export interface OutboundRule {
  /** 0-based, explicit, in the order of the flow list. */
  position: number;
  action: "ACCEPT";
  protocol: Flow["protocol"];
  ports: string;
  /** An AddressSet name. */
  destination: string;
  flowId: string;
  comment: string;
}

/** What leaves a host when no outbound rule matches (the spec's `firewall.outboundPolicy`). */
export type OutboundPolicy = "ACCEPT" | "DROP";

/** The spec's outbound policy: ACCEPT unless the site asks for DROP. */
export function outboundPolicyOf(spec: PlatformSpec): OutboundPolicy {
  return spec.firewall?.outboundPolicy ?? "ACCEPT";
}

/**
 * The filter of one host (a VM, a Proxmox node, the QDevice host): inbound default DROP, then the rules;
 * outbound the spec's policy, and under DROP one outbound rule per flow the host is a source of.
 */
export interface HostFirewall {
  host: string;
  kind: "vm" | "node" | "qdevice";
  addresses: string[];
  defaultInbound: "DROP";
  rules: FirewallRule[];
  defaultOutbound: OutboundPolicy;
  /** Empty under outbound ACCEPT: a rule there would allow nothing the policy does not. */
  outbound: OutboundRule[];
}

export interface FirewallPlan {
  sets: AddressSet[];
  hosts: HostFirewall[];
  /**
   * Flows that leave the platform (to the NAS, NTP, the relay): no inbound rule stands for them; under
   * outbound DROP their sources' outbound rules do.
   */
  outboundOnly: Flow[];
}

function destinationHosts(flow: Flow, model: PlatformModel): { host: string; kind: HostFirewall["kind"] }[] {
  const d = flow.destination;
  if (d.kind === "tier") return model.vms.filter((vm) => vm.tier === d.tier && (!d.role || vm.role === d.role)).map((vm) => ({ host: vm.name, kind: "vm" }));
  if (d.zone === "proxmoxNodes") return model.nodes.map((n) => ({ host: n.name, kind: "node" }));
  if (d.zone === "qdevice" && model.qdevice) return [{ host: model.qdevice.name, kind: "qdevice" }];
  return [];
}

/** The firewalled hosts a flow leaves from (none for a zone outside the platform, such as the mobiles). */
export function sourceHosts(flow: Flow, model: FlowModel): string[] {
  const s = flow.source;
  if (s.kind === "tier") return model.vms.filter((vm) => vm.tier === s.tier && (!s.role || vm.role === s.role)).map((vm) => vm.name);
  if (s.zone === "proxmoxNodes") return model.nodes.map((n) => n.name);
  if (s.zone === "qdevice" && model.qdevice) return [model.qdevice.name];
  return [];
}

/**
 * The inbound rules of every host, one rule per flow that reaches it, in the order of the flow list (so a
 * rule's position never changes when an unrelated flow is added at the end).
 */
export function renderFirewallPlan(model: PlatformModel, spec: PlatformSpec): FirewallPlan {
  const defaultOutbound = outboundPolicyOf(spec);
  const hosts = new Map<string, HostFirewall>();
  const add = (host: string, kind: HostFirewall["kind"], addresses: string[]): void => {
    hosts.set(host, { host, kind, addresses, defaultInbound: "DROP", rules: [], defaultOutbound, outbound: [] });
  };
  for (const vm of model.vms) add(vm.name, "vm", vm.nics.map((n) => n.address));
  for (const n of model.nodes) add(n.name, "node", [n.managementAddress, n.clusterAddress]);
  if (model.qdevice) add(model.qdevice.name, "qdevice", [model.qdevice.address]);
  const outboundOnly: Flow[] = [];
  for (const flow of model.flows) {
    if (defaultOutbound === "DROP") {
      for (const source of sourceHosts(flow, model)) {
        const host = hosts.get(source);
        host?.outbound.push({
          position: host.outbound.length,
          action: "ACCEPT",
          protocol: flow.protocol,
          ports: flow.ports,
          destination: endpointSetName(flow.destination),
          flowId: flow.id,
          comment: `${flow.id}: ${flow.purpose} [outbound: one opening per intended flow]`,
        });
      }
    }
    const targets = destinationHosts(flow, model);
    if (targets.length === 0) {
      outboundOnly.push(flow);
      continue;
    }
    for (const target of targets) {
      const host = hosts.get(target.host);
      if (!host) continue;
      host.rules.push({
        position: host.rules.length,
        action: "ACCEPT",
        protocol: flow.protocol,
        ports: flow.ports,
        source: endpointSetName(flow.source),
        flowId: flow.id,
        scope: flow.destination.kind === "zone" ? "host" : flow.destination.role ? "role" : "tier",
        comment: `${flow.id}: ${flow.purpose} [${requirementOf(flow)}]`,
      });
    }
  }
  return { sets: addressSets(model, spec), hosts: [...hosts.values()], outboundOnly };
}
