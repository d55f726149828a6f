import { TIER_NAMES, type PlatformSpec, type TierName } from "../spec/schema";
import type { Flow } from "./types";
import { extraFlows } from "./extra-flows";
import { flowSlug as slug, tierEndpoint as tier, zoneEndpoint as zone } from "./flow-endpoints";
import { allTiers, backupClientTiers, tierDefinition } from "../tiers/registry";
import type { TierDefinition, TierFlows } from "../tiers/definition";

/**
 * Every intended network flow of the platform, derived from the design: who talks to whom, on which
 * protocol and port, and why. Firewall rules, monitors and compliance lines are all made from this list,
 * so each flow is written down exactly once.
 */
export function deriveFlows(spec: PlatformSpec): Flow[] {
  return [...designFlows(spec), ...extraFlows(spec)];
}

/** The tiers in the order their flows are listed (each entry's `flowOrder`). */
function tiersInFlowOrder(): TierDefinition[] {
  return allTiers().sort((a, b) => a.flowOrder - b.flowOrder);
}

/**
 * The design's own flows, without the spec's extras, in a fixed order that decides every firewall rule's
 * position on its host: the tiers' data-path flows, the backup clients', the ones every tier gets, the
 * tiers' operations flows, then the Proxmox nodes' and the QDevice's, then the flows tiers appended later.
 */
export function designFlows(spec: PlatformSpec): Flow[] {
  const tierFlows = new Map(tiersInFlowOrder().map((t): [string, TierFlows] => [t.name, t.flows?.(spec) ?? {}]));
  const group = (key: keyof TierFlows): Flow[] => [...tierFlows.values()].flatMap((f) => f[key] ?? []);
  return [...group("dataPath"), ...backupClientFlows(), ...everyTierFlows(spec), ...group("operations"), ...platformFlows(), ...group("appended")];
}

/** The Bacula director to each backup client's file daemon, and the file daemon back to the storage daemon. */
function backupClientFlows(): Flow[] {
  return backupClientTiers().flatMap((client): Flow[] => [
    { id: `backup-to-${slug(client)}-fd`, source: tier("backup"), destination: tier(client), protocol: "tcp", ports: "9102", purpose: `Bacula director to the ${client} file daemon` },
    { id: `${slug(client)}-to-backup-sd`, source: tier(client), destination: tier("backup"), protocol: "tcp", ports: "9103", purpose: `the ${client} file daemon sends backup data to the Bacula storage daemon` },
  ]);
}

/** The ids of the flows that let monitoring check a tier's agent and its service port. */
export function monitorFlowIds(t: TierName): { server: string; service: string } {
  return { server: `monitoring-to-${slug(t)}-agent`, service: `monitoring-to-${slug(t)}-service` };
}

/** Server- and service-level monitoring, administration over SSH and time, for every tier. */
function everyTierFlows(spec: PlatformSpec): Flow[] {
  return TIER_NAMES.flatMap((t): Flow[] => {
    const service = tierDefinition(t).servicePort?.(spec);
    const monitor = monitorFlowIds(t);
    return [
      { id: monitor.server, source: tier("monitoring"), destination: tier(t), protocol: "tcp", ports: "5666", purpose: `server-level checks of the ${t} VMs (NRPE)` },
      ...(service ? [{ id: monitor.service, source: tier("monitoring"), destination: tier(t), protocol: "tcp" as const, ports: service.port, purpose: `service-level check of the ${service.what}` }] : []),
      { id: `admin-to-${slug(t)}-ssh`, source: zone("admin"), destination: tier(t), protocol: "tcp", ports: "22", purpose: `administration of the ${t} VMs (SSH, keys only)` },
      { id: `${slug(t)}-to-ntp`, source: tier(t), destination: zone("ntp"), protocol: "udp", ports: "123", purpose: `time synchronisation of the ${t} VMs` },
    ];
  });
}

/** The cluster's own flows: administration of the nodes and the QDevice host, corosync, migration, time. */
function platformFlows(): Flow[] {
  return [
    { id: "admin-to-nodes-ssh", source: zone("admin"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "22", purpose: "administration of the Proxmox nodes (SSH, keys only)" },
    { id: "admin-to-nodes-gui", source: zone("admin"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "8006", purpose: "Proxmox web GUI and API, from the admin network only" },
    { id: "nodes-corosync", source: zone("proxmoxNodes"), destination: zone("proxmoxNodes"), protocol: "udp", ports: "5404:5405", purpose: "corosync cluster communication (cluster network)" },
    { id: "nodes-to-qdevice", source: zone("proxmoxNodes"), destination: zone("qdevice"), protocol: "tcp", ports: "5403", purpose: "corosync-qdevice to the QNetd vote on the third host" },
    { id: "nodes-to-qdevice-ssh", source: zone("proxmoxNodes"), destination: zone("qdevice"), protocol: "tcp", ports: "22", purpose: "pvecm qdevice setup copies the QNetd certificates over SSH" },
    { id: "admin-to-qdevice-ssh", source: zone("admin"), destination: zone("qdevice"), protocol: "tcp", ports: "22", purpose: "administration of the QDevice host and its firewall (SSH, keys only)" },
    { id: "nodes-migration", source: zone("proxmoxNodes"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "60000:60050", purpose: "live migration between nodes" },
    { id: "nodes-ssh", source: zone("proxmoxNodes"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "22", purpose: "storage replication and cluster file sync between nodes (SSH)" },
    { id: "nodes-to-ntp", source: zone("proxmoxNodes"), destination: zone("ntp"), protocol: "udp", ports: "123", purpose: "time synchronisation of the Proxmox nodes (corosync needs it)" },
  ];
}
