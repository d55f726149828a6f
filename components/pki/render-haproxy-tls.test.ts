import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/fixtures/specs";
import { haproxyTlsDefaults } from "./render-haproxy-tls";
import { tlsPolicy } from "./tls-policy";

// What HAProxy makes of these lines is shown by `haproxy -c` and on a live HAProxy in the renderers' own tests
// (components/storage/render-s3-haproxy-cfg.test.ts, test/integration/storage-s3-tls.test.ts).

describe("haproxyTlsDefaults", () => {
  const policy = tlsPolicy(stackSpec("prod"));

  it("the prod policy: its suites by name on both sides, TLS 1.2 at least, no session tickets", () => {
    expect(haproxyTlsDefaults(policy)).toEqual([
      "    ssl-default-bind-ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305",
      "    ssl-default-bind-ciphersuites TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
      "    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
      "    ssl-default-server-ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305",
      "    ssl-default-server-ciphersuites TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
      "    ssl-default-server-options ssl-min-ver TLSv1.2 no-tls-tickets",
    ]);
  });

  it("a TLS 1.3-only policy sets a TLS 1.3 floor", () => {
    const lines = haproxyTlsDefaults({ ...policy, protocols: ["TLSv1.3"] });
    expect(lines).toContain("    ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets");
    expect(lines).toContain("    ssl-default-server-options ssl-min-ver TLSv1.3 no-tls-tickets");
  });

  it.each<[string, Parameters<typeof haproxyTlsDefaults>[0], string]>([
    ["an OpenSSL keyword list", { ...policy, tls12Ciphers: ["HIGH:!aNULL"] }, 'haproxyTlsDefaults: tls12Ciphers: expected OpenSSL suite names such as ECDHE-ECDSA-AES256-GCM-SHA384, found "HIGH:!aNULL"'],
    ["a suite with a line break", { ...policy, tls13Ciphersuites: ["TLS_AES_256_GCM_SHA384\n    bind :80"] }, 'haproxyTlsDefaults: tls13Ciphersuites: expected OpenSSL suite names such as ECDHE-ECDSA-AES256-GCM-SHA384, found "TLS_AES_256_GCM_SHA384\\n    bind :80"'],
    ["no TLS 1.3 suite", { ...policy, tls13Ciphersuites: [] }, "haproxyTlsDefaults: tls13Ciphersuites: expected at least one suite, found none"],
    ["TLS 1.1 as the floor", { ...policy, protocols: ["TLSv1.1" as "TLSv1.2"] }, 'haproxyTlsDefaults: protocols: expected TLSv1.2 or TLSv1.3 first, found "TLSv1.1"'],
  ])("refuses %s", (_what, bad, message) => {
    expect(() => haproxyTlsDefaults(bad)).toThrow(new Error(message));
  });
});
