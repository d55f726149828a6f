import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier, zoneEndpoint as zone } from "../model/flow-endpoints";
import { replicationEndpoint } from "./replication-target";

/** DRBD's replication port on the storage network (the resource's `address ...:7789`). */
export const DRBD_PORT = 7789;
/** The S3 API clients use: HAProxy's TLS on the service address (MinIO itself is behind it on the loopback). */
export const MINIO_PORT = 9000;
/**
 * Where MinIO itself listens, on 127.0.0.1 only: HAProxy re-encrypts to it. Not 9001, MinIO's customary console
 * port (the console is off), so that neither an operator nor a scanner takes one for the other.
 */
export const MINIO_BACKEND_PORT = 9010;

/**
 * MinIO (S3) for photos and logs on a DRBD-replicated volume (seed design, "Photo and Logging Storage"). The two
 * VMs form a Pacemaker cluster of their own: DRBD between them, corosync between them with the platform's
 * QDevice as third vote, fencing through the Proxmox API and the nodes' BMCs, and bucket replication to the
 * customer's third location when the spec names one.
 */
export const objectStoreTier: TierDefinition & { name: "objectStore" } = {
  name: "objectStore",
  hostPrefix: "s3",
  report: { label: "Object store", colour: { fill: "#e0e7ff", stroke: "#3730a3" }, readingOrder: 5 },
  networks: ["service", "storage"],
  vmCount: { field: "count", plus: 0 },
  dataDisk: "drbd",
  servicePort: () => ({ port: String(MINIO_PORT), what: "MinIO S3 API" }),
  // Only the Promoted side runs the S3 front, on the service address (storage/render-s3-haproxy-cfg.ts).
  serviceOn: "virtual-address",
  backupClient: true,
  virtualAddresses: [{ name: "objectStore", host: 12 }],
  addressBlock: 24,
  flowOrder: 6,
  flows: (spec) => {
    const replication = spec.objectStore.replication;
    return {
      dataPath: [
        { id: "object-store-drbd", source: tier("objectStore"), destination: tier("objectStore"), protocol: "tcp", ports: String(DRBD_PORT), purpose: "DRBD replication of the MinIO volume (storage network)" },
        { id: "object-store-corosync", source: tier("objectStore"), destination: tier("objectStore"), protocol: "udp", ports: "5405", purpose: "corosync between the storage VMs: Pacemaker's membership, on the storage and service networks" },
        { id: "object-store-to-qdevice", source: tier("objectStore"), destination: zone("qdevice"), protocol: "tcp", ports: "5403", purpose: "corosync-qdevice of the storage cluster to the QNetd vote on the third host" },
        { id: "object-store-fence-pve", source: tier("objectStore"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "8006", purpose: "fence_pve powers off a storage VM that stopped answering (Proxmox API)" },
        { id: "object-store-fence-ipmi", source: tier("objectStore"), destination: zone("nodeBmcs"), protocol: "udp", ports: "623", purpose: "fence_ipmilan powers off the node of a storage VM when its API is gone (IPMI, second fencing level)" },
        ...(replication
          ? [{ id: "object-store-to-third-site", source: tier("objectStore"), destination: zone("thirdSite"), protocol: "tcp" as const, ports: String(replicationEndpoint(replication).port), purpose: "bucket replication to the customer's third location (S3 over TLS)" }]
          : []),
      ],
      operations: [
        { id: "admin-to-object-store-s3", source: zone("admin"), destination: tier("objectStore"), protocol: "tcp", ports: String(MINIO_PORT), purpose: "the deployment's MinIO provider creates the buckets, users and policies (S3 and admin API over TLS)" },
      ],
    };
  },
};
