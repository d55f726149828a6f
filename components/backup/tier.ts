import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier, zoneEndpoint as zone } from "../model/flow-endpoints";

/** DRBD's replication port of the backup volume on the storage network (the object store's is 7789). */
export const BACKUP_DRBD_PORT = 7790;
/** The Bacula director's port, where the console and the service check reach it. */
export const BACULA_DIRECTOR_PORT = 9101;

/**
 * Bacula with its volume on DRBD and an encrypted copy on the external NAS (seed design, "Backup strategy"). The
 * two VMs form a Pacemaker cluster of their own, like the object store's: DRBD between them, corosync between
 * them with the platform's QDevice as third vote, fencing through the Proxmox API and the nodes' BMCs; the
 * Promoted side mounts the volume and runs the storage daemon and the director on the backup address.
 */
export const backupTier: TierDefinition & { name: "backup" } = {
  name: "backup",
  hostPrefix: "bkp",
  report: { label: "Backup", colour: { fill: "#ffedd5", stroke: "#9a3412" }, readingOrder: 6 },
  networks: ["service", "storage"],
  vmCount: { field: "count", plus: 0 },
  // A raw disk that DRBD replicates between the two backup VMs (backup/cluster-plan.ts); never Proxmox
  // replication as well: two replications of one disk fight.
  dataDisk: "drbd",
  servicePort: () => ({ port: String(BACULA_DIRECTOR_PORT), what: "Bacula director" }),
  // Only the Promoted side runs the director, on the backup address (backup/cluster-plan.ts).
  serviceOn: "virtual-address",
  backupClient: false,
  // Host 13: 10-12 are the load balancer's, the database primary's and the object store's; hosts 1-15 are kept
  // for gateways and virtual addresses, so no VM moves.
  virtualAddresses: [{ name: "backup", host: 13 }],
  addressBlock: 24,
  flowOrder: 7,
  // Append-only (docs/design.md, "Flow order is append-only"): the cluster's flows come after the existing ones.
  flows: (spec) => ({
    dataPath: [
      { id: "backup-drbd", source: tier("backup"), destination: tier("backup"), protocol: "tcp", ports: String(BACKUP_DRBD_PORT), purpose: "DRBD replication of the backup volume (storage network)" },
      { id: "backup-to-offsite-nas", source: tier("backup"), destination: zone("offsiteNas"), protocol: "tcp", ports: "22", purpose: `the storage daemon's sshfs mount of the external NAS ${spec.backupPolicy.offsite.nasAddress}, where the copy jobs write the encrypted volumes (SSH)` },
      { id: "backup-corosync", source: tier("backup"), destination: tier("backup"), protocol: "udp", ports: "5405", purpose: "corosync between the backup VMs: Pacemaker's membership, on the storage and service networks" },
      // The nodes' BMCs, the ones spec.objectStore.fencing.ipmi lists: shared by every cluster whose VMs run on
      // those nodes, so the backup cluster fences a node through the same BMC the storage cluster does.
      { id: "backup-fence-ipmi", source: tier("backup"), destination: zone("nodeBmcs"), protocol: "udp", ports: "623", purpose: "fence_ipmilan powers off the node of a backup VM when its API is gone (IPMI, second fencing level)" },
    ],
    // After the cluster's own flows: the rules they open on the nodes and the QDevice host come after every
    // existing rule there, which keeps their positions.
    appended: [
      { id: "backup-to-qdevice", source: tier("backup"), destination: zone("qdevice"), protocol: "tcp", ports: "5403", purpose: "corosync-qdevice of the backup cluster to the QNetd vote on the third host" },
      { id: "backup-fence-pve", source: tier("backup"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "8006", purpose: "fence_pve powers off a backup VM that stopped answering (Proxmox API)" },
    ],
  }),
};
