import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { stackFileName, stackSpec, stackText } from "../../test/fixtures/specs";
import { parseStack } from "../spec/load";
import { InputError } from "../input/input-error";
import { requireTool } from "../../test/support/require-tool";
import { run } from "../../test/lab/run";
import { makeIssuingCa, makeLabCa, makeServerCertificate, serialOf, signLabCrl, type LabCa } from "../../test/lab/tls";
import { crlIndex, crlSigningScript, revocationProblems, revokedBy } from "./revocation";
import { tlsPolicyProblems } from "./tls-policy";

describe("revocation list of the spec", () => {
  it("prod revokes nothing and has no problem", () => {
    const spec = stackSpec("prod");
    expect(revocationProblems(spec)).toEqual([]);
    expect(revokedBy(spec, "mobiles")).toEqual([]);
  });

  it("rejects a day that does not exist and a serial listed twice for one CA, naming the fields (through the spec's cross-checks)", () => {
    const spec = stackSpec("prod");
    spec.pki = { revoked: [
      { issuer: "mobiles", serial: "0A1B", revokedOn: "2026-02-30" },
      { issuer: "site", serial: "0a1b", revokedOn: "2026-03-01" },
      { issuer: "mobiles", serial: "0a1b", revokedOn: "2026-03-01" },
    ] };
    expect(tlsPolicyProblems(spec)).toEqual([
      { path: ["pki", "revoked", 0, "revokedOn"], detail: 'expected a calendar day between 2000-01-01 and 2049-12-31 (YYYY-MM-DD), found "2026-02-30"' },
      { path: ["pki", "revoked", 2, "serial"], detail: 'expected each serial once per issuer, found "0a1b" of mobiles again (first at pki.revoked[0])' },
    ]);
    expect(revokedBy(spec, "site").map((r) => r.serial)).toEqual(["0a1b"]);
  });

  it("writes openssl's index lines: upper-case serial, UTCTime, reason", () => {
    expect(crlIndex([{ issuer: "mobiles", serial: "0a1b", revokedOn: "2026-11-30", reason: "keyCompromise" }])).toBe("R\t491231235959Z\t261130000000Z,keyCompromise\t0A1B\tunknown\t/CN=revoked\n");
    expect(() => crlIndex([{ issuer: "mobiles", serial: "0a1b\n", revokedOn: "2026-11-30" }])).toThrow(/invalid entry/);
    expect(() => crlSigningScript(0)).toThrow("revocation: CRL validity must be a positive number of days, found 0");
  });
});

describe("pki.revoked through the stack loader (exit 2, file, field path, expected, found)", () => {
  const withRevoked = (revoked: unknown): string => {
    const doc = parseDocument(stackText("prod"));
    doc.setIn(["config", "ibac:platform", "pki"], { revoked });
    return doc.toString();
  };
  const rejection = (text: string): string => {
    try {
      parseStack(text, stackFileName("prod"), "prod");
    } catch (err) {
      if (err instanceof InputError) return err.message;
      throw err;
    }
    throw new Error("expected an InputError, but the stack loaded");
  };

  it("loads a valid entry", () => {
    const loaded = parseStack(withRevoked([{ issuer: "mobiles", serial: "3F0A", revokedOn: "2026-11-30", reason: "keyCompromise" }]), stackFileName("prod"), "prod");
    expect(revokedBy(loaded.spec, "mobiles")).toEqual([{ issuer: "mobiles", serial: "3F0A", revokedOn: "2026-11-30", reason: "keyCompromise" }]);
  });

  it("names a serial that is not hex, an unknown issuer and a day that does not exist", () => {
    expect(rejection(withRevoked([{ issuer: "mobiles", serial: "3F0A;rm", revokedOn: "2026-11-30" }]))).toBe(
      'stacks/Pulumi.prod.yaml: ibac:platform.pki.revoked[0].serial: expected the serial in hex, as `openssl x509 -noout -serial` prints it, found "3F0A;rm"',
    );
    expect(rejection(withRevoked([{ issuer: "servers", serial: "3F0A", revokedOn: "2026-11-30" }]))).toBe(
      'stacks/Pulumi.prod.yaml: ibac:platform.pki.revoked[0].issuer: expected one of "platform", "mobiles", "site", found "servers"',
    );
    expect(rejection(withRevoked([{ issuer: "site", serial: "3F0A", revokedOn: "2026-04-31" }]))).toBe(
      'stacks/Pulumi.prod.yaml: ibac:platform.pki.revoked[0].revokedOn: expected a calendar day between 2000-01-01 and 2049-12-31 (YYYY-MM-DD), found "2026-04-31"',
    );
  });
});

describe("the CRL signing script, run with the real openssl", () => {
  let root = "";
  let openssl = "";
  let ca: LabCa;
  let mobiles: LabCa;
  beforeAll(async () => {
    openssl = requireTool("openssl", "openssl");
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-crl-"));
    ca = await makeLabCa(path.join(root, "ca"), openssl);
    mobiles = await makeIssuingCa(ca, path.join(root, "mobiles"), "iBac lab mobiles CA", openssl);
  });
  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("signs a CRL the CA's certificate verifies, listing the revoked serial with its reason, and only it", async () => {
    const phone = { commonName: "phone-1.mobiles.ibac.example", dnsNames: ["phone-1.mobiles.ibac.example"], ipAddresses: [], certFile: path.join(root, "phone.pem"), keyFile: path.join(root, "phone-key.pem") };
    const other = { ...phone, commonName: "phone-2.mobiles.ibac.example", dnsNames: ["phone-2.mobiles.ibac.example"], certFile: path.join(root, "phone2.pem"), keyFile: path.join(root, "phone2-key.pem") };
    await makeServerCertificate(mobiles, phone, openssl);
    await makeServerCertificate(mobiles, other, openssl);
    const serial = await serialOf(phone.certFile, openssl);
    const crl = path.join(root, "mobiles.crl");
    await signLabCrl(mobiles, [{ issuer: "mobiles", serial, revokedOn: "2026-11-30", reason: "keyCompromise" }], crl);
    const text = await run(openssl, ["crl", "-in", crl, "-noout", "-text", "-CAfile", mobiles.cert]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toContain("verify OK");
    expect(text.stdout).toContain(`Serial Number: ${serial}`);
    expect(text.stdout).toContain("Key Compromise");
    expect(text.stdout).toMatch(/Issuer: CN = iBac lab mobiles CA/);
    expect(text.stdout).toMatch(/X509v3 CRL Number:/);
    expect((text.stdout.match(/Serial Number:/g) ?? []).length).toBe(1);
    // The revoked certificate fails verification with the CRL, the other one passes.
    const verify = (cert: string) => run(openssl, ["verify", "-crl_check", "-CAfile", ca.cert, "-untrusted", mobiles.cert, "-CRLfile", crl, cert]);
    const revoked = await verify(phone.certFile);
    expect(revoked.code).not.toBe(0);
    expect(revoked.stdout + revoked.stderr).toContain("certificate revoked");
    expect((await verify(other.certFile)).code).toBe(0);
  });

  it("signs an empty CRL when nothing is revoked, and fails without the CA key", async () => {
    const crl = path.join(root, "empty.crl");
    await signLabCrl(ca, [], crl);
    const text = await run(openssl, ["crl", "-in", crl, "-noout", "-text", "-CAfile", ca.cert]);
    expect(text.stderr).toContain("verify OK");
    expect(text.stdout).toContain("No Revoked Certificates");
    const r = await run("sh", ["-c", crlSigningScript()], { input: "\n", timeoutMs: 10_000, env: { ...process.env, IBAC_CA_CERT: fs.readFileSync(ca.cert, "utf8"), IBAC_CRL_INDEX: "" } });
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toContain("BEGIN X509 CRL");
    expect(r.stderr).toContain("no CA key on standard input");
  });
});
