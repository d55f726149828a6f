import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { RESOURCE_TYPES } from "../resource-types";
import { InternalCa } from "./internal-ca";

const { model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("InternalCa under pulumi.runtime.setMocks (constructed, not deployed)", () => {
  it("issues a mobiles and a site CA below the root, each CA signs its own CRL with its key as a secret on stdin", async () => {
    const mocks = new OfflinePlanMocks(model, "prod");
    await pulumi.runtime.setMocks(mocks, "ibac-platform", "prod", false);
    const ca = new InternalCa("t-ca", { organization: "test", commonName: "test CA", revoked: [
      { issuer: "mobiles", serial: "0A1B", revokedOn: "2026-11-30", reason: "keyCompromise" },
      { issuer: "platform", serial: "0C", revokedOn: "2026-11-29" },
    ] });
    expect(await pulumi.isSecret(ca.peerIssuingCas.mobiles.privateKeyPem)).toBe(true);
    expect(await pulumi.isSecret(ca.peerIssuingCas.mobiles.certPem)).toBe(false);
    expect(await value(ca.peerCas.site.crlPem)).toContain("t-ca-site-crl");
    await value(ca.crlPem);
    const reg = (name: string) => mocks.registrations.find((r) => r.name === name);
    for (const purpose of ["mobiles", "site"]) {
      const cert = reg(`t-ca-${purpose}-cert`);
      expect(cert?.type).toBe(RESOURCE_TYPES.LocallySignedCert);
      expect(cert?.inputs).toMatchObject({ isCaCertificate: true, allowedUses: ["cert_signing", "crl_signing", "digital_signature"] });
      expect(reg(`t-ca-${purpose}-key`)?.inputs).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P384" });
    }
    // Each CRL lists only its own CA's entries.
    const env = (name: string) => reg(name)?.inputs.environment as Record<string, string>;
    expect(env("t-ca-mobiles-crl").IBAC_CRL_INDEX).toBe("R\t491231235959Z\t261130000000Z,keyCompromise\t0A1B\tunknown\t/CN=revoked\n");
    expect(env("t-ca-crl").IBAC_CRL_INDEX).toBe("R\t491231235959Z\t261129000000Z\t0C\tunknown\t/CN=revoked\n");
    expect(env("t-ca-site-crl").IBAC_CRL_INDEX).toBe("");
    for (const name of ["t-ca-crl", "t-ca-mobiles-crl", "t-ca-site-crl"]) {
      expect(reg(name)?.type).toBe(RESOURCE_TYPES.LocalCommand);
      expect(String(reg(name)?.inputs.create)).toContain("-keyfile /dev/stdin");
      // stdin is sent as a secret (Pulumi's secret signature); the key is nowhere else in the inputs.
      expect(JSON.stringify(reg(name)?.inputs.stdin)).toContain(pulumi.runtime.specialSigKey);
      const rest = Object.entries(reg(name)?.inputs ?? {}).filter(([k]) => k !== "stdin");
      expect(JSON.stringify(rest)).not.toMatch(/offline-plan-t-ca-(mobiles-|site-)?key-pem|PRIVATE KEY/);
    }
  });
});
