import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier } from "../model/flow-endpoints";

/** MinIO (S3) for photos and logs on a DRBD-replicated volume (seed design, "Photo and Logging Storage"). */
export const objectStoreTier: TierDefinition & { name: "objectStore" } = {
  name: "objectStore",
  hostPrefix: "s3",
  report: { label: "Object store", colour: { fill: "#e0e7ff", stroke: "#3730a3" }, readingOrder: 5 },
  networks: ["service", "storage"],
  vmCount: { field: "count", plus: 0 },
  dataDisk: "drbd",
  servicePort: { port: "9000", what: "MinIO S3 API" },
  backupClient: true,
  virtualAddresses: [{ name: "objectStore", host: 12 }],
  addressBlock: 24,
  flowOrder: 6,
  flows: () => ({
    dataPath: [
      { id: "object-store-drbd", source: tier("objectStore"), destination: tier("objectStore"), protocol: "tcp", ports: "7789", purpose: "DRBD replication of the MinIO volume (storage network)" },
    ],
  }),
};
