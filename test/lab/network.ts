import { runChecked } from "./run";

/** One end of the lab network: a namespace with one interface (eth0) on the lab's bridge. */
export interface NetworkMember {
  netns: string;
  /** The interface's IPv4 address. */
  address: string;
  /** The bridge port's name inside the switch namespace (<= 15 characters). */
  port: string;
}

/**
 * A switch namespace with a bridge, and one veth pair from each member namespace into it. Every link and
 * address is created inside the lab's own namespaces (`ip -n`): the root namespace is never touched.
 * `created` lists the namespaces that exist so far, so that a half-built network is still torn down.
 */
export async function createLabNetwork(switchNetns: string, members: readonly NetworkMember[], prefixLength: number, created: string[]): Promise<void> {
  for (const netns of [switchNetns, ...members.map((m) => m.netns)]) {
    await runChecked("ip", ["netns", "add", netns]);
    created.push(netns);
    await runChecked("ip", ["-n", netns, "link", "set", "lo", "up"]);
  }
  await runChecked("ip", ["-n", switchNetns, "link", "add", "br0", "type", "bridge"]);
  await runChecked("ip", ["-n", switchNetns, "link", "set", "br0", "up"]);
  for (const m of members) {
    if (m.port.length > 15) throw new Error(`bridge port name "${m.port}" is longer than 15 characters`);
    await runChecked("ip", ["-n", switchNetns, "link", "add", m.port, "type", "veth", "peer", "name", "eth0", "netns", m.netns]);
    await runChecked("ip", ["-n", switchNetns, "link", "set", m.port, "master", "br0", "up"]);
    await runChecked("ip", ["-n", m.netns, "addr", "add", `${m.address}/${prefixLength}`, "dev", "eth0"]);
    await runChecked("ip", ["-n", m.netns, "link", "set", "eth0", "up"]);
  }
}
