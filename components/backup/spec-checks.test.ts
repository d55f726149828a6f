import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStack } from "../spec/load";
import { prodWithField, stackRejection, stackText } from "../../test/fixtures/specs";
import { masterCertificateProblem } from "./spec-checks";

// The backup tier's meaning checks through the real loader, from the prod stack with one thing changed: the
// exact message, the file and the field path.
const FILE = "stacks/Pulumi.prod.yaml";
const prod = stackText("prod");
const testdata = (name: string): string => fs.readFileSync(path.join(__dirname, "testdata", name), "utf8");

const withField = prodWithField;
const rejection = stackRejection;

const at = (field: string, detail: string): string => `${FILE}: ibac:platform.${field}: ${detail}`;
const MASTER = "backupPolicy.encryption.masterCertificate";

describe("backup: the master certificate, the NAS account and the DRBD pair held to their meaning", () => {
  it("prod's master certificate is an RSA key of 4096 bits, and the stack loads", () => {
    const { spec } = parseStack(prod, FILE, "prod");
    expect(masterCertificateProblem(spec.backupPolicy.encryption.masterCertificate)).toBeUndefined();
  });

  it("refuses an RSA key shorter than 3072 bits", () => {
    expect(rejection(withField(["backupPolicy", "encryption", "masterCertificate"], testdata("rsa-2048.crt")))).toEqual([
      at(MASTER, "expected an RSA key of 3072 bits or more, found 2048 bits"),
    ]);
  });

  it("refuses a key Bacula's PKI encryption cannot use (EC)", () => {
    expect(rejection(withField(["backupPolicy", "encryption", "masterCertificate"], testdata("ec-p256.crt")))).toEqual([
      at(MASTER, "expected the certificate of an RSA key (Bacula's PKI encryption takes RSA only), found a ec key"),
    ]);
  });

  it("refuses base64 that is not a certificate", () => {
    const [problem] = rejection(withField(["backupPolicy", "encryption", "masterCertificate"], "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
    expect(problem).toMatch(new RegExp(`^${FILE.replace(/\./g, "\\.")}: ibac:platform\\.${MASTER.replace(/\./g, "\\.")}: expected a PEM certificate that parses as X\\.509, found one that does not \\(`));
  });

  it("refuses a private key pasted in place of the certificate (schema pattern)", () => {
    const [problem] = rejection(withField(["backupPolicy", "encryption", "masterCertificate"], "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
    expect(problem).toContain(`ibac:platform.${MASTER}: `);
    expect(problem).toContain("the PEM certificate (public half) of the backup master key pair");
  });

  it("refuses a control character inside the PEM block, naming it", () => {
    const cert = testdata("rsa-2048.crt").replace("\n", "\n\u001b[2J");
    expect(rejection(withField(["backupPolicy", "encryption", "masterCertificate"], cert))).toEqual([
      at(MASTER, "expected a PEM block: lines of printable text, found U+001B (escape, as in a terminal escape sequence) at character 1"),
    ]);
  });

  it("refuses root as the NAS account", () => {
    expect(rejection(withField(["backupPolicy", "offsite", "user"], "root"))).toEqual([
      at("backupPolicy.offsite.user", 'expected an unprivileged NAS account, found "root": the backup VMs would hold a key that controls the NAS, the one copy meant to survive the cluster'),
    ]);
  });

  it("refuses a backup tier that is not a DRBD pair", () => {
    expect(rejection(withField(["backup", "count"], 3))).toContain(
      at("backup.count", "expected 2 (the backup volume is one DRBD resource between two VMs; the director and storage daemon move with it), found 3"),
    );
  });

  it("refuses a relative NAS path (schema pattern)", () => {
    const [problem] = rejection(withField(["backupPolicy", "offsite", "path"], "volume1/../etc"));
    expect(problem).toContain("ibac:platform.backupPolicy.offsite.path: ");
  });
});

describe("backup: the photo policy held to what the Hanoi rotation can honour (through the loader)", () => {
  it("refuses a newest restore point that does not divide a day", () => {
    expect(rejection(withField(["backupPolicy", "photos", "newestRestorePointHours"], 5))).toEqual([
      at("backupPolicy.photos.newestRestorePointHours", "expected a number of hours that divides a day (1, 2, 3, 4, 6, 8, 12 or 24), found 5: the rotation runs at the same hours every day"),
    ]);
  });
});
