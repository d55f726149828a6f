import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tlsPolicy } from "../../components/pki/tls-policy";
import { stackSpec } from "../fixtures/specs";
import { requireTool } from "../support/require-tool";
import { startLbLab, type ClientResult, type LbLab } from "../lab/loadbalancer/lb-lab";
import { answeredBy } from "../lab/loadbalancer/measure";
import { sleep, type RunResult } from "../lab/run";
import { makeLabCa } from "../lab/tls";

// Proof: real HAProxy 2.6 and keepalived 2.2.7 (Debian 12) from the files the toolkit renders for the lab
// stack's lb-1 and lb-2, in network namespaces on one bridge with the model's addresses; a stand-in HTTPS
// service on api-1 and api-2; the client, openssl s_client 3.0 and sslscan 2.0.7 in a client namespace on the
// service subnet. Unproven here: real VMs and Proxmox networking; trixie's HAProxy 3.0 (its TLS defaults
// differ); clients of the app (Android/iOS TLS stacks) — only OpenSSL and Node's TLS were the clients.

const spec = stackSpec("lab");
const policy = tlsPolicy(spec);
let lab: LbLab;
let openssl = "";
let sslscan = "";
let checkHttp = "";

beforeAll(async () => {
  openssl = requireTool("openssl", "openssl");
  sslscan = requireTool("sslscan", "sslscan");
  checkHttp = requireTool("/usr/lib/nagios/plugins/check_http", "monitoring-plugins-basic");
  lab = await startLbLab({ spec });
});

afterAll(async () => {
  await lab?.stop();
});

async function clientFor(ms: number, options: Parameters<LbLab["startClient"]>[0] = {}): Promise<ClientResult[]> {
  const client = await lab.startClient({ workers: 2, ...options });
  await sleep(ms);
  return client.stop();
}

function sClient(args: readonly string[]): Promise<RunResult> {
  return lab.runInClient([openssl, "s_client", "-connect", `${lab.apiAddress}:${lab.apiPort}`, "-servername", lab.publicName, "-CAfile", lab.ca.cert, "-verify_return_error", "-verify_hostname", lab.publicName, ...args], "Q\n");
}

const said = (r: RunResult): string => `exit ${r.code}\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`;

describe("API address over TLS: real HAProxy and keepalived from the rendered files, in network namespaces", () => {
  it("requests through the API's virtual address succeed over TLS, the lab CA verified and the public name checked; both API instances answer", async () => {
    const results = await clientFor(1500);
    const failed = results.filter((r) => !r.ok);
    expect(results.length).toBeGreaterThan(10);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(Object.keys(answeredBy(results)).sort()).toEqual(lab.apis.map((a) => a.name).sort());
  });

  it("a client that trusts another CA refuses the front certificate (every request fails verification)", async () => {
    const other = await makeLabCa(path.join(lab.root, "other-ca"), openssl);
    const results = await clientFor(500, { caFile: other.cert });
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.ok)).toEqual([]);
    expect([...new Set(results.map((r) => r.detail))]).toEqual(["UNABLE_TO_VERIFY_LEAF_SIGNATURE"]);
  });

  it("a client that expects another name refuses the front certificate (the public name is checked)", async () => {
    const results = await clientFor(500, { servername: "api.example.org" });
    expect(results.filter((r) => r.ok)).toEqual([]);
    expect([...new Set(results.map((r) => r.detail))]).toEqual(["ERR_TLS_CERT_ALTNAME_INVALID"]);
  });

  it("openssl s_client: TLS 1.2 with the policy's first suite is accepted and verified (the control for the refusals below)", async () => {
    const r = await sClient(["-tls1_2", "-cipher", policy.tls12Ciphers[0]]);
    expect(r.code, said(r)).toBe(0);
    expect(r.stdout).toContain(`Cipher is ${policy.tls12Ciphers[0]}`);
    expect(r.stdout).toContain("Verify return code: 0 (ok)");
  });

  it.each([["-tls1"], ["-tls1_1"]])("openssl s_client %s (with @SECLEVEL=0, which OpenSSL 3 needs to offer it at all): the server refuses the protocol", async (flag) => {
    const r = await sClient([flag, "-cipher", "DEFAULT:@SECLEVEL=0"]);
    expect(r.code, said(r)).not.toBe(0);
    expect(r.stderr, said(r)).toMatch(/alert protocol version/);
  });

  it.each([["AES128-GCM-SHA256"], ["ECDHE-ECDSA-AES128-GCM-SHA256"], ["ECDHE-ECDSA-AES128-SHA"], ["ECDHE-ECDSA-AES256-SHA384"]])("openssl s_client -tls1_2 -cipher %s (a suite outside the policy): the handshake fails", async (suite) => {
    const r = await sClient(["-tls1_2", "-cipher", suite]);
    expect(r.code, said(r)).not.toBe(0);
    expect(r.stderr, said(r)).toMatch(/alert handshake failure/);
  });

  it("openssl s_client -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 (outside the policy): the handshake fails", async () => {
    const r = await sClient(["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"]);
    expect(r.code, said(r)).not.toBe(0);
    expect(r.stderr, said(r)).toMatch(/alert handshake failure/);
  });

  it("sslscan --xml: TLS 1.2 and 1.3 only, and exactly the policy's suites accepted (components/pki/tls-policy.ts)", async () => {
    const r = await lab.runInClient([sslscan, "--xml=-", "--no-colour", `--sni-name=${lab.publicName}`, `${lab.apiAddress}:${lab.apiPort}`]);
    expect(r.code, said(r)).toBe(0);
    const enabled = [...r.stdout.matchAll(/<protocol type="(\w+)" version="([\d.]+)" enabled="1"/g)].map((m) => `${m[1]}${m[2]}`);
    expect(enabled).toEqual(["tls1.2", "tls1.3"]);
    const accepted = (version: string): string[] =>
      [...r.stdout.matchAll(/<cipher status="(?:accepted|preferred)" sslversion="(TLSv[\d.]+)"[^>]* cipher="([\w-]+)"/g)].filter((m) => m[1] === version).map((m) => m[2]).sort();
    expect(accepted("TLSv1.2")).toEqual([...policy.tls12Ciphers].sort());
    expect(accepted("TLSv1.3")).toEqual([...policy.tls13Ciphersuites].sort());
    expect(r.stdout).toMatch(/<renegotiation supported="0"/);
  });

  it("no session tickets: a TLS 1.2 handshake gets no NewSessionTicket (s_client prints no ticket)", async () => {
    const r = await sClient(["-tls1_2"]);
    expect(r.code, said(r)).toBe(0);
    expect(r.stdout).toContain("Protocol  : TLSv1.2");
    expect(r.stdout).not.toMatch(/TLS session ticket/);
  });

  it("monitoring-plugins' check_http through the API address (SNI = the public name, TLS 1.2+): the API's health path answers 200 OK", async () => {
    const r = await lab.runInClient([checkHttp, "-I", lab.apiAddress, "-H", lab.publicName, "-p", String(lab.apiPort), "--ssl=1.2+", "--sni", "-u", spec.api.healthPath, "-e", "HTTP/1.1 200", "-t", "10"]);
    expect(r.code, said(r)).toBe(0);
    expect(r.stdout).toMatch(/^HTTP OK: Status line output matched "HTTP\/1\.1 200"/);
    const missing = await lab.runInClient([checkHttp, "-I", lab.apiAddress, "-H", lab.publicName, "-p", String(lab.apiPort), "--ssl=1.2+", "--sni", "-u", "/no-such-path", "-e", "HTTP/1.1 200", "-t", "10"]);
    expect(missing.code, said(missing)).toBe(2);
  });
});
