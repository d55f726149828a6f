import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { tlsPolicy } from "../pki/tls-policy";
import { stackSpec, STACKS } from "../../test/fixtures/specs";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import { makeLabCa, makeServerCertificate, signLabCrl } from "../../test/lab/tls";
import { PRODUCTION_HAPROXY_PATHS, type HaproxyPaths } from "./haproxy-paths";
import { planLoadBalancer, type LoadBalancerPlan } from "./lb-plan";
import { renderHaproxyCfg } from "./render-haproxy-cfg";

// Proof: HAProxy 2.6 (Debian 12) parses each file with its certificate, CA and CRL files in place (`haproxy -c`).
// Unproven here: trixie's HAProxy 3.0; the behaviour on the wire (the load-balancer lab proves that).

function planOf(stack: string): { plan: LoadBalancerPlan; spec: ReturnType<typeof stackSpec> } {
  const spec = stackSpec(stack);
  const { model } = buildModel(spec);
  if (!model) throw new Error(`${stack}: no model`);
  return { plan: planLoadBalancer(model, spec), spec };
}

let dir = "";
let paths: HaproxyPaths;
let haproxy = "";

beforeAll(async () => {
  haproxy = requireTool("haproxy", "haproxy");
  const openssl = requireTool("openssl", "openssl");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-haproxy-"));
  const ca = await makeLabCa(path.join(dir, "ca"), openssl);
  const cert = { commonName: "api.ibac.rik.ee", dnsNames: ["api.ibac.rik.ee"], ipAddresses: ["10.20.2.10"], certFile: path.join(dir, "front-cert.pem"), keyFile: path.join(dir, "front-key.pem") };
  await makeServerCertificate(ca, cert, openssl);
  paths = {
    configFile: path.join(dir, "haproxy.cfg"),
    frontPem: path.join(dir, "front.pem"),
    caFile: ca.cert,
    crlFile: path.join(dir, "crl.pem"),
    statsSocket: path.join(dir, "stats.sock"),
    log: { target: "127.0.0.1:5514" },
  };
  fs.writeFileSync(paths.frontPem, fs.readFileSync(cert.certFile, "utf8") + fs.readFileSync(cert.keyFile, "utf8"), { mode: 0o600 });
  await signLabCrl(ca, [], paths.crlFile);
}, 60_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function check(text: string, name: string): ToolResult {
  const file = path.join(dir, `${name}.cfg`);
  fs.writeFileSync(file, text);
  return runTool(haproxy, ["-c", "-f", file], { timeout: 20_000 });
}

function expectValid(result: ToolResult): void {
  expect(result.status, describeRun(result)).toBe(0);
  // A warning is a setting HAProxy ignores or doubts: a clean file has none.
  expect(`${result.stdout}${result.stderr}`, describeRun(result)).not.toMatch(/WARNING|ALERT/);
}

describe("renderHaproxyCfg, checked by haproxy -c", () => {
  it.each(STACKS)("the %s stack's file is valid", (stack) => {
    const { plan, spec } = planOf(stack);
    expectValid(check(renderHaproxyCfg(plan, tlsPolicy(spec), paths), stack));
  });

  it("with the production paths (chroot, /dev/log) and a TLS 1.3 minimum, it is valid once the files exist", () => {
    const { plan, spec } = planOf("prod");
    spec.tls.minVersion = "1.3";
    const text = renderHaproxyCfg(plan, tlsPolicy(spec), { ...PRODUCTION_HAPROXY_PATHS, frontPem: paths.frontPem, caFile: paths.caFile, crlFile: paths.crlFile });
    expect(text).toContain("ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets");
    expectValid(check(text, "prod-paths"));
  });

  it("a mutant without the CA file fails (verify required needs it)", () => {
    const { plan, spec } = planOf("prod");
    const result = check(renderHaproxyCfg(plan, tlsPolicy(spec), { ...paths, caFile: path.join(dir, "missing-ca.pem") }), "no-ca");
    expect(result.status, describeRun(result)).not.toBe(0);
    expect(result.stderr).toContain("missing-ca.pem");
  });

  it("a mutant with a misspelt server keyword fails", () => {
    const { plan, spec } = planOf("prod");
    const result = check(renderHaproxyCfg(plan, tlsPolicy(spec), paths).replaceAll(" verifyhost api", " verify-host api"), "typo");
    expect(result.status, describeRun(result)).not.toBe(0);
  });
});

/** The lines of one section (`backend api`), trimmed, without comments. */
function section(text: string, header: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(header);
  if (start < 0) throw new Error(`no "${header}" section`);
  const end = lines.findIndex((l, i) => i > start && l !== "" && !l.startsWith(" "));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

describe("renderHaproxyCfg: the prod file's invariants", () => {
  const { plan, spec } = planOf("prod");
  const text = renderHaproxyCfg(plan, tlsPolicy(spec), PRODUCTION_HAPROXY_PATHS);
  const policy = tlsPolicy(spec);

  it("terminates TLS on the API's address:443 with the front certificate, h2 and http/1.1", () => {
    expect(section(text, "frontend api_https")).toContain("bind 10.20.2.10:443 ssl crt /etc/haproxy/tls/front.pem alpn h2,http/1.1");
  });

  it.each(["bind", "server"])("gives the %s side the policy's suites, TLS 1.2 as the minimum and no tickets", (side) => {
    const global = section(text, "global");
    expect(global).toContain(`ssl-default-${side}-ciphers ${policy.tls12Ciphers.join(":")}`);
    expect(global).toContain(`ssl-default-${side}-ciphersuites ${policy.tls13Ciphersuites.join(":")}`);
    expect(global).toContain(`ssl-default-${side}-options ssl-min-ver TLSv1.2 no-tls-tickets`);
  });

  it("checks every API instance over TLS on the health path, verified against the CA, the CRL and its fqdn", () => {
    const backend = section(text, "backend api");
    expect(backend).toContain("option httpchk");
    expect(backend).toContain("http-check send meth GET uri /healthz");
    expect(backend).toContain("http-check expect status 200");
    expect(backend).toContain("default-server check inter 500 fastinter 250 downinter 500 fall 3 rise 2 ssl verify required ca-file /etc/haproxy/tls/ca.pem crl-file /etc/haproxy/tls/crl.pem");
    const servers = backend.filter((l) => l.startsWith("server "));
    expect(servers).toEqual(plan.backends.map((b) => `server ${b.name} ${b.address}:8443 sni str(${b.fqdn}) verifyhost ${b.fqdn} check-sni ${b.fqdn}`));
    expect(servers.length).toBe(spec.api.count);
  });

  it("never turns verification or checks off, and offers no TLS below 1.2", () => {
    expect(text).not.toMatch(/verify none|no-check|force-tlsv1[01]|ssl-min-ver TLSv1\.[01]|sslv3/i);
  });

  it("retries on another instance, L7 retries only for safe methods", () => {
    const defaults = section(text, "defaults");
    expect(defaults).toEqual(expect.arrayContaining(["retries 3", "option redispatch 1", "retry-on conn-failure empty-response response-timeout 503"]));
    expect(section(text, "frontend api_https")).toContain("http-request disable-l7-retry unless { method GET HEAD OPTIONS }");
  });

  it("logs to the logging seam and opens a read-only stats socket", () => {
    const global = section(text, "global");
    expect(global).toContain("log /dev/log local0");
    expect(global).toContain("stats socket /run/haproxy/stats.sock mode 660 level user");
    expect(global).toContain("chroot /var/lib/haproxy");
  });
});

describe("renderHaproxyCfg: refused", () => {
  const { plan, spec } = planOf("prod");
  it.each<[string, LoadBalancerPlan, HaproxyPaths, string]>([
    ["a CA path with a space", plan, { ...PRODUCTION_HAPROXY_PATHS, caFile: "/etc/ca file.pem" }, 'haproxy paths.caFile: expected an absolute path of letters, digits and ._/+-, found "/etc/ca file.pem"'],
    ["a log target with a line break", plan, { ...PRODUCTION_HAPROXY_PATHS, log: { target: "/dev/log\nlisten x" } }, 'haproxy paths.log.target: expected a socket path or address:port, found "/dev/log\nlisten x"'],
    ["a health path with a space", { ...plan, healthCheck: { ...plan.healthCheck, path: "/health z" } }, PRODUCTION_HAPROXY_PATHS, 'health path: expected a path of letters, digits and ._~/-, found "/health z"'],
  ])("%s", (_what, p, ps, message) => {
    expect(() => renderHaproxyCfg(p, tlsPolicy(spec), ps)).toThrow(message);
  });
});
