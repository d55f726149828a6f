import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../components/model/build";
import { tlsPolicy } from "../../components/pki/tls-policy";
import { renderS3HaproxyCfg } from "../../components/storage/render-s3-haproxy-cfg";
import { storageInventoryFromPlan } from "../../playbooks/storage/inventory";
import { minioHealthCommand } from "../../playbooks/storage/storage-status";
import { stackSpec } from "../fixtures/specs";
import { createLabNetwork } from "../lab/network";
import { run, runChecked, sleep, type RunResult } from "../lab/run";
import { makeLabCa, makeServerCertificate } from "../lab/tls";
import { requireTool } from "../support/require-tool";

// The object store's S3 TLS as the rendered HAProxy config serves it, on bookworm's HAProxy 2.6 (OpenSSL 3.0),
// in network namespaces: a storage VM's namespace holds its own service-network address and the service
// address (as IPaddr2 would put it there), HAProxy runs with the unit's command line, and a stand-in for MinIO
// listens on that namespace's 127.0.0.1 with the service's certificate and Node's default TLS suites, which
// offer TLS_AES_128_GCM_SHA256 and ECDHE-ECDSA-AES128-GCM-SHA256 as MinIO's build does. A client namespace
// probes the service address with sslscan, openssl s_client and curl.
//
// Left unproven here: real MinIO (no binary in Debian or npm) and its S3 signatures through the proxy (mode tcp
// forwards the bytes unread, so the Host header and path the stand-in sees are the client's own); Pacemaker
// starting HAProxy (crm_simulate shows the order: test/integration/storage-pacemaker-decisions.test.ts); the
// unit's systemd sandbox (no systemd runs services here); trixie's HAProxy 3.0.

const spec = stackSpec("prod");
const PLAN = (() => {
  const { model } = buildModel(spec);
  if (!model) throw new Error("prod has no model");
  return model.objectStore;
})();
const SERVICE = PLAN.service;
const POLICY = tlsPolicy(spec);
const VM_ADDRESS = "10.20.2.41";
const CLIENT_ADDRESS = "10.20.2.200";
/** A second, mutated HAProxy on another port of the service address. */
const MUTANT_PORT = 9443;
const LOG_PORT = 5514;

/** The stand-in for MinIO: HTTPS on the loopback, answering with what it saw; and a UDP sink for HAProxy's log. */
const STAND_IN = `
const fs = require("node:fs");
const https = require("node:https");
const dgram = require("node:dgram");
const [cert, key, port, requests, logFile, logPort] = process.argv.slice(2);
https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  const seen = { method: req.method, url: req.url, host: req.headers.host, protocol: req.socket.getProtocol(), cipher: req.socket.getCipher().standardName };
  if (req.url !== "/minio/health/live") fs.appendFileSync(requests, JSON.stringify(seen) + "\\n");
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(seen));
}).listen(Number(port), "127.0.0.1", () => console.log("listening"));
const sink = dgram.createSocket("udp4");
sink.on("message", (m) => fs.appendFileSync(logFile, m.toString() + "\\n"));
sink.bind(Number(logPort), "127.0.0.1");
`;

describe("the object store's S3 TLS: rendered HAProxy in front of a MinIO stand-in, in network namespaces", () => {
  const suffix = crypto.randomBytes(3).toString("hex");
  const vmNs = `ibac-s3tls-vm-${suffix}`;
  const clientNs = `ibac-s3tls-cl-${suffix}`;
  const switchNs = `ibac-s3tls-sw-${suffix}`;
  const created: string[] = [];
  const children: ChildProcess[] = [];
  let dir = "";
  let openssl = "";
  let sslscan = "";
  let curl = "";
  let haproxy = "";
  let caFile = "";
  let requestsFile = "";
  let logFile = "";
  let config = "";

  const inNs = (ns: string, argv: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> => run("ip", ["netns", "exec", ns, ...argv], options);
  const sClient = (args: readonly string[], at = `${SERVICE.address}:${SERVICE.port}`, ns = clientNs): Promise<RunResult> =>
    inNs(ns, [openssl, "s_client", "-connect", at, "-servername", SERVICE.serverName, "-CAfile", caFile, "-verify_return_error", ...args], { input: "Q\n", timeoutMs: 15_000 });
  const get = (urlPath: string, port = SERVICE.port): Promise<RunResult> =>
    inNs(clientNs, [curl, "-sS", "--max-time", "10", "--cacert", caFile, "--resolve", `${SERVICE.serverName}:${port}:${SERVICE.address}`, `https://${SERVICE.serverName}:${port}${urlPath}`]);
  const requests = (): { url: string; host: string; protocol: string; cipher: string }[] =>
    fs.existsSync(requestsFile) ? fs.readFileSync(requestsFile, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];

  function start(ns: string, argv: readonly string[], name: string): ChildProcess {
    const out = fs.openSync(path.join(dir, `${name}.log`), "a");
    const child = spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", out, out] });
    children.push(child);
    return child;
  }

  async function waitForPort(ns: string, address: string, port: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const r = await inNs(ns, ["bash", "-c", `exec 3<>/dev/tcp/${address}/${port}`], { timeoutMs: 2_000 });
      if (r.code === 0) return;
      await sleep(100);
    }
    throw new Error(`nothing listens on ${address}:${port} in ${ns}; logs in ${dir}`);
  }

  beforeAll(async () => {
    openssl = requireTool("openssl", "openssl");
    sslscan = requireTool("sslscan", "sslscan");
    curl = requireTool("curl", "curl");
    haproxy = requireTool("haproxy", "haproxy");
    requireTool("ip", "iproute2");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-s3-tls-"));
    const ca = await makeLabCa(path.join(dir, "ca"), openssl);
    caFile = ca.cert;
    const cert = { commonName: SERVICE.serverName, dnsNames: [SERVICE.serverName], ipAddresses: [SERVICE.address], certFile: path.join(dir, "public.crt"), keyFile: path.join(dir, "private.key") };
    await makeServerCertificate(ca, cert, openssl);
    const pem = path.join(dir, "ibac-s3.pem");
    fs.writeFileSync(pem, `${fs.readFileSync(cert.certFile, "utf8").trimEnd()}\n${fs.readFileSync(cert.keyFile, "utf8").trimEnd()}\n`, { mode: 0o600 });

    // The production rendering; only the file locations and the log target are the lab's.
    config = renderS3HaproxyCfg(SERVICE, POLICY, { certFile: pem, caFile, log: { target: `127.0.0.1:${LOG_PORT}` } });
    const cfgFile = path.join(dir, "ibac-s3.cfg");
    fs.writeFileSync(cfgFile, config);
    // The same file with MinIO's certificate checked against another name, on another port.
    const mutant = config.replace(`bind ${SERVICE.address}:${SERVICE.port} `, `bind ${SERVICE.address}:${MUTANT_PORT} `).replace(`verifyhost ${SERVICE.serverName}`, "verifyhost s3.elsewhere.example");
    expect(mutant).not.toBe(config);
    const mutantFile = path.join(dir, "mutant.cfg");
    fs.writeFileSync(mutantFile, mutant);
    await runChecked(haproxy, ["-c", "-f", cfgFile]);

    await createLabNetwork(switchNs, [{ netns: vmNs, address: VM_ADDRESS, port: `vm-${suffix}` }, { netns: clientNs, address: CLIENT_ADDRESS, port: `cl-${suffix}` }], SERVICE.prefix, created);
    // The service address, as IPaddr2 adds it on the Promoted VM.
    await runChecked("ip", ["-n", vmNs, "addr", "add", `${SERVICE.address}/${SERVICE.prefix}`, "dev", "eth0"]);

    requestsFile = path.join(dir, "requests.jsonl");
    logFile = path.join(dir, "haproxy-syslog.log");
    const standIn = path.join(dir, "minio-stand-in.js");
    fs.writeFileSync(standIn, STAND_IN);
    start(vmNs, [process.execPath, standIn, cert.certFile, cert.keyFile, String(SERVICE.backend.port), requestsFile, logFile, String(LOG_PORT)], "stand-in");
    await waitForPort(vmNs, SERVICE.backend.address, SERVICE.backend.port);
    // The unit's ExecStart= (render-s3-haproxy-unit.ts), in the VM's namespace.
    start(vmNs, [haproxy, "-Ws", "-f", cfgFile, "-p", path.join(dir, "haproxy.pid")], "haproxy");
    start(vmNs, [haproxy, "-Ws", "-f", mutantFile, "-p", path.join(dir, "mutant.pid")], "haproxy-mutant");
    await waitForPort(clientNs, SERVICE.address, SERVICE.port);
    await waitForPort(clientNs, SERVICE.address, MUTANT_PORT);
  }, 120_000);

  afterAll(async () => {
    for (const child of children) if (child.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
    await sleep(300);
    for (const child of children) if (child.pid !== undefined && child.exitCode === null) child.kill("SIGKILL");
    for (const ns of created.reverse()) await run("ip", ["netns", "delete", ns]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the stand-in itself offers what MinIO's build does: TLS_AES_128_GCM_SHA256 and ECDHE-ECDSA-AES128-GCM-SHA256 (so the checks below can fail)", async () => {
    const at = `${SERVICE.backend.address}:${SERVICE.backend.port}`;
    const tls13 = await sClient(["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"], at, vmNs);
    expect(tls13.stdout, tls13.stderr).toMatch(/Cipher is TLS_AES_128_GCM_SHA256\b/);
    const tls12 = await sClient(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"], at, vmNs);
    expect(tls12.stdout, tls12.stderr).toMatch(/Cipher is ECDHE-ECDSA-AES128-GCM-SHA256\b/);
  });

  it("MinIO's port is reachable on the VM's loopback only: from the client, nothing listens there on the service address", async () => {
    const r = await inNs(clientNs, ["bash", "-c", `exec 3<>/dev/tcp/${SERVICE.address}/${SERVICE.backend.port}`], { timeoutMs: 5_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Connection refused/);
  });

  it("sslscan of the service address: exactly the policy's suites, TLS 1.2 and 1.3 only, on the ECDSA P-384 key", async () => {
    const r = await inNs(clientNs, [sslscan, "--no-colour", "--xml=-", "--no-heartbleed", "--no-renegotiation", "--no-compression", "--no-fallback", `${SERVICE.address}:${SERVICE.port}`], { timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const accepted = [...r.stdout.matchAll(/<cipher status="(?:accepted|preferred)" sslversion="([^"]+)"[^>]*cipher="([^"]+)"/g)].map((m) => ({ version: m[1], cipher: m[2] }));
    expect(accepted.filter((a) => a.version === "TLSv1.2").map((a) => a.cipher).sort()).toEqual([...POLICY.tls12Ciphers].sort());
    expect(accepted.filter((a) => a.version === "TLSv1.3").map((a) => a.cipher).sort()).toEqual([...POLICY.tls13Ciphersuites].sort());
    expect(new Set(accepted.map((a) => a.version))).toEqual(new Set(["TLSv1.2", "TLSv1.3"]));
    expect(r.stdout).toMatch(/<pk [^>]*type="EC"[^>]*curve_name="secp384r1"/);
  });

  it("openssl s_client: each of the policy's suites completes a verified handshake", async () => {
    for (const suite of POLICY.tls12Ciphers) {
      const r = await sClient(["-tls1_2", "-cipher", suite]);
      expect(r.stdout, `${suite}\n${r.stderr}`).toMatch(new RegExp(`Cipher is ${suite}\\b`));
      expect(r.stdout).toContain("Verify return code: 0 (ok)");
    }
    for (const suite of POLICY.tls13Ciphersuites) {
      const r = await sClient(["-tls1_3", "-ciphersuites", suite]);
      expect(r.stdout, `${suite}\n${r.stderr}`).toMatch(new RegExp(`Cipher is ${suite}\\b`));
    }
  });

  it("openssl s_client: TLS_AES_128_GCM_SHA256 and ECDHE-ECDSA-AES128-GCM-SHA256, which MinIO would take, are refused", async () => {
    const tls13 = await sClient(["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"]);
    expect(tls13.stdout + tls13.stderr).toMatch(/handshake failure/);
    expect(tls13.stdout).not.toMatch(/Cipher is TLS_AES_128_GCM_SHA256\b/);
    const tls12 = await sClient(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"]);
    expect(tls12.stdout + tls12.stderr).toMatch(/handshake failure/);
    expect(tls12.stdout).not.toMatch(/Cipher is ECDHE-ECDSA-AES128-GCM-SHA256\b/);
  });

  it("openssl s_client: TLS 1.0 and 1.1 are refused by HAProxy (the client allows them with @SECLEVEL=0)", async () => {
    for (const version of ["-tls1", "-tls1_1"]) {
      const r = await sClient([version, "-cipher", "DEFAULT:@SECLEVEL=0"]);
      expect(r.stdout + r.stderr, version).toMatch(/alert protocol version|unsupported protocol|wrong version number/);
      expect(r.stdout, version).toMatch(/Cipher is \(NONE\)|no peer certificate available/);
    }
  });

  it("a request goes through to the stand-in unchanged (Host and path), re-encrypted on the loopback with a policy suite, and HAProxy logs the client's address", async () => {
    const before = requests().length;
    const r = await get("/ibac-photos/a%20b.jpg?versionId=7");
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout) as { url: string; host: string; protocol: string; cipher: string };
    expect(seen).toMatchObject({ url: "/ibac-photos/a%20b.jpg?versionId=7", host: `${SERVICE.serverName}:${SERVICE.port}` });
    // HAProxy's own handshake with MinIO proposed the policy's suites only.
    expect(seen.protocol).toBe("TLSv1.3");
    expect(POLICY.tls13Ciphersuites).toContain(seen.cipher);
    expect(requests()).toHaveLength(before + 1);
    let log = "";
    for (let i = 0; i < 50 && !log.includes(`${CLIENT_ADDRESS}:`); i++) {
      await sleep(100);
      log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
    }
    expect(log).toMatch(new RegExp(`${CLIENT_ADDRESS.replace(/\./g, "\\.")}:\\d+ \\[[^\\]]+\\] s3~ minio/minio`));
  });

  // The storage VMs' own clients (storage-status's probe, the mc scripts: `--resolve s3.<domain>:9000=<service
  // address>`) connect from the VM that holds the address to that address: through HAProxy like anyone else.
  it("storage-status's MinIO probe, run on the VM holding the address, goes through HAProxy to MinIO's liveness endpoint", async () => {
    const probe = minioHealthCommand(storageInventoryFromPlan("prod", PLAN, "admin", caFile), caFile);
    expect(probe).toContain(`--resolve ${SERVICE.serverName}:${SERVICE.port}:${SERVICE.address}`);
    const r = await inNs(vmNs, ["bash", "-c", probe]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ url: "/minio/health/live", host: `${SERVICE.serverName}:${SERVICE.port}` });
  });

  it("mutant: the same file verifying MinIO against another name lets no request through (verify required holds)", async () => {
    const before = requests().length;
    // The client's TLS with HAProxy succeeds; HAProxy's own to MinIO fails verification, so it closes.
    const r = await get("/ibac-photos/x", MUTANT_PORT);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(requests()).toHaveLength(before);
  });
});
