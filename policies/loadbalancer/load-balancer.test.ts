import { describe, expect, it } from "vitest";
import { editDeliveredFile, findingsOf, stackResources } from "../../test/fixtures/policy-fixture";
import { apiBehindLoadBalancerPolicy } from "./api-behind-load-balancer";
import { tlsProtocolVersionsPolicy } from "../tls/tls-protocol-versions";
import { tlsCipherSuitesPolicy } from "../tls/tls-cipher-suites";
import { tlsPeerVerificationPolicy } from "../tls/tls-peer-verification";
import { LB_PATHS } from "../../components/loadbalancer/paths";

const HAPROXY = LB_PATHS.stagedHaproxyCfg;
const KEEPALIVED = LB_PATHS.stagedKeepalivedConf;

describe("load-balancer policies on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("api-behind-load-balancer: prod passes, judged from each LB's haproxy.cfg and keepalived.conf", async () => {
    expect(await findingsOf(apiBehindLoadBalancerPolicy(), await stackResources("prod"))).toEqual([]);
  });

  it("api-behind-load-balancer: a backend server without a health check fails, naming it", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "lb-1", HAPROXY, (t) => t.replace(/^(\s*default-server) check /m, "$1 "));
    expect(await findingsOf(apiBehindLoadBalancerPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "health check of api-1 behind lb-1", observed: "server api-1 10.20.2.88:8443 without check", location: `${HAPROXY}: backend api server api-1` }),
      expect.objectContaining({ subject: "health check of api-2 behind lb-1", observed: "server api-2 10.20.2.89:8443 without check" }),
    ]);
  });

  it("api-behind-load-balancer: a TCP-only check (no HTTP health path) fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "lb-2", HAPROXY, (t) => t.replace(/^\s*option httpchk\n\s*http-check send .*\n/m, ""));
    expect(await findingsOf(apiBehindLoadBalancerPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "health check of the API behind lb-2", observed: expect.stringContaining("no HTTP check"), expected: "option httpchk with http-check send meth GET uri /healthz (the API's health path)" }),
    ]);
  });

  it("api-behind-load-balancer: a single keepalived peer (its peer removed) fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "lb-1", KEEPALIVED, (t) => t.replace(/unicast_peer \{[^}]*\}/, "unicast_peer {\n    }"));
    expect(await findingsOf(apiBehindLoadBalancerPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "keepalived peers of lb-1", observed: "no unicast_peer", expected: expect.stringContaining("lb-2 10.20.2.113") }),
    ]);
  });

  it("api-behind-load-balancer: no retries, redispatch or retry-on fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "lb-1", HAPROXY, (t) => t.replace(/^\s*retries 3\n/m, "").replace(/^\s*option redispatch 1\n/m, "").replace(/^\s*retry-on .*\n/m, ""));
    expect(await findingsOf(apiBehindLoadBalancerPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "requests to a failing API instance behind lb-1", observed: "no retries, no option redispatch, no retry-on in backend api or defaults" }),
    ]);
  });

  it("api-behind-load-balancer: a front end without TLS fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "lb-2", HAPROXY, (t) => t.replace(" ssl crt /etc/haproxy/tls/front.pem", ""));
    expect(await findingsOf(apiBehindLoadBalancerPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "the API's front end on lb-2", observed: "bind 10.20.2.10:443 alpn h2,http/1.1" }),
    ]);
  });

  it("tls-protocol-versions: TLS 1.1 allowed in haproxy.cfg fails, for the front end and the backends", async () => {
    expect(await findingsOf(tlsProtocolVersionsPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "lb-1", HAPROXY, (t) => t.replaceAll("ssl-min-ver TLSv1.2", "ssl-min-ver TLSv1.1"));
    const findings = await findingsOf(tlsProtocolVersionsPolicy(), resources);
    expect(findings.map((f) => [f.subject, f.observed])).toEqual([
      ["TLS protocols of lb-1's HAProxy front end (bind 10.20.2.10:443)", "ssl-min-ver TLSv1.1"],
      ["TLS protocols of lb-1's HAProxy connection to a backend (server api-1 10.20.2.88:8443)", "ssl-min-ver TLSv1.1"],
      ["TLS protocols of lb-1's HAProxy connection to a backend (server api-2 10.20.2.89:8443)", "ssl-min-ver TLSv1.1"],
    ]);
  });

  it("tls-cipher-suites: an AES-128 suite in HAProxy's bind defaults fails; unset defaults fail too", async () => {
    expect(await findingsOf(tlsCipherSuitesPolicy(), await stackResources("prod"))).toEqual([]);
    const weak = editDeliveredFile(await stackResources("prod"), "lb-2", HAPROXY, (t) => t.replace("ssl-default-bind-ciphers ", "ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:"));
    expect(await findingsOf(tlsCipherSuitesPolicy(), weak)).toEqual([
      expect.objectContaining({ subject: "TLS cipher suites of lb-2's HAProxy front end (bind 10.20.2.10:443)", observed: "ECDHE-ECDSA-AES128-GCM-SHA256 offered" }),
    ]);
    const unset = editDeliveredFile(await stackResources("prod"), "lb-2", HAPROXY, (t) => t.replace(/^\s*ssl-default-bind-ciphersuites .*\n/m, ""));
    expect(await findingsOf(tlsCipherSuitesPolicy(), unset)).toEqual([
      expect.objectContaining({ observed: "ssl-default-bind-ciphersuites not set (OpenSSL's default suites, AES-128 among them)" }),
    ]);
  });

  it("tls-peer-verification: `verify none` to a backend fails, naming the server", async () => {
    expect(await findingsOf(tlsPeerVerificationPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "lb-1", HAPROXY, (t) => t.replace(/^(\s*server api-2 .*)$/m, "$1 verify none"));
    expect(await findingsOf(tlsPeerVerificationPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "certificate verification by lb-1's HAProxy (server api-2 10.20.2.89:8443)", observed: "verify none" }),
    ]);
  });
});

describe("TLS policies on the object store's S3 front (offline plan under pulumi.runtime.setMocks, not a deployment)", () => {
  const S3_HAPROXY = "/etc/haproxy/ibac-s3.cfg";

  it("tls-cipher-suites and tls-protocol-versions read the storage VMs' HAProxy too: AES-128 and a TLS 1.0 floor fail", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "s3-2", S3_HAPROXY, (t) => t.replace("ssl-default-bind-ciphersuites ", "ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:").replace(/ssl-default-bind-options ssl-min-ver TLSv1\.2/, "ssl-default-bind-options ssl-min-ver TLSv1.0"));
    expect(await findingsOf(tlsCipherSuitesPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "TLS cipher suites of s3-2's HAProxy front end (bind 10.20.2.12:9000)", observed: "TLS_AES_128_GCM_SHA256 offered", location: expect.stringContaining(S3_HAPROXY) }),
    ]);
    expect(await findingsOf(tlsProtocolVersionsPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "TLS protocols of s3-2's HAProxy front end (bind 10.20.2.12:9000)", observed: "ssl-min-ver TLSv1.0" }),
    ]);
  });
});
