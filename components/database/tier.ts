import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier } from "../model/flow-endpoints";

/** MariaDB primary and read-only replicas (seed design, "Database"). */
export const databaseTier: TierDefinition & { name: "database" } = {
  name: "database",
  hostPrefix: "db",
  report: { label: "Database", colour: { fill: "#dbeafe", stroke: "#1e40af" }, readingOrder: 4 },
  // Replication and the replica's backups to the backup volume run over the storage network.
  networks: ["service", "storage"],
  // The spec counts the replicas; the primary comes on top.
  vmCount: { field: "replicas", plus: 1 },
  dataDisk: "proxmox-replicated",
  servicePort: () => ({ port: "3306", what: "MariaDB" }),
  backupClient: true,
  virtualAddresses: [{ name: "databasePrimary", host: 11 }],
  addressBlock: 24,
  flowOrder: 5,
  roles: {
    names: ["primary", "replica"],
    // The first VM is the primary until an operator records a failover in `database.primary`.
    of: (vmName, spec) => (vmName === (spec.database.primary ?? "db-1") ? "primary" : "replica"),
  },
  flows: () => ({
    dataPath: [
      { id: "replica-to-primary-mysql", source: tier("database", "replica"), destination: tier("database", "primary"), protocol: "tcp", ports: "3306", purpose: "MariaDB GTID replication (TLS)" },
    ],
    // Listed with the operations flows, which come after every flow that reaches a database VM: the rules the
    // database VMs had before keepalived keep their positions.
    operations: [
      { id: "database-vrrp", source: tier("database"), destination: tier("database"), protocol: "vrrp", ports: "", purpose: "keepalived VRRP between the database VMs for the databasePrimary address (it follows the MariaDB primary)" },
    ],
  }),
};
