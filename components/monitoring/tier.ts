import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier, zoneEndpoint as zone } from "../model/flow-endpoints";

/** Shinken monitoring of servers and services, alerting through the mail relay (seed design, "Monitoring services"). */
export const monitoringTier: TierDefinition & { name: "monitoring" } = {
  name: "monitoring",
  hostPrefix: "mon",
  report: { label: "Monitoring", colour: { fill: "#f1f5f9", stroke: "#334155" }, readingOrder: 7 },
  networks: ["service"],
  vmCount: { field: "count", plus: 0 },
  backupClient: false,
  virtualAddresses: [],
  addressBlock: 24,
  flowOrder: 0,
  flows: (spec) => ({
    operations: [
      { id: "monitoring-peers", source: tier("monitoring"), destination: tier("monitoring"), protocol: "tcp", ports: "7768:7773", purpose: "Shinken daemons between the monitoring VMs" },
      { id: "monitoring-to-nodes-agent", source: tier("monitoring"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "5666", purpose: "server-level checks of the Proxmox nodes (NRPE)" },
      { id: "monitoring-to-nodes-api", source: tier("monitoring"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "8006", purpose: "cluster, quorum and HA state checks through the Proxmox API" },
      { id: "monitoring-to-smtp-relay", source: tier("monitoring"), destination: zone("smtpRelay"), protocol: "tcp", ports: String(spec.notifications.smtpRelay.port), purpose: "alert notifications through the mail relay" },
      { id: "statistics-site-to-monitoring-https", source: zone("statisticsSite"), destination: tier("monitoring"), protocol: "tcp", ports: "443", purpose: "the monitoring and statistics site reads dashboards through the site tunnel" },
    ],
    // After every other flow, so no rule on the QDevice host moves: its agent is checked like a node's.
    appended: [
      { id: "monitoring-to-qdevice-agent", source: tier("monitoring"), destination: zone("qdevice"), protocol: "tcp", ports: "5666", purpose: "server-level checks of the QDevice host (NRPE)" },
    ],
  }),
};
