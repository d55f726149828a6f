import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier } from "../model/flow-endpoints";

/** The iBac REST API, 2+ instances behind the load balancer (seed design, "Server unavailability"). */
export const apiTier: TierDefinition & { name: "api" } = {
  name: "api",
  hostPrefix: "api",
  report: { label: "API", colour: { fill: "#dcfce7", stroke: "#166534" }, readingOrder: 2 },
  networks: ["service"],
  vmCount: { field: "count", plus: 0 },
  servicePort: (spec) => ({ port: String(spec.api.port), what: "iBac API" }),
  backupClient: false,
  virtualAddresses: [],
  addressBlock: 24,
  flowOrder: 3,
  flows: (spec) => ({
    dataPath: [
      { id: "api-to-database-mysql", source: tier("api"), destination: tier("database"), protocol: "tcp", ports: "3306", purpose: "API reads and writes (TLS)" },
      { id: "api-to-object-store-s3", source: tier("api"), destination: tier("objectStore"), protocol: "tcp", ports: "9000", purpose: "API stores photos and logs in MinIO (TLS)" },
      { id: "api-to-frs-https", source: tier("api"), destination: tier("frs"), protocol: "tcp", ports: String(spec.frs.port), purpose: "API submits photos to face recognition (TLS)" },
    ],
  }),
};
