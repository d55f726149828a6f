import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier } from "../model/flow-endpoints";

/** The face-recognition service: 2+ instances, local data kept for a retention period then archived (seed design, "FRS"). */
export const frsTier: TierDefinition & { name: "frs" } = {
  name: "frs",
  hostPrefix: "frs",
  report: { label: "Face recognition", colour: { fill: "#fae8ff", stroke: "#86198f" }, readingOrder: 3 },
  networks: ["service"],
  vmCount: { field: "count", plus: 0 },
  dataDisk: "proxmox-replicated",
  servicePort: (spec) => ({ port: String(spec.frs.port), what: "FRS API" }),
  backupClient: true,
  virtualAddresses: [],
  addressBlock: 24,
  flowOrder: 4,
  flows: () => ({
    dataPath: [
      { id: "frs-to-object-store-s3", source: tier("frs"), destination: tier("objectStore"), protocol: "tcp", ports: "9000", purpose: "FRS reads photos and archives its data after the local retention (TLS)" },
      { id: "frs-to-database-mysql", source: tier("frs"), destination: tier("database"), protocol: "tcp", ports: "3306", purpose: "FRS reads profiles and writes results (TLS)" },
    ],
  }),
};
