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
  /**
   * An nft ruleset, checked with `nft -c` and then loaded in the namespace; none for a source that filters
   * nothing. Next to it the lab loads its own table `ip fwlab`, which only marks the namespace's OUTGOING VRRP
   * probes untracked (see `LAB_TABLE`): the ruleset's input chain is left exactly as rendered.
   */
  ruleset?: string;
  /** Ports a listener serves in the namespace (TCP accept, UDP echo), and whether it records VRRP probes. */
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
  /**
   * Runs the probes of every source member at once (one prober per namespace, all in parallel). A VRRP probe
   * is "open" when the destination's listener received it (it is not echoed: see listen.py), else "timeout".
   */
  probe(bySource: ReadonlyMap<string, Probe[]>, timeoutSeconds: number): Promise<Map<string, ProbeResult>>;
  /** `nft list table inet ibac` (the rendered ruleset as the kernel holds it) inside a member's namespace. */
  listRuleset(name: string): Promise<string>;
  /** The members whose ruleset `nft -c` accepted before it was loaded (every member with a ruleset). */
  checked: string[];
  timings: string[];
  stop(): Promise<void>;
}

/**
 * Every prober binds its source ports at or above this port (probe.py sets the namespace's ephemeral range),
 * so no probed port may reach it: a probe's source port is then never a port another namespace probes.
 */
export const EPHEMERAL_LOW = 61000;

/**
 * The lab's own table, loaded next to a host's ruleset. conntrack tracks IP protocol 112 by addresses alone:
 * once host T has sent any VRRP probe to S, every later VRRP packet from S to T would be "established" and
 * accepted before T's rules are consulted. Marking T's outgoing VRRP untracked keeps every incoming VRRP probe
 * "new", so T's rules decide it. (TCP and UDP need nothing: their entries hold the ports, see EPHEMERAL_LOW.)
 */
export const LAB_TABLE = [
  "table ip fwlab",
  "delete table ip fwlab",
  "table ip fwlab {",
  "\tchain vrrp-out {",
  "\t\ttype filter hook output priority raw; policy accept;",
  "\t\tip protocol 112 notrack",
  "\t}",
  "}",
  "",
].join("\n");

const HERE = __dirname;

/** The MAC address of member `index`'s eth0: locally administered, unique in the lab. */
function labMac(index: number): string {
  const n = index + 1;
  return `02:1b:ac:00:${((n >> 8) & 255).toString(16).padStart(2, "0")}:${(n & 255).toString(16).padStart(2, "0")}`;
}

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

/** A running listener: the VRRP probes it has received ("SRC DST"), and a way to make sure it printed them all. */
interface Listener {
  member: FirewallLabMember;
  receipts: Set<string>;
  /** Asks the listener to print every VRRP probe it has received, and resolves once it has. */
  report(): Promise<void>;
}

/** Starts the listener and resolves once it printed "ready" (rejects with its output if it dies first). */
function startListener(ip: string, python: string, member: FirewallLabMember, children: ChildProcess[]): Promise<Listener> {
  const listen = member.listen ?? { tcp: [], udp: [], vrrp: false };
  const args = ["netns", "exec", member.netns, python, path.join(HERE, "listen.py"), "--addresses", member.addresses.join(","), "--tcp", listen.tcp.join(","), "--udp", listen.udp.join(",")];
  if (listen.vrrp) args.push("--vrrp");
  // `ip netns exec` execs the program: the child's PID is the listener's. Its stdin stays open: EOF stops it.
  const child = spawn(ip, args, { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  // A listener that died is reported by its exit; a "report" written to it then must not crash the run.
  child.stdin?.on("error", () => undefined);
  const receipts = new Set<string>();
  const waiting: (() => void)[] = [];
  let output = "";
  let partial = "";
  const listener: Listener = {
    member,
    receipts,
    report: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${member.name}: listener did not report within 10 s\n${output}`)), 10_000);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin?.write("report\n");
      }),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${member.name}: listener not ready after 10 s\n${output}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") {
          clearTimeout(timer);
          resolve(listener);
        } else if (line === "reported") waiting.shift()?.();
        else if (line.startsWith("vrrp ")) receipts.add(line.slice("vrrp ".length));
        else output += `${line}\n`;
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
 * veth into the bridge, its ruleset checked (`nft -c`) and loaded and its listener running. Every link,
 * address, route, sysctl and nft table is made inside the lab's own namespaces (`ip -n`, `ip netns exec`): the
 * root namespace is never touched and no packet leaves the lab. On a failure half-way, everything made so far
 * is torn down before rethrowing.
 */
export async function startFirewallLab(specs: readonly FirewallLabMemberSpec[]): Promise<FirewallLab> {
  const ip = requireTool("ip", "iproute2");
  const nft = requireTool("nft", "nftables");
  // The interpreter itself, not a version manager's shim: dozens start at once, each shim costs a shell.
  const python = (await runChecked(requireTool("python3", "python3"), ["-c", "import sys; print(sys.executable)"])).trim();
  const id = (process.pid % 100_000).toString(36);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-fwlab-"));
  const attempted: string[] = [];
  const children: ChildProcess[] = [];
  const listeners: Listener[] = [];
  const checked: string[] = [];
  const timings: string[] = [];
  const switchNetns = `ifw${id}-sw`;
  const members: FirewallLabMember[] = specs.map((s, i) => ({ ...s, netns: `ifw${id}-${i}` }));
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map(stopChild));
    // Every name this lab tried to create (a half-done batch leaves some missing: -force goes on past them).
    if (attempted.length > 0) await run(ip, ["-force", "-batch", "-"], { input: `${[...attempted].reverse().map((n) => `netns del ${n}`).join("\n")}\n` });
    fs.rmSync(root, { recursive: true, force: true });
  };

  const started = Date.now();
  const mark = (what: string): void => {
    timings.push(`${what}: ${Date.now() - started} ms`);
  };
  try {
    const names = [switchNetns, ...members.map((m) => m.netns)];
    // Only names that do not exist yet: everything `stop` deletes is then this lab's own.
    const existing = new Set((await runChecked(ip, ["netns", "list"])).split("\n").map((l) => l.split(" ")[0]));
    const taken = names.filter((n) => existing.has(n));
    if (taken.length > 0) throw new Error(`network namespaces ${taken.join(", ")} exist already (a lab left behind?)`);
    attempted.push(...names);
    await runChecked(ip, ["-batch", "-"], { input: `${names.map((n) => `netns add ${n}`).join("\n")}\n` });
    const switchBatch = ["link add br0 type bridge", "link set br0 up"];
    members.forEach((m, i) => switchBatch.push(`link add p${i} type veth peer name eth0 address ${labMac(i)} netns ${m.netns}`, `link set p${i} master br0 up`));
    await runChecked(ip, ["-n", switchNetns, "-batch", "-"], { input: `${switchBatch.join("\n")}\n` });
    await Promise.all(
      members.map(async (m, i) => {
        const batch = [
          "link set lo up",
          ...m.addresses.map((a) => `addr add ${a}/32 dev eth0`),
          "link set eth0 up",
          // One flat segment: every destination is on-link.
          "route add default dev eth0",
          // Static neighbours, not ARP: the kernel's ARP table is one for all namespaces, and dozens of namespaces
          // each learning dozens of neighbours overflow its garbage-collection limit (gc_thresh3, 1024 by
          // default: "neighbor table overflow", packets dropped). Permanent entries do not count toward it.
          ...members.flatMap((other, j) => (j === i ? [] : other.addresses.map((a) => `neigh replace ${a} lladdr ${labMac(j)} dev eth0 nud permanent`))),
        ];
        await runChecked(ip, ["-n", m.netns, "-batch", "-"], { input: `${batch.join("\n")}\n` });
      }),
    );
    mark("namespaces and links");
    const labTable = path.join(root, "fwlab.nft");
    fs.writeFileSync(labTable, LAB_TABLE);
    await Promise.all(
      members.map(async (m, i) => {
        if (m.ruleset === undefined) return;
        const file = path.join(root, `${i}.nft`);
        fs.writeFileSync(file, m.ruleset);
        await runChecked(ip, ["netns", "exec", m.netns, nft, "-c", "-f", file]);
        checked.push(m.name);
        const both = path.join(root, `${i}-and-lab.nft`);
        fs.writeFileSync(both, `include "${file}"\ninclude "${labTable}"\n`);
        await runChecked(ip, ["netns", "exec", m.netns, nft, "-f", both]);
      }),
    );
    mark("rulesets checked and loaded");
    listeners.push(...(await Promise.all(members.filter((m) => m.listen).map((m) => startListener(ip, python, m, children)))));
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
  const listenerAt = new Map(listeners.flatMap((l) => l.member.addresses.map((a) => [a, l] as const)));

  return {
    root,
    members,
    member,
    checked,
    timings,
    stop,
    async listRuleset(name) {
      return runChecked(ip, ["netns", "exec", member(name).netns, nft, "list", "table", "inet", "ibac"]);
    },
    async probe(bySource, timeoutSeconds) {
      const results = new Map<string, ProbeResult>();
      const sent: Probe[] = [];
      for (const l of listeners) l.receipts.clear();
      const begun = Date.now();
      await Promise.all(
        [...bySource].map(async ([name, probes]) => {
          if (probes.length === 0) return;
          const out = await runChecked(ip, ["netns", "exec", member(name).netns, python, path.join(HERE, "probe.py"), String(timeoutSeconds), String(EPHEMERAL_LOW), member(name).netns], {
            input: JSON.stringify(probes),
            timeoutMs: (timeoutSeconds + 30) * 1000,
          });
          const parsed = JSON.parse(out) as Record<string, ProbeResult | "sent">;
          for (const p of probes) {
            const result = parsed[p.id] ?? "error: no result from the prober";
            if (result === "sent") sent.push(p);
            else results.set(p.id, result);
          }
        }),
      );
      timings.push(`probers done: ${Date.now() - begun} ms`);
      // Every prober has exited, a full timeout after its last VRRP probe left: collect what the listeners got.
      await Promise.all(listeners.filter((l) => l.member.listen?.vrrp).map((l) => l.report()));
      for (const p of sent) {
        const at = listenerAt.get(p.dst);
        if (!at?.member.listen?.vrrp) results.set(p.id, `error: no VRRP listener at ${p.dst}`);
        else results.set(p.id, at.receipts.has(`${p.src} ${p.dst}`) ? "open" : "timeout");
      }
      timings.push(`receipts collected: ${Date.now() - begun} ms`);
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
