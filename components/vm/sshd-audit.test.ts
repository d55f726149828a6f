// The rendered sshd drop-in under the auditor's tool: a real sshd (bookworm's OpenSSH 9.2) started from it on
// 127.0.0.1, audited by bookworm's ssh-audit (2.5.0) and reached by a real ssh client. Proves bookworm; trixie's
// OpenSSH 10 adds algorithms the lists here do not name (sshd leaves them off), so the proof carries over only
// as far as the lists do.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadStackFile } from "../spec/load";
import { renderCloudInit, SSHD_HARDENING_PATH, type CloudConfigFile } from "./render-cloud-init";
import { MIN_MODULUS_BITS, SSHD_BANNER_PATH, SSHD_HOST_KEY_ALGORITHMS, SSHD_HOST_KEYS, moduliFilterCommand } from "./render-sshd-hardening";
import { renderLoginBanner } from "./render-banner";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { SSHD_AS_ROOT, keygen, runSshd, sshdUnderTest } from "../../test/support/sshd-under-test";
import { processAlive } from "../../test/support/process-alive";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const prod = loadStackFile(path.join(PROJECT_DIR, "stacks/Pulumi.prod.yaml"), "stacks/Pulumi.prod.yaml");
const vm = prod.model.vms[0];
/** The newest server policy bookworm's ssh-audit 2.5.0 lists (`ssh-audit -L`): it has no Debian 12 policy. */
const POLICY = "Hardened OpenSSH Server v8.7 (version 1)";
/**
 * The one name the policy lacks: OpenSSH's strict-KEX marker (the Terrapin countermeasure, CVE-2023-48795),
 * which Debian backported into bookworm's 9.2p1 after ssh-audit 2.5.0 was released. It is no algorithm
 * (nothing is negotiated with it) and must not be turned off, so it is the one addition made to the policy.
 */
const STRICT_KEX_MARKER = "kex-strict-s-v00@openssh.com";

let workDir = "";
/** Every sshd this file starts, stopped by PID at the end. */
const started: ChildProcess[] = [];
let keyTexts = { ed25519: "" };
let port = 0;
let dropIn = "";
let banner = "";
let moduli = "";
let hostKeys: { ed25519: ReturnType<typeof keygen> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(p: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(p, "127.0.0.1", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${p}:\n${log()}`);
}

beforeAll(async () => {
  requireTool("ssh-audit", "ssh-audit");
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-sshd-audit-"));
  hostKeys = { ed25519: keygen(workDir, "ed25519", "ed25519") };
  const deploy = keygen(workDir, "deploy", "ed25519");
  const userData = parse(renderCloudInit({
    vm,
    spec: prod.spec,
    deployPublicKey: deploy.publicKey,
    hostKeys: {
      ed25519: { publicKeyOpenssh: hostKeys.ed25519.publicKey, privateKeyOpenssh: hostKeys.ed25519.privateKey },
    },
  })) as { write_files: CloudConfigFile[]; ssh_keys: Record<string, string> };
  // The drop-in and the keys exactly as the user-data carries them.
  dropIn = userData.write_files.find((f) => f.path === SSHD_HARDENING_PATH)?.content ?? "";
  banner = renderLoginBanner(vm, prod.spec.site.name);

  // The bootstrap's own moduli filter, run on a copy of Debian's moduli file (as root of a user namespace,
  // so that its `install -o root` works without touching the host).
  moduli = path.join(workDir, "moduli");
  fs.copyFileSync("/etc/ssh/moduli", moduli);
  const filter = runTool(requireTool("unshare", "util-linux"), ["-Ur", ...moduliFilterCommand(moduli)]);
  expect(filter.status, describeRun(filter)).toBe(0);
  if (SSHD_AS_ROOT) fs.chmodSync(moduli, 0o644);

  keyTexts = { ed25519: userData.ssh_keys.ed25519_private };
  port = await startSshd(dropIn);
}, 60_000);

/** Starts sshd from a drop-in (the host keys cloud-init would write, the banner, the filtered moduli). */
async function startSshd(text: string): Promise<number> {
  const under = sshdUnderTest(workDir, text, path.basename(SSHD_HARDENING_PATH), {
    [SSHD_HOST_KEYS.ed25519]: keyTexts.ed25519,
    [SSHD_BANNER_PATH]: banner,
  }, `\nModuliFile ${moduli}\nPidFile ${path.join(workDir, `sshd-${started.length}.pid`)}\n`);
  if (SSHD_AS_ROOT) fs.chownSync(workDir, 65534, 65534);
  const p = await freePort();
  let log = "";
  const child = spawn(requireTool("sshd", "openssh-server"), ["-D", "-e", "-f", under.config, "-p", String(p), "-o", "ListenAddress=127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    ...(SSHD_AS_ROOT ? { uid: 65534, gid: 65534 } : {}),
  });
  started.push(child);
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  await waitForPort(p, child, () => log);
  return p;
}

afterAll(async () => {
  // Stopped by PID, and waited for, so that no sshd outlives the test.
  await Promise.all(started.map((child) => new Promise<void>((resolve) => {
    if (!child.pid || child.exitCode !== null || !processAlive(child.pid)) return resolve();
    child.once("exit", () => resolve());
    process.kill(child.pid, "SIGTERM");
  })));
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/** ssh-audit's plain-text findings: the lines it grades [fail] or [warn]. */
function findings(output: string): string[] {
  return output.split("\n").filter((line) => /^\((gen|kex|key|enc|mac)\) .* -- \[(fail|warn)\]/.test(line));
}

describe("ssh-audit against a real sshd started from the rendered drop-in (bookworm)", () => {
  it("sshd -t accepts the configuration", () => {
    expect(dropIn).toContain("KexAlgorithms");
    const under = sshdUnderTest(workDir, dropIn, path.basename(SSHD_HARDENING_PATH), {
      [SSHD_HOST_KEYS.ed25519]: hostKeys.ed25519.privateKey,
      [SSHD_BANNER_PATH]: banner,
    });
    const run = runSshd(["-t", "-f", under.config]);
    expect(run.status, describeRun(run)).toBe(0);
  });

  it("the standard audit grades nothing fail or warn (no NIST curves, no SHA-1, no CBC), but the strict-KEX marker it predates", () => {
    const run = runTool(requireTool("ssh-audit", "ssh-audit"), ["-n", "-p", String(port), "127.0.0.1"]);
    expect(run.stdout, describeRun(run)).toContain("(gen) software: OpenSSH");
    expect(findings(run.stdout), describeRun(run)).toEqual([expect.stringMatching(new RegExp(`^\\(kex\\) ${STRICT_KEX_MARKER.replace(/[.@]/g, "\\$&")} +-- \\[warn\\] unknown algorithm$`))]);
    expect(run.stdout).not.toMatch(/nistp|ssh-rsa |sha1|cbc/);
    expect(run.stdout).toMatch(/\(key\) ssh-ed25519 /);
    expect(run.stdout).not.toMatch(/\(key\) rsa-sha2/);
  });

  it("can fail: a drop-in that adds a NIST curve and SHA-1 MAC draws findings on both", async () => {
    const weak = dropIn.replace(/^KexAlgorithms (.*)$/m, "KexAlgorithms $1,ecdh-sha2-nistp256").replace(/^MACs (.*)$/m, "MACs $1,hmac-sha1");
    expect(weak).not.toBe(dropIn);
    const weakPort = await startSshd(weak);
    const run = runTool(requireTool("ssh-audit", "ssh-audit"), ["-n", "-p", String(weakPort), "127.0.0.1"]);
    const found = findings(run.stdout).join("\n");
    expect(found, describeRun(run)).toMatch(/\(kex\) ecdh-sha2-nistp256 .*-- \[fail\]/);
    expect(found, describeRun(run)).toMatch(/\(mac\) hmac-sha1 .*-- \[(fail|warn)\]/);
  });

  it(`passes "${POLICY}", the closest built-in hardening policy, with the strict-KEX marker added and only the pinned ed25519 host key`, () => {
    const python = fs.readFileSync(requireTool("ssh-audit", "ssh-audit"), "utf8").split("\n")[0].replace(/^#!\s*/, "").split(/\s+/)[0];
    const dump = runTool(python, ["-c", `import json,sys; from ssh_audit.policy import Policy; print(json.dumps(Policy.BUILTIN_POLICIES[sys.argv[1]]))`, POLICY]);
    expect(dump.status, describeRun(dump)).toBe(0);
    const builtin = JSON.parse(dump.stdout) as Record<string, unknown>;
    const list = (key: string): string[] => (builtin[key] as string[] | null) ?? [];
    const sizes = (key: string, prefix: string): string[] => Object.entries((builtin[key] as Record<string, number> | null) ?? {}).map(([alg, bits]) => `${prefix}${alg} = ${bits}`);
    const policyFile = path.join(workDir, "policy.txt");
    fs.writeFileSync(policyFile, [
      `name = "${POLICY} + ${STRICT_KEX_MARKER}"`,
      `version = ${String(builtin.version)}`,
      // The policy's host keys narrowed to the one the VMs offer (render-sshd-hardening.ts says why): a subset.
      `host keys = ${list("host_keys").filter((k) => (SSHD_HOST_KEY_ALGORITHMS as readonly string[]).includes(k)).join(", ")}`,
      `optional host keys = ${list("optional_host_keys").join(", ")}`,
      `key exchanges = ${[...list("kex"), STRICT_KEX_MARKER].join(", ")}`,
      `ciphers = ${list("ciphers").join(", ")}`,
      `macs = ${list("macs").join(", ")}`,
      ...sizes("hostkey_sizes", "hostkey_size_").filter((line) => (SSHD_HOST_KEY_ALGORITHMS as readonly string[]).some((k) => line.startsWith(`hostkey_size_${k} `))),
      ...sizes("dh_modulus_sizes", "dh_modulus_size_"),
      "",
    ].join("\n"));
    expect(list("host_keys")).toContain("ssh-ed25519");
    const run = runTool(requireTool("ssh-audit", "ssh-audit"), ["-n", "-P", policyFile, "-p", String(port), "127.0.0.1"]);
    expect(run.stdout, describeRun(run)).toMatch(/Result: .*Passed/);
    expect(run.status, describeRun(run)).toBe(0);
  });

  it("the unmodified built-in policy fails only on the strict-KEX marker and on the RSA host key the VMs leave out", () => {
    const run = runTool(requireTool("ssh-audit", "ssh-audit"), ["-n", "-P", POLICY, "-p", String(port), "127.0.0.1"]);
    expect(run.stdout, describeRun(run)).toMatch(/Result: .*Failed/);
    const errors = run.stdout.split("\n").filter((l) => /^\s+\* /.test(l)).map((l) => l.trim());
    expect(errors.sort()).toEqual(["* Host keys did not match.", "* Key exchanges did not match."]);
    expect(run.stdout).toMatch(new RegExp(`- Actual: +curve25519-sha256, .*, ${STRICT_KEX_MARKER}\\n`));
  });

  it("shows the login banner before authentication", () => {
    const ssh = requireTool("ssh", "openssh-client");
    const known = path.join(workDir, "known_hosts");
    fs.writeFileSync(known, `[127.0.0.1]:${port} ${hostKeys.ed25519.publicKey}\n`);
    const run = runTool(ssh, ["-F", "/dev/null", "-p", String(port), "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${known}`, "-o", "StrictHostKeyChecking=yes", "-o", "HostKeyAlgorithms=ssh-ed25519", "-o", "PreferredAuthentications=publickey", "-o", "IdentitiesOnly=yes", "-o", "IdentityFile=/dev/null", "nobody@127.0.0.1", "true"], { timeout: 20_000 });
    expect(run.status, describeRun(run)).not.toBe(0);
    expect(run.stderr, describeRun(run)).toContain("Authorised use only. All activity on this system is logged and monitored.");
    expect(run.stderr).toContain(`${vm.fqdn}: iBac`);
  });

  it("refuses TCP forwarding even to an authenticated client (the setting sshd -T shows)", () => {
    const under = sshdUnderTest(workDir, dropIn, path.basename(SSHD_HARDENING_PATH), {
      [SSHD_HOST_KEYS.ed25519]: hostKeys.ed25519.privateKey,
      [SSHD_BANNER_PATH]: banner,
    }, "\nAllowTcpForwarding yes\nPermitTunnel yes\n");
    const run = runSshd(["-T", "-f", under.config, "-C", "user=ibacops,host=a,addr=192.0.2.1"]);
    expect(run.status, describeRun(run)).toBe(0);
    for (const line of ["allowtcpforwarding no", "permittunnel no", "allowagentforwarding no", "x11forwarding no", "maxauthtries 3", `banner ${path.join(under.dir, "issue.net")}`]) expect(run.stdout.split("\n")).toContain(line);
  });

  it(`the bootstrap keeps only moduli of ${MIN_MODULUS_BITS} bits or more, and some remain`, () => {
    const sizes = fs.readFileSync(moduli, "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => Number(l.split(/\s+/)[4]) + 1);
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(MIN_MODULUS_BITS);
    const original = fs.readFileSync("/etc/ssh/moduli", "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => Number(l.split(/\s+/)[4]) + 1);
    // The check can fail: Debian's file does carry weaker moduli, which the filter removed.
    expect(Math.min(...original)).toBeLessThan(MIN_MODULUS_BITS);
    expect(sizes.length).toBe(original.filter((s) => s >= MIN_MODULUS_BITS).length);
  });
});
