import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier, zoneEndpoint as zone } from "../model/flow-endpoints";

/** Bacula with its volume on DRBD and an encrypted copy on the external NAS (seed design, "Backup strategy"). */
export const backupTier: TierDefinition & { name: "backup" } = {
  name: "backup",
  hostPrefix: "bkp",
  report: { label: "Backup", colour: { fill: "#ffedd5", stroke: "#9a3412" }, readingOrder: 6 },
  networks: ["service", "storage"],
  vmCount: { field: "count", plus: 0 },
  // The seed puts the backup volume on DRBD; until the backup issue renders that DRBD resource, Proxmox
  // replication keeps the only second copy, and HA recovers the VM with it (a DRBD kind without DRBD would
  // leave the backups on one node).
  dataDisk: "proxmox-replicated",
  servicePort: () => ({ port: "9101", what: "Bacula director" }),
  backupClient: false,
  virtualAddresses: [],
  addressBlock: 24,
  flowOrder: 7,
  flows: (spec) => ({
    dataPath: [
      { id: "backup-drbd", source: tier("backup"), destination: tier("backup"), protocol: "tcp", ports: "7790", purpose: "DRBD replication of the backup volume (storage network)" },
      { id: "replica-to-backup-ssh", source: tier("database", "replica"), destination: tier("backup"), protocol: "tcp", ports: "22", purpose: "mariabackup and binary-log copies of the replica to the backup volume (SSH)" },
      { id: "backup-to-offsite-nas", source: tier("backup"), destination: zone("offsiteNas"), protocol: "tcp", ports: "22", purpose: `encrypted copy of every backup to the external NAS ${spec.backupPolicy.offsite.nasAddress} (SSH)` },
    ],
  }),
};
