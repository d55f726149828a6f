import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/fixtures/specs";
import { tls12SuitesForKey, tlsPolicy, tlsPolicyProblems } from "./tls-policy";

describe("tlsPolicy", () => {
  it("prod: TLS 1.2 and 1.3 only, AEAD suites with ECDHE, peers always verified, PFS proposals for IPsec", () => {
    const policy = tlsPolicy(stackSpec("prod"));
    expect(policy.protocols).toEqual(["TLSv1.2", "TLSv1.3"]);
    expect(policy.tls12Ciphers.every((c) => c.startsWith("ECDHE-"))).toBe(true);
    expect(policy.verifyPeer).toBe(true);
    expect(policy.ipsec).toEqual({ ike: "aes256gcm16-prfsha384-ecp384", esp: "aes256gcm16-ecp384" });
  });

  it("prod: the seed's ECDHE-RSA suites become their ECDSA equivalents, because every server key is ECDSA P-384", () => {
    const spec = stackSpec("prod");
    expect(spec.tls.ciphers.some((c) => c.startsWith("ECDHE-RSA-"))).toBe(true);
    const policy = tlsPolicy(spec);
    expect(policy.serverKey).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P384" });
    expect(policy.tls12Ciphers).toEqual(["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"]);
  });

  it("maps suites to a key's authentication, keeping order and dropping duplicates", () => {
    expect(tls12SuitesForKey(["ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"], "ECDSA"))
      .toEqual(["ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES256-GCM-SHA384"]);
    expect(tls12SuitesForKey(["ECDHE-ECDSA-AES256-GCM-SHA384"], "RSA")).toEqual(["ECDHE-RSA-AES256-GCM-SHA384"]);
  });

  it("a minimum of 1.3 drops TLS 1.2", () => {
    const spec = stackSpec("prod");
    spec.tls.minVersion = "1.3";
    expect(tlsPolicy(spec).protocols).toEqual(["TLSv1.3"]);
  });

  it("rejects TLS 1.1, a CBC suite and a 128-bit TLS 1.3 suite, naming each field", () => {
    const spec = stackSpec("prod");
    spec.tls.minVersion = "1.1";
    spec.tls.ciphers[1] = "ECDHE-RSA-AES128-SHA";
    spec.tls.ciphersuites[0] = "TLS_AES_128_GCM_SHA256";
    expect(tlsPolicyProblems(spec)).toEqual([
      { path: ["tls", "minVersion"], detail: 'expected "1.2" or "1.3" (TLS 1.0 and 1.1 are not allowed), found "1.1"' },
      { path: ["tls", "ciphers", 1], detail: 'expected an ECDHE suite with AES256-GCM-SHA384 or CHACHA20-POLY1305, found "ECDHE-RSA-AES128-SHA"' },
      { path: ["tls", "ciphersuites", 0], detail: 'expected one of TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, found "TLS_AES_128_GCM_SHA256"' },
    ]);
    expect(() => tlsPolicy(spec)).toThrow("tls: tls.minVersion");
  });
});
