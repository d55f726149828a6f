import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { requireTool } from "../../support/require-tool";
import { run, runChecked, sleep } from "../run";

/** One namespace of the lab: a firewalled host, or a plain source (a zone, a peer VM). */
export interface FirewallLabMemberSpec {
  /** A label: a model host name (`db-1`) or a zone (`admin`). */
  name: string;
  /** Its IPv4 addresses, all on eth0 (as /32, with an on-link default route: one flat segment). */
  addresses: string[];
  /** An nft ruleset loaded in the namespace with `nft -f`; none for a source that filters nothing. */
  ruleset?: string;
  /** Ports a listener serves in the namespace (TCP accept, UDP echo), and whether it echoes VRRP. */
  listen?: { tcp: number[]; udp: number[]; vrrp: boolean };
}

export interface FirewallLabMember extends FirewallLabMemberSpec {
  netns: string;
}

export type ProbeProtocol = "tcp" | "udp" | "vrrp";

export interface Probe {
  id: string;
  /** The source address, bound by the prober (it must be one of the source member's addresses). */
  src: string;
  dst: string;
  proto: ProbeProtocol;
  /** 0 for vrrp. */
  port: number;
}

export type ProbeResult = "open" | "timeout" | "refused" | `error: ${string}`;

export interface FirewallLab {
  root: string;
  members: FirewallLabMember[];
  member(name: string): FirewallLabMember;
  /** Runs the probes of every source member at once (one prober per namespace, all in parallel). */
  probe(bySource: ReadonlyMap<string, Probe[]>, timeoutSeconds: number): Promise<Map<string, ProbeResult>>;
  /** `nft list ruleset` inside a member's namespace. */
  listRuleset(name: string): Promise<string>;
  timings: string[];
  stop(): Promise<void>;
}

const HERE = __dirname;

/** Stops a child by its PID: SIGTERM, then SIGKILL if it has not exited within 2 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  const late = await Promise.race([exited.then(() => false), sleep(2000).then(() => true)]);
  if (late && child.exitCode === null && child.signalCode === null) {
    process.kill(child.pid, "SIGKILL");
    await exited;
  }
}

/** Starts the listener and resolves once it printed "ready" (rejects with its output if it dies first). */
function startListener(ip: string, python: string, member: FirewallLabMember, children: ChildProcess[]): Promise<void> {
  const listen = member.listen ?? { tcp: [], udp: [], vrrp: false };
  const args = ["netns", "exec", member.netns, python, path.join(HERE, "listen.py"), "--addresses", member.addresses.join(","), "--tcp", listen.tcp.join(","), "--udp", listen.udp.join(",")];
  if (listen.vrrp) args.push("--vrrp");
  // `ip netns exec` execs the program: the child's PID is the listener's.
  const child = spawn(ip, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`${member.name}: listener not ready after 10 s\n${output}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${member.name}: listener exited (${code ?? signal}) before it was ready\n${output}`));
    });
  });
}

/**
 * Builds the lab: a switch namespace with a bridge and one namespace per member, each with its addresses on a
 * veth into the bridge, its ruleset loaded and its listener running. Every link, address, route and nft table
 * is made inside the lab's own namespaces (`ip -n`, `ip netns exec`): the root namespace is never touched and
 * no packet leaves the lab. On a failure half-way, everything made so far is torn down before rethrowing.
 */
export async function startFirewallLab(specs: readonly FirewallLabMemberSpec[]): Promise<FirewallLab> {
  const ip = requireTool("ip", "iproute2");
  const nft = requireTool("nft", "nftables");
  const python = requireTool("python3", "python3");
  const id = (process.pid % 100_000).toString(36);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-fwlab-"));
  const created: string[] = [];
  const children: ChildProcess[] = [];
  const timings: string[] = [];
  const switchNetns = `ifw${id}-sw`;
  const members: FirewallLabMember[] = specs.map((s, i) => ({ ...s, netns: `ifw${id}-${i}` }));
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map(stopChild));
    for (const netns of created.reverse()) await run(ip, ["netns", "del", netns]);
    fs.rmSync(root, { recursive: true, force: true });
  };

  const started = Date.now();
  const mark = (what: string): void => {
    timings.push(`${what}: ${Date.now() - started} ms`);
  };
  try {
    for (const netns of [switchNetns, ...members.map((m) => m.netns)]) {
      await runChecked(ip, ["netns", "add", netns]);
      created.push(netns);
    }
    await runChecked(ip, ["-n", switchNetns, "link", "add", "br0", "type", "bridge"]);
    await runChecked(ip, ["-n", switchNetns, "link", "set", "br0", "up"]);
    await Promise.all(
      members.map(async (m, i) => {
        const port = `p${i}`;
        const batch = [
          "link set lo up",
          ...m.addresses.map((a) => `addr add ${a}/32 dev eth0`),
          "link set eth0 up",
          // One flat segment: every destination is on-link, ARP finds it on the bridge.
          "route add default dev eth0",
        ];
        await runChecked(ip, ["-n", switchNetns, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", m.netns]);
        await runChecked(ip, ["-n", switchNetns, "link", "set", port, "master", "br0", "up"]);
        await runChecked(ip, ["-n", m.netns, "-batch", "-"], { input: `${batch.join("\n")}\n` });
      }),
    );
    mark("namespaces and links");
    await Promise.all(
      members.map(async (m) => {
        if (m.ruleset === undefined) return;
        const file = path.join(root, `${m.name}.nft`);
        fs.writeFileSync(file, m.ruleset);
        await runChecked(ip, ["netns", "exec", m.netns, nft, "-f", file]);
      }),
    );
    mark("rulesets loaded");
    await Promise.all(members.filter((m) => m.listen).map((m) => startListener(ip, python, m, children)));
    mark("listeners ready");
  } catch (error) {
    await stop();
    throw error;
  }

  const member = (name: string): FirewallLabMember => {
    const found = members.find((m) => m.name === name);
    if (!found) throw new Error(`no lab member ${name}`);
    return found;
  };

  return {
    root,
    members,
    member,
    timings,
    stop,
    async listRuleset(name) {
      return runChecked(ip, ["netns", "exec", member(name).netns, nft, "list", "ruleset"]);
    },
    async probe(bySource, timeoutSeconds) {
      const results = new Map<string, ProbeResult>();
      await Promise.all(
        [...bySource].map(async ([name, probes]) => {
          if (probes.length === 0) return;
          const out = await runChecked(ip, ["netns", "exec", member(name).netns, python, path.join(HERE, "probe.py"), String(timeoutSeconds)], {
            input: JSON.stringify(probes),
            timeoutMs: (timeoutSeconds + 20) * 1000,
          });
          const parsed = JSON.parse(out) as Record<string, ProbeResult>;
          for (const [probeId, result] of Object.entries(parsed)) results.set(probeId, result);
        }),
      );
      return results;
    },
  };
}

/** The 32-bit value of a dotted IPv4 address. */
export function ipv4ToNumber(address: string): number {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${address}`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** Whether `address` lies in `cidr` (a bare address is a /32). */
export function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const prefix = bits === undefined ? 32 : Number(bits);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((ipv4ToNumber(address) & mask) >>> 0) === ((ipv4ToNumber(base) & mask) >>> 0);
}

/** The address `offset` after a CIDR's network address (`10.20.9.0/24`, 10 -> `10.20.9.10`). */
export function addressInCidr(cidr: string, offset: number): string {
  const n = ipv4ToNumber(cidr.split("/")[0]) + offset;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
