import type { TierDefinition } from "../tiers/definition";
import { tierEndpoint as tier, zoneEndpoint as zone } from "../model/flow-endpoints";

/** The redundant load balancer in front of the API, holding one virtual address (seed design, "Server unavailability"). */
export const loadBalancerTier: TierDefinition & { name: "loadBalancer" } = {
  name: "loadBalancer",
  hostPrefix: "lb",
  report: { label: "Load balancer", colour: { fill: "#fef9c3", stroke: "#854d0e" }, readingOrder: 1 },
  networks: ["service"],
  vmCount: { field: "count", plus: 0 },
  servicePort: () => ({ port: "443", what: "HTTPS front end" }),
  // HAProxy binds the API's address only (loadbalancer/render-haproxy-cfg.ts), on both balancers.
  serviceOn: "virtual-address",
  backupClient: false,
  virtualAddresses: [{ name: "loadBalancer", host: 10 }],
  addressBlock: 24,
  flowOrder: 2,
  flows: (spec) => ({
    dataPath: [
      { id: "vpn-clients-to-lb-https", source: zone("vpnClients"), destination: tier("loadBalancer"), protocol: "tcp", ports: "443", purpose: "the iBac app's HTTPS API calls through the VPN" },
      { id: "lb-to-api-https", source: tier("loadBalancer"), destination: tier("api"), protocol: "tcp", ports: String(spec.api.port), purpose: "load balancer to the API instances (TLS)" },
      { id: "lb-vrrp", source: tier("loadBalancer"), destination: tier("loadBalancer"), protocol: "vrrp", ports: "", purpose: "keepalived VRRP between the load balancers for the virtual IP" },
    ],
  }),
};
