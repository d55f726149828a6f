import { describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { tlsPolicy } from "../pki/tls-policy";
import { stackSpec } from "../../test/fixtures/specs";
import { renderS3HaproxyCfg } from "./render-s3-haproxy-cfg";
import { haproxyFacts } from "./s3-haproxy-facts";

const spec = stackSpec("prod");
const { model } = buildModel(spec);
if (!model) throw new Error("prod has no model");
const text = renderS3HaproxyCfg(model.objectStore.service, tlsPolicy(spec));

describe("haproxyFacts: what a policy reads from the rendered S3 HAProxy config", () => {
  it("the bind on the service address with the global defaults' suites and floor, the loopback server verified", () => {
    expect(haproxyFacts(text)).toEqual({
      frontends: [{
        name: "s3", defaultBackend: "minio",
        binds: [{ address: "10.20.2.12", port: 9000, ssl: true, crt: "/etc/haproxy/certs/ibac-s3.pem", tls12: ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"], tls13: ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"], minVersion: "TLSv1.2" }],
      }],
      backends: [{ name: "minio", servers: [{ name: "minio", address: "127.0.0.1", port: 9010, ssl: true, verify: "required", caFile: "/etc/minio/certs/CAs/ibac-ca.pem", verifyhost: "s3.ibac.rik.ee" }] }],
    });
  });

  it("a bind's own ciphers and ssl-min-ver win over the defaults", () => {
    const bind = haproxyFacts(text.replace("ssl crt /etc/haproxy/certs/ibac-s3.pem", "ssl crt /x.pem ciphers AES128-SHA ssl-min-ver TLSv1.0")).frontends[0].binds[0];
    expect([bind.tls12, bind.minVersion]).toEqual([["AES128-SHA"], "TLSv1.0"]);
  });

  it("without a verify keyword the global ssl-server-verify decides, as in HAProxy", () => {
    const open = text.replace(" verify required", "").replace("global\n", "global\n    ssl-server-verify none\n");
    expect(haproxyFacts(open).backends[0].servers[0].verify).toBe("none");
    expect(haproxyFacts(text.replace(" verify required", "")).backends[0].servers[0].verify).toBe("required");
  });

  it("a commented-out line is not read", () => {
    expect(haproxyFacts(text.replace("    bind 10.20.2.12", "    # bind 10.20.2.12")).frontends[0].binds).toEqual([]);
  });
});
