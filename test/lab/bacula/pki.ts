import * as fs from "node:fs";
import * as path from "node:path";
import { runChecked } from "../run";

// Bacula's PKI (data encryption and signatures) needs RSA keypairs in PEM: the file daemon reads its certificate
// and private key from one file (`PKI Keypair`) and the master key's certificate from another (`PKI Master Key`).
// 2048 bits keep the lab fast; the lab stack's real master certificate is 4096-bit RSA.

export interface PkiKeypair {
  /** Certificate + private key, what `PKI Keypair` names. */
  keypair: string;
  /** The certificate alone, what `PKI Master Key` names for the master. */
  cert: string;
}

export async function makePkiKeypair(dir: string, name: string, openssl: string): Promise<PkiKeypair> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.cert`);
  await runChecked(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", `/CN=${name}`, "-keyout", key, "-out", cert]);
  const keypair = path.join(dir, `${name}.pem`);
  fs.writeFileSync(keypair, fs.readFileSync(cert, "utf8") + fs.readFileSync(key, "utf8"), { mode: 0o600 });
  fs.rmSync(key);
  return { keypair, cert };
}
