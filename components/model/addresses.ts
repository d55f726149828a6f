// IPv4 arithmetic for the spec's subnets. Addresses are handled as unsigned 32-bit integers.

export interface Ipv4Subnet {
  /** The network address as an integer. */
  network: number;
  prefix: number;
  /** How many addresses the subnet spans, network and broadcast included. */
  size: number;
}

export function ipv4ToInt(address: string): number {
  return address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export function parseCidr(cidr: string): Ipv4Subnet {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const network = ipv4ToInt(address) - (ipv4ToInt(address) % size);
  return { network, prefix, size };
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

export function subnetContains(subnet: Ipv4Subnet, address: string): boolean {
  const value = ipv4ToInt(address);
  return value >= subnet.network && value < subnet.network + subnet.size;
}

/** The n-th address of a subnet (n = 1 is the first usable host), refusing network and broadcast addresses. */
export function hostAddress(subnet: Ipv4Subnet, n: number): string {
  if (n < 1 || n > subnet.size - 2) {
    throw new RangeError(`host ${n} is outside ${intToIpv4(subnet.network)}/${subnet.prefix} (${subnet.size - 2} usable addresses)`);
  }
  return intToIpv4(subnet.network + n);
}

/** The canonical text of a subnet, e.g. 10.20.0.0/24. */
export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${intToIpv4(subnet.network)}/${subnet.prefix}`;
}
