import * as crypto from "node:crypto";
import { run, runChecked } from "../run";

// The monitoring lab's network, in network namespaces only (the root namespace is never touched):
//
//   core switch (bridge)  --  monitoring VMs, the SMTP sink (at the relay's address), every node
//   node (router)         --  one veth per VM behind it; the VM reaches the core only through its node
//
// Every address is the model's (a node's management address, a VM's service address) or, for the sink, the
// address the test spec gives its relay. Core members have /32 addresses and a host route to every other core
// member on the bridge; a VM's address is routed via its node. So `nodeDown(node)` (the node namespace's links
// down) is a real network failure: the node stops answering and every VM behind it is unreachable, while the
// VMs themselves keep running. A VM namespace made by another lab (the database lab's db-1, db-2: their eth0
// is on that lab's own bridge, for replication) is attached with an extra link `mon0` towards its node and
// host routes to the core members over it.

export interface CoreMember {
  name: string;
  address: string;
}

export interface LabVm {
  name: string;
  address: string;
  /** An existing namespace (another lab's) to attach, instead of a new one. */
  netns?: string;
}

export interface LabNode extends CoreMember {
  vms: LabVm[];
}

export interface TopologySpec {
  /** Monitoring VMs and the sink: on the core, behind no node. */
  core: CoreMember[];
  nodes: LabNode[];
}

export interface Topology {
  id: string;
  /** Namespace of a core member, node or VM, by its model name. */
  netns(name: string): string;
  /** Every namespace this topology created (not the attached ones). */
  created: string[];
  /** `ip netns exec <ns of name> argv...` */
  exec(name: string, argv: readonly string[], timeoutMs?: number): ReturnType<typeof run>;
  /** The node's links down: the node and every VM behind it unreachable from the core. */
  nodeDown(node: string): Promise<void>;
  nodeUp(node: string): Promise<void>;
  destroy(): Promise<void>;
}

const ip = (args: readonly string[]): Promise<string> => runChecked("ip", args);

export async function createTopology(spec: TopologySpec): Promise<Topology> {
  const id = crypto.randomBytes(2).toString("hex");
  const ns = new Map<string, string>();
  const created: string[] = [];
  const nsName = (name: string): string => {
    const n = `im${id}-${name.replace(/[^a-z0-9-]/gi, "").slice(0, 8)}`;
    if ([...ns.values()].includes(n)) throw new Error(`namespace name clash: ${n}`);
    return n;
  };
  /** Route commands per namespace, re-applied (`replace`) when a node's links come up again. */
  const routes = new Map<string, string[][]>();
  const route = async (netns: string, args: string[]): Promise<void> => {
    routes.set(netns, [...(routes.get(netns) ?? []), args]);
    await ip(["-n", netns, "route", "replace", ...args]);
  };
  const sysctl = (netns: string, key: string, value: string): Promise<string> => runChecked("ip", ["netns", "exec", netns, "sysctl", "-q", "-w", `${key}=${value}`]);
  const add = async (name: string): Promise<string> => {
    const n = nsName(name);
    await ip(["netns", "add", n]);
    created.push(n);
    ns.set(name, n);
    await ip(["-n", n, "link", "set", "lo", "up"]);
    return n;
  };
  const sw = `im${id}-sw`;
  const destroy = async (): Promise<void> => {
    for (const n of [...created].reverse()) {
      const pids = (await run("ip", ["netns", "pids", n])).stdout.split(/\s+/).filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await run("ip", ["netns", "delete", n]);
    }
    created.length = 0;
  };
  try {
    await ip(["netns", "add", sw]);
    created.push(sw);
    await ip(["-n", sw, "link", "add", "br0", "type", "bridge"]);
    await ip(["-n", sw, "link", "set", "br0", "up"]);
    const coreMembers: CoreMember[] = [...spec.core, ...spec.nodes];
    for (const [i, m] of coreMembers.entries()) {
      const n = await add(m.name);
      const port = `p${i}`;
      await ip(["-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", n]);
      await ip(["-n", sw, "link", "set", port, "master", "br0", "up"]);
      await ip(["-n", n, "addr", "add", `${m.address}/32`, "dev", "eth0"]);
      await ip(["-n", n, "link", "set", "eth0", "up"]);
    }
    for (const m of coreMembers) {
      const n = ns.get(m.name) ?? "";
      for (const other of coreMembers) if (other !== m) await route(n, [`${other.address}/32`, "dev", "eth0", "src", m.address]);
      for (const node of spec.nodes) {
        if (node === m) continue;
        for (const vm of node.vms) await route(n, [`${vm.address}/32`, "via", node.address, "dev", "eth0", "onlink"]);
      }
    }
    for (const node of spec.nodes) {
      const nn = ns.get(node.name) ?? "";
      await sysctl(nn, "net.ipv4.ip_forward", "1");
      for (const [j, vm] of node.vms.entries()) {
        const inner = `v${j}`;
        let vn: string;
        let vmDev: string;
        if (vm.netns) {
          vn = vm.netns;
          vmDev = "mon0";
          ns.set(vm.name, vn);
          await ip(["-n", nn, "link", "add", inner, "type", "veth", "peer", "name", vmDev, "netns", vn]);
          await ip(["-n", vn, "link", "set", vmDev, "up"]);
          for (const c of coreMembers) await route(vn, [`${c.address}/32`, "dev", vmDev, "src", vm.address]);
        } else {
          vn = await add(vm.name);
          vmDev = "eth0";
          await ip(["-n", nn, "link", "add", inner, "type", "veth", "peer", "name", vmDev, "netns", vn]);
          await ip(["-n", vn, "addr", "add", `${vm.address}/32`, "dev", vmDev]);
          await ip(["-n", vn, "link", "set", vmDev, "up"]);
          await route(vn, ["default", "dev", vmDev, "src", vm.address]);
        }
        await ip(["-n", nn, "link", "set", inner, "up"]);
        // The node answers ARP for the core on the VM's link: the VM needs no gateway address of its own.
        await sysctl(nn, `net.ipv4.conf.${inner}.proxy_arp`, "1");
        await route(nn, [`${vm.address}/32`, "dev", inner]);
      }
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  const netns = (name: string): string => {
    const n = ns.get(name);
    if (!n) throw new Error(`the monitoring lab has no host ${name}`);
    return n;
  };
  const links = async (node: string): Promise<string[]> =>
    (await ip(["-n", netns(node), "-o", "link", "show"])).split("\n").map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? "").filter((l) => l && l !== "lo");
  return {
    id,
    netns,
    created,
    exec: (name, argv, timeoutMs) => run("ip", ["netns", "exec", netns(name), ...argv], { timeoutMs }),
    async nodeDown(node) {
      for (const l of await links(node)) await ip(["-n", netns(node), "link", "set", l, "down"]);
    },
    async nodeUp(node) {
      for (const l of await links(node)) await ip(["-n", netns(node), "link", "set", l, "up"]);
      // IPv4 drops a device's routes when it goes down: put the node's back.
      for (const r of routes.get(netns(node)) ?? []) await ip(["-n", netns(node), "route", "replace", ...r]);
    },
    destroy,
  };
}
