import * as crypto from "node:crypto";
import * as fs from "node:fs";

/** One usable line of an OpenSSH known_hosts file. */
interface KnownHost {
  /** Plain host patterns, or one hashed `|1|salt|hash` entry. */
  hosts: string[];
  key: string;
}

export function parseKnownHosts(text: string): KnownHost[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#") && !l.startsWith("@")).flatMap((line) => {
    const [hosts, , key] = line.split(/\s+/);
    return hosts && key ? [{ hosts: hosts.split(","), key }] : [];
  });
}

function matches(pattern: string, address: string, port: number): boolean {
  const name = port === 22 ? address : `[${address}]:${port}`;
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    return crypto.createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  return pattern === name;
}

/**
 * Checks a host's key against known_hosts as OpenSSH's StrictHostKeyChecking=yes does: a host that is not
 * listed, or that presents another key, is refused. Returns why, or undefined when the key is known.
 */
export function checkHostKey(entries: KnownHost[], address: string, port: number, presented: Buffer, file: string): string | undefined {
  const listed = entries.filter((e) => e.hosts.some((p) => matches(p, address, port)));
  if (listed.length === 0) return `not in ${file}: add its key (ssh-keyscan -p ${port} ${address}, checked against the console) before running runbooks against it`;
  if (listed.some((e) => e.key === presented.toString("base64"))) return undefined;
  return `its host key differs from the one in ${file}: possible impersonation, or the host was rebuilt; check it before updating ${file}`;
}

export function readKnownHosts(file: string): KnownHost[] {
  return parseKnownHosts(fs.readFileSync(file, "utf8"));
}
