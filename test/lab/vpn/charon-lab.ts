import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { requireTool } from "../../support/require-tool";
import { run, runChecked, sleep, type RunResult } from "../run";
import { swanctlLayout, type SwanctlLayout } from "../../../components/network/vpn/render-swanctl";
import { processAlive } from "../../support/process-alive";
import { makeServerCertificate, type LabCa } from "../tls";

/** The Debian packages the VPN lab needs (the openssl plugin provides AES-GCM, ECP-384 and ECDSA). */
export const VPN_LAB_PACKAGES = "strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins iproute2 tcpdump iputils-ping openssl";

/** Paths of the lab's tools; each missing one fails the test with the package to install. */
export function vpnLabTools(): { charon: string; swanctl: string; ip: string; unshare: string; tcpdump: string; openssl: string } {
  const tools = {
    charon: requireTool("/usr/lib/ipsec/charon", "strongswan-charon"),
    swanctl: requireTool("swanctl", "strongswan-swanctl"),
    ip: requireTool("ip", "iproute2"),
    unshare: requireTool("unshare", "util-linux"),
    tcpdump: requireTool("tcpdump", "tcpdump"),
    openssl: requireTool("openssl", "openssl"),
  };
  for (const [plugin, pkg] of [["kernel-libipsec", "libcharon-extra-plugins"], ["openssl", "libstrongswan-standard-plugins"], ["vici", "strongswan-swanctl"]]) {
    const file = `/usr/lib/ipsec/plugins/libstrongswan-${plugin}.so`;
    if (!fs.existsSync(file)) throw new Error(`charon plugin "${plugin}" (${file}) is not installed: apt-get install -y --no-install-recommends ${pkg}`);
  }
  return tools;
}

/**
 * Plugins charon loads (no modular loading, so /etc/strongswan.d is ignored): kernel-libipsec does ESP in
 * userspace over a TUN device (ipsec0) because this machine's kernel has no usable XFRM; kernel-netlink still
 * installs the routes and virtual IPs. `openssl` provides AES-GCM, ECDH on P-384 and ECDSA signatures.
 */
const CHARON_PLUGINS = "random nonce openssl x509 revocation constraints pubkey pkcs1 pkcs8 pem gcm aes sha2 hmac kdf kernel-libipsec kernel-netlink socket-default vici attr";
const SWANCTL_PLUGINS = "random nonce openssl x509 pubkey pkcs1 pkcs8 pem";

/** One charon in its own network namespace, with everything (config, pid file, VICI socket, log) under `dir`. */
export interface CharonHost {
  name: string;
  netns: string;
  dir: string;
  /** This host's strongswan.conf (passed as STRONGSWAN_CONF to charon and swanctl). */
  strongswanConf: string;
  /** VICI socket URI for `swanctl --uri`. */
  vici: string;
  swanctl: SwanctlLayout;
  pidFile: string;
  log: string;
  pid: number;
}

export function strongswanConf(dir: string): string {
  return `charon {
  load_modular = no
  load = ${CHARON_PLUGINS}
  install_virtual_ip = yes
  retransmit_tries = 2
  retransmit_timeout = 1.0
  plugins {
    vici {
      socket = unix://${dir}/charon.vici
    }
    kernel-libipsec {
      load = yes
    }
  }
  filelog {
    lab {
      path = ${dir}/charon.log
      time_format = %T
      default = 1
      ike_name = yes
      flush_line = yes
    }
  }
}
swanctl {
  load = ${SWANCTL_PLUGINS}
}
`;
}

/**
 * Starts charon in `netns`. charon writes its pid file to the fixed /var/run/charon.pid, so it runs in its own
 * mount namespace with /run bound to `dir/run`: two charons never share a pid file, and the host's /run is
 * untouched. `ip netns exec`, `unshare` and `sh -c exec` all exec, so the spawned PID is charon's PID.
 */
export async function startCharon(name: string, netns: string, dir: string): Promise<CharonHost> {
  const tools = vpnLabTools();
  const runDir = path.join(dir, "run");
  const layout = swanctlLayout(path.join(dir, "swanctl"));
  for (const d of [runDir, layout.x509, layout.x509ca, layout.x509crl]) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(layout.private, { recursive: true, mode: 0o700 });
  const conf = path.join(dir, "strongswan.conf");
  fs.writeFileSync(conf, strongswanConf(dir));
  const out = fs.openSync(path.join(dir, "charon.out"), "a");
  const child = spawn(tools.ip, ["netns", "exec", netns, tools.unshare, "--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$1" /run && exec "$2"', "sh", runDir, tools.charon], {
    env: { ...process.env, STRONGSWAN_CONF: conf },
    detached: true,
    stdio: ["ignore", out, out],
  });
  child.unref();
  fs.closeSync(out);
  const host: CharonHost = {
    name, netns, dir, strongswanConf: conf, vici: `unix://${dir}/charon.vici`, swanctl: layout,
    pidFile: path.join(runDir, "charon.pid"), log: path.join(dir, "charon.log"), pid: child.pid ?? -1,
  };
  const deadline = Date.now() + 10_000;
  while (!(fs.existsSync(host.pidFile) && fs.existsSync(path.join(dir, "charon.vici")))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(`${name}: charon did not start: ${fs.readFileSync(path.join(dir, "charon.out"), "utf8")}`);
    }
    await sleep(50);
  }
  host.pid = Number(fs.readFileSync(host.pidFile, "utf8").trim());
  return host;
}

/** swanctl against this host's charon; the command comes first, then --uri. */
export function swanctl(host: CharonHost, command: string, args: readonly string[] = [], timeoutMs = 20_000): Promise<RunResult> {
  return run(vpnLabTools().swanctl, [command, "--uri", host.vici, ...args], { env: { ...process.env, STRONGSWAN_CONF: host.strongswanConf }, timeoutMs });
}

/**
 * Writes `text` as the host's swanctl.conf and loads it. swanctl 5.9 exits 0 on a syntax error, so the output
 * is checked too; a second load replaces everything loaded before.
 */
export async function loadSwanctlConf(host: CharonHost, text: string): Promise<void> {
  fs.writeFileSync(host.swanctl.conf, text);
  const r = await swanctl(host, "--load-all", ["--file", host.swanctl.conf]);
  const out = r.stdout + r.stderr;
  if (r.code !== 0 || /syntax error|invalid config file/.test(out)) throw new Error(`${host.name}: swanctl --load-all: ${out}`);
}

/** A certificate from the lab CA whose subject and only DNS name is `name` (an IKE identity). */
export async function makeIdentityCertificate(ca: LabCa, name: string, certFile: string, keyFile: string, openssl: string): Promise<void> {
  await makeServerCertificate(ca, { commonName: name, dnsNames: [name], ipAddresses: [], certFile, keyFile }, openssl);
}

/**
 * Captures IPv4 on `dev` in `netns` while `traffic` runs (tcpdump, stopped by PID), and returns the capture
 * decoded by tcpdump: what crossed that link, for "only ESP" assertions.
 */
export async function captureWhile(netns: string, dev: string, pcap: string, traffic: () => Promise<void>): Promise<string> {
  const { tcpdump } = vpnLabTools();
  const capture = spawn("ip", ["netns", "exec", netns, tcpdump, "-i", dev, "-n", "-U", "-w", pcap, "ip"], { stdio: "ignore" });
  try {
    await sleep(700);
    await traffic();
    await sleep(300);
  } finally {
    if (capture.pid) process.kill(capture.pid, "SIGTERM");
    await new Promise((resolve) => capture.once("exit", resolve));
  }
  return (await run(tcpdump, ["-r", pcap, "-n"])).stdout;
}

/** A host's charon log so far (for assertions and failure messages). */
export function charonLog(host: CharonHost): string {
  try {
    return fs.readFileSync(host.log, "utf8");
  } catch {
    return "";
  }
}


/** Stops charon by the PID in its pid file (SIGTERM, then SIGKILL after 5 s). */
export async function stopCharon(host: CharonHost): Promise<void> {
  let pid = host.pid;
  try {
    pid = Number(fs.readFileSync(host.pidFile, "utf8").trim()) || host.pid;
  } catch {
    // charon removes its pid file on a clean exit; fall back to the PID it had when it started.
  }
  if (pid <= 0 || !processAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 5_000;
  while (processAlive(pid) && Date.now() < deadline) await sleep(50);
  if (processAlive(pid)) process.kill(pid, "SIGKILL");
}

/** Creates `netns` (recorded in `created` first, so a failure half-way is still cleaned up) with lo up. */
export async function addNetns(netns: string, created: string[]): Promise<void> {
  await runChecked("ip", ["netns", "add", netns]);
  created.push(netns);
  await runChecked("ip", ["-n", netns, "link", "set", "lo", "up"]);
}

/** A veth pair between two lab namespaces, each end named and addressed inside its namespace. */
export async function linkNamespaces(a: { netns: string; dev: string; cidr: string }, b: { netns: string; dev: string; cidr: string }): Promise<void> {
  await runChecked("ip", ["-n", a.netns, "link", "add", a.dev, "type", "veth", "peer", "name", b.dev, "netns", b.netns]);
  for (const end of [a, b]) {
    await runChecked("ip", ["-n", end.netns, "addr", "add", end.cidr, "dev", end.dev]);
    await runChecked("ip", ["-n", end.netns, "link", "set", end.dev, "up"]);
  }
}

/**
 * An interface standing for a network behind a gateway (the service network): a veth pair with both ends in
 * the namespace (this kernel has no `dummy` link type), the address on `dev`.
 */
export async function addDummy(netns: string, dev: string, cidr: string): Promise<void> {
  await runChecked("ip", ["-n", netns, "link", "add", dev, "type", "veth", "peer", "name", `${dev}p`]);
  await runChecked("ip", ["-n", netns, "addr", "add", cidr, "dev", dev]);
  await runChecked("ip", ["-n", netns, "link", "set", `${dev}p`, "up"]);
  await runChecked("ip", ["-n", netns, "link", "set", dev, "up"]);
}

/** Deletes every namespace in `created`, reporting (not throwing) the ones that would not go. */
export async function deleteNamespaces(created: string[]): Promise<string[]> {
  const failures: string[] = [];
  for (const netns of created.splice(0).reverse()) {
    const r = await run("ip", ["netns", "delete", netns]);
    if (r.code !== 0) failures.push(`${netns}: ${r.stderr.trim()}`);
  }
  return failures;
}
