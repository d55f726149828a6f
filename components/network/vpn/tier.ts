import type { TierDefinition } from "../../tiers/definition";
import { tierEndpoint as tier, zoneEndpoint as zone } from "../../model/flow-endpoints";

/** The IPsec concentrator for the mobiles and the site tunnel to the monitoring and statistics site (seed design, "VPN-tunnel"). */
export const vpnTier: TierDefinition & { name: "vpn" } = {
  name: "vpn",
  hostPrefix: "vpn",
  report: { label: "VPN", colour: { fill: "#ccfbf1", stroke: "#115e59" }, readingOrder: 0 },
  networks: ["service"],
  vmCount: { field: "count", plus: 0 },
  backupClient: false,
  virtualAddresses: [],
  addressBlock: 24,
  flowOrder: 1,
  flows: () => ({
    dataPath: [
      { id: "mobiles-to-vpn-ike", source: zone("mobiles"), destination: tier("vpn"), protocol: "udp", ports: "500", purpose: "IKEv2 from the mobiles to the VPN concentrator" },
      { id: "mobiles-to-vpn-natt", source: zone("mobiles"), destination: tier("vpn"), protocol: "udp", ports: "4500", purpose: "IPsec NAT traversal from the mobiles" },
    ],
    operations: [
      { id: "statistics-site-to-vpn-ike", source: zone("statisticsSite"), destination: tier("vpn"), protocol: "udp", ports: "500", purpose: "IKEv2 of the site-to-site tunnel" },
      { id: "statistics-site-to-vpn-natt", source: zone("statisticsSite"), destination: tier("vpn"), protocol: "udp", ports: "4500", purpose: "IPsec NAT traversal of the site-to-site tunnel" },
    ],
  }),
};
