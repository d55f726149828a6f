import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { run, runChecked } from "./run";
import { crlIndex, crlSigningScript, type RevokedCertificate } from "../../components/pki/revocation";

/**
 * The lab's certificates, made with the openssl CLI because @pulumi/tls only runs under Pulumi. They follow
 * components/pki/internal-ca.ts: ECDSA P-384 keys, a CA that only signs, server certificates for server and
 * client auth whose SANs are the server's address, FQDN and name.
 */
export interface LabCa {
  cert: string;
  key: string;
}

const CURVE = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes"];

export async function makeLabCa(dir: string, openssl: string): Promise<LabCa> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = { cert: path.join(dir, "ca.pem"), key: path.join(dir, "ca-key.pem") };
  await runChecked(openssl, [
    "req", "-x509", "-new", ...CURVE, "-sha384", "-days", "7", "-subj", "/CN=iBac lab CA",
    "-keyout", ca.key, "-out", ca.cert,
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
  ]);
  fs.chmodSync(ca.key, 0o600);
  return ca;
}

export interface ServerCertificate {
  /** Subject common name: the FQDN. */
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  certFile: string;
  keyFile: string;
  /** Validity in days (default 7); longer where a check warns about expiry (monitoring: critical under 14 days). */
  days?: number;
}

export async function makeServerCertificate(ca: LabCa, cert: ServerCertificate, openssl: string): Promise<void> {
  const work = fs.mkdtempSync(path.join(path.dirname(cert.certFile), ".csr-"));
  try {
    const csr = path.join(work, "server.csr");
    const ext = path.join(work, "server.ext");
    const san = [...cert.ipAddresses.map((ip) => `IP:${ip}`), ...cert.dnsNames.map((d) => `DNS:${d}`)].join(",");
    fs.writeFileSync(ext, [
      "basicConstraints = critical,CA:FALSE",
      "keyUsage = critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage = serverAuth,clientAuth",
      `subjectAltName = ${san}`,
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
      "",
    ].join("\n"));
    await runChecked(openssl, ["req", "-new", ...CURVE, "-subj", `/CN=${cert.commonName}`, "-keyout", cert.keyFile, "-out", csr]);
    await runChecked(openssl, [
      "x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial", `0x${crypto.randomBytes(12).toString("hex")}`,
      "-days", String(cert.days ?? 7), "-sha384", "-extfile", ext, "-out", cert.certFile,
    ]);
    fs.chmodSync(cert.keyFile, 0o600);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * An issuing CA below `root` (components/pki/internal-ca.ts's purpose CAs: mobiles, site): a CA certificate
 * that may sign end-entity certificates and CRLs only (pathlen 0).
 */
export async function makeIssuingCa(root: LabCa, dir: string, commonName: string, openssl: string): Promise<LabCa> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = { cert: path.join(dir, "ca.pem"), key: path.join(dir, "ca-key.pem") };
  const csr = path.join(dir, "ca.csr");
  const ext = path.join(dir, "ca.ext");
  fs.writeFileSync(ext, "basicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n");
  await runChecked(openssl, ["req", "-new", ...CURVE, "-subj", `/CN=${commonName}`, "-keyout", ca.key, "-out", csr]);
  await runChecked(openssl, ["x509", "-req", "-in", csr, "-CA", root.cert, "-CAkey", root.key, "-set_serial", `0x${crypto.randomBytes(12).toString("hex")}`, "-days", "7", "-sha384", "-extfile", ext, "-out", ca.cert]);
  fs.chmodSync(ca.key, 0o600);
  return ca;
}

/** The serial of a certificate in upper-case hex, as `openssl x509 -serial` prints it (the spec's `pki.revoked[].serial`). */
export async function serialOf(certFile: string, openssl: string): Promise<string> {
  const r = await run(openssl, ["x509", "-noout", "-serial", "-in", certFile]);
  const m = /^serial=([0-9A-F]+)\s*$/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`openssl x509 -serial ${certFile}: exit ${r.code}: ${r.stdout}${r.stderr}`);
  return m[1];
}

/**
 * A CRL signed by `ca` with exactly the toolkit's production script (components/pki/revocation.ts: the key on
 * standard input, the index in the environment), written to `crlFile`.
 */
export async function signLabCrl(ca: LabCa, entries: readonly RevokedCertificate[], crlFile: string): Promise<void> {
  const r = await run("sh", ["-c", crlSigningScript()], {
    input: fs.readFileSync(ca.key, "utf8"),
    env: { ...process.env, IBAC_CA_CERT: fs.readFileSync(ca.cert, "utf8"), IBAC_CRL_INDEX: crlIndex(entries) },
  });
  if (r.code !== 0 || !r.stdout.includes("-----BEGIN X509 CRL-----")) throw new Error(`CRL signing script: exit ${r.code}: ${r.stderr}`);
  fs.writeFileSync(crlFile, r.stdout);
}
