import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { tlsPolicy } from "../pki/tls-policy";
import { stackSpec, STACKS } from "../../test/fixtures/specs";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { makeLabCa, makeServerCertificate } from "../../test/lab/tls";
import { renderS3HaproxyCfg } from "./render-s3-haproxy-cfg";
import type { ObjectServicePlan } from "./storage-plan";

// Test notes: `haproxy -c` is bookworm's HAProxy 2.6 (OpenSSL 3.0); trixie's 3.0 is not run here. The file's
// behaviour (what a client can negotiate, the request through to MinIO) is shown on a real HAProxy in a network
// namespace by test/integration/storage-s3-tls.test.ts.

function of(stack: string): { service: ObjectServicePlan; policy: ReturnType<typeof tlsPolicy> } {
  const spec = stackSpec(stack);
  const { model } = buildModel(spec);
  if (!model) throw new Error(`${stack} has no model`);
  return { service: model.objectStore.service, policy: tlsPolicy(spec) };
}

const PROD = of("prod");

describe("renderS3HaproxyCfg: the prod object store", () => {
  const text = renderS3HaproxyCfg(PROD.service, PROD.policy);
  const lines = text.split("\n").map((l) => l.trim());

  it("serves S3's TLS on the service address and port, with the service's certificate", () => {
    expect(lines).toContain("bind 10.20.2.12:9000 ssl crt /etc/haproxy/certs/ibac-s3.pem");
    expect(text.match(/^\s*bind /gm)).toHaveLength(1);
  });

  it("offers the policy's suites only, TLS 1.2 at least, no session tickets; proposes the same to MinIO", () => {
    expect(lines).toEqual(expect.arrayContaining([
      "ssl-default-bind-ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305",
      "ssl-default-bind-ciphersuites TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
      "ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
      "ssl-default-server-ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305",
      "ssl-default-server-ciphersuites TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
      "ssl-default-server-options ssl-min-ver TLSv1.2 no-tls-tickets",
    ]));
    expect(text).not.toMatch(/AES128|TLS_AES_128/);
  });

  it("passes the byte stream through (mode tcp), logging each connection with the client's address to the VM's syslog", () => {
    expect(lines).toEqual(expect.arrayContaining(["mode tcp", "option tcplog", "log /dev/log local0", "log global"]));
    expect(text).not.toMatch(/mode http|http-request|http-response/);
  });

  it("re-encrypts to MinIO on the loopback, verifying its certificate against the internal CA and the service's name", () => {
    expect(lines).toContain("server minio 127.0.0.1:9010 ssl verify required ca-file /etc/minio/certs/CAs/ibac-ca.pem verifyhost s3.ibac.rik.ee check inter 5s");
    expect(lines).toContain("http-check send meth GET uri /minio/health/live ver HTTP/1.1 hdr Host s3.ibac.rik.ee");
  });

  it("a stack that requires TLS 1.3 gets a TLS 1.3 floor on both sides", () => {
    const tls13 = renderS3HaproxyCfg(PROD.service, { ...PROD.policy, protocols: ["TLSv1.3"] });
    expect(tls13).toContain("ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets\n");
    expect(tls13).toContain("ssl-default-server-options ssl-min-ver TLSv1.3 no-tls-tickets\n");
  });
});

describe("renderS3HaproxyCfg: every value is checked", () => {
  const where = "renderS3HaproxyCfg";
  it.each<[string, Partial<ObjectServicePlan>, string]>([
    ["MinIO on the service address (its own TLS on the network again)", { backend: { address: "10.20.2.12", port: 9010 } }, `${where}: service.backend.address: expected a loopback address such as 127.0.0.1 (MinIO is reached through HAProxy only), found "10.20.2.12"`],
    ["a service address with a line break", { address: "10.20.2.12\n    bind 0.0.0.0:80" }, `${where}: service.address: expected an IPv4 address such as 10.20.2.12, found "10.20.2.12\\n    bind 0.0.0.0:80"`],
    ["a server name with a space", { serverName: "s3.example.org verify none" }, `${where}: service.serverName: expected a lower-case DNS name such as s3.example.org, found "s3.example.org verify none"`],
  ])("%s is refused", (_what, change, message) => {
    expect(() => renderS3HaproxyCfg({ ...PROD.service, ...change }, PROD.policy)).toThrow(new Error(message));
  });

  it("a suite that is an OpenSSL keyword list is refused", () => {
    expect(() => renderS3HaproxyCfg(PROD.service, { ...PROD.policy, tls12Ciphers: ["HIGH:!aNULL"] })).toThrow(new Error('haproxyTlsDefaults: tls12Ciphers: expected OpenSSL suite names such as ECDHE-ECDSA-AES256-GCM-SHA384, found "HIGH:!aNULL"'));
  });

  it("a log target with a line break is refused", () => {
    expect(() => renderS3HaproxyCfg(PROD.service, PROD.policy, { log: { target: "/dev/log\nfrontend x" } })).toThrow(new Error(`${where}: log.target: expected a socket path or address:port, found "/dev/log\\nfrontend x"`));
  });

  it("a certificate path with a space is refused", () => {
    expect(() => renderS3HaproxyCfg(PROD.service, PROD.policy, { certFile: "/etc/haproxy/a b.pem" })).toThrow(new Error(`${where}: certFile: expected an absolute path of letters, digits, '.', '_' and '-' (no '.' or '..' segments), found "/etc/haproxy/a b.pem"`));
  });
});

describe("renderS3HaproxyCfg, read by the real haproxy -c (HAProxy 2.6)", () => {
  let haproxy: string;
  let dir: string;
  let files: { certFile: string; caFile: string };
  let count = 0;

  beforeAll(async () => {
    haproxy = requireTool("haproxy", "haproxy");
    const openssl = requireTool("openssl", "openssl");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-s3-haproxy-"));
    const ca = await makeLabCa(path.join(dir, "ca"), openssl);
    const cert = { commonName: "s3.ibac.rik.ee", dnsNames: ["s3.ibac.rik.ee"], ipAddresses: [PROD.service.address], certFile: path.join(dir, "cert.pem"), keyFile: path.join(dir, "key.pem") };
    await makeServerCertificate(ca, cert, openssl);
    // The PEM as the component delivers it: the certificate, then its key.
    const pem = path.join(dir, "ibac-s3.pem");
    fs.writeFileSync(pem, `${fs.readFileSync(cert.certFile, "utf8").trimEnd()}\n${fs.readFileSync(cert.keyFile, "utf8").trimEnd()}\n`, { mode: 0o600 });
    files = { certFile: pem, caFile: ca.cert };
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function check(text: string): ReturnType<typeof runTool> {
    const file = path.join(dir, `haproxy-${count++}.cfg`);
    fs.writeFileSync(file, text);
    return runTool(haproxy, ["-c", "-f", file]);
  }

  for (const stack of STACKS) {
    it(`${stack}: the rendered file is valid, with no warning`, () => {
      const { service, policy } = of(stack);
      const result = check(renderS3HaproxyCfg(service, policy, files));
      expect(result.status, describeRun(result)).toBe(0);
      expect(result.stdout + result.stderr).toBe("Configuration file is valid\n");
    });
  }

  it.each<[string, (t: string) => string, RegExp]>([
    ["a TLS 1.3 suite list with no suite OpenSSL knows", (t) => t.replace("ssl-default-bind-ciphersuites TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256", "ssl-default-bind-ciphersuites TLS_AES_257_GCM_SHA384"), /unable to set TLS 1.3 cipher suites to .TLS_AES_257_GCM_SHA384. for bind .10.20.2.12:9000./],
    ["a certificate file that is not there", (t) => t.replace(files.certFile, `${files.certFile}.missing`), /unable to stat SSL certificate|No such file/],
    ["a TLS floor HAProxy does not know", (t) => t.replace("ssl-min-ver TLSv1.2 no-tls-tickets", "ssl-min-ver TLSv1.9 no-tls-tickets"), /unknown ssl\/tls version/],
  ])("mutant: %s is refused", (_what, mutate, reason) => {
    const text = mutate(renderS3HaproxyCfg(PROD.service, PROD.policy, files));
    expect(text).not.toBe(renderS3HaproxyCfg(PROD.service, PROD.policy, files));
    const result = check(text);
    expect(result.status, describeRun(result)).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(reason);
  });

  // OpenSSL drops the names it does not know from a suite list as long as one it knows is left, and HAProxy 2.6
  // accepts the result: `haproxy -c` cannot catch a misspelt suite next to a good one. So the renderer takes its
  // names from the policy only (tlsPolicy checks them against the allowed ones), and the namespace test shows
  // what a client can actually negotiate.
  it("quirk: a misspelt TLS 1.3 suite next to a known one passes haproxy -c", () => {
    const text = renderS3HaproxyCfg(PROD.service, PROD.policy, files).replace("TLS_AES_256_GCM_SHA384:TLS_CHACHA20", "TLS_AES_257_GCM_SHA384:TLS_CHACHA20");
    const result = check(text);
    expect(result.status, describeRun(result)).toBe(0);
  });
});
