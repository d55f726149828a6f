import * as crypto from "node:crypto";
import * as fs from "node:fs";

/** One line of an OpenSSH known_hosts file, with its marker. */
export interface KnownHost {
  /** `@revoked`: the key must never be accepted; `@cert-authority`: the key signs host certificates. */
  marker: "revoked" | "cert-authority" | undefined;
  /** Host patterns (wildcards, `!negation`), or one hashed `|1|salt|hash` entry. */
  hosts: string[];
  key: string;
  /** 1-based line number, for messages. */
  line: number;
}

/**
 * The lines of a known_hosts file as OpenSSH reads them (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT): an optional
 * marker, host patterns, key type, key. Comments, blank lines and lines with an unknown marker are skipped,
 * as OpenSSH skips them.
 */
export function parseKnownHosts(text: string): KnownHost[] {
  return text.split("\n").flatMap((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return [];
    const fields = line.split(/\s+/);
    let marker: KnownHost["marker"];
    if (fields[0].startsWith("@")) {
      const name = fields.shift();
      if (name !== "@revoked" && name !== "@cert-authority") return [];
      marker = name === "@revoked" ? "revoked" : "cert-authority";
    }
    const [hosts, , key] = fields;
    return hosts && key ? [{ marker, hosts: hosts.split(","), key, line: i + 1 }] : [];
  });
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` one, everything else literal, case-insensitive. */
function globMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(name);
}

/** Whether a line's host patterns match the host: a matching `!pattern` excludes it whatever else matches. */
function hostMatches(entry: KnownHost, address: string, port: number): boolean {
  const name = port === 22 ? address : `[${address}]:${port}`;
  let matched = false;
  for (const pattern of entry.hosts) {
    if (pattern.startsWith("|1|")) {
      const [, , salt, hash] = pattern.split("|");
      if (salt && hash && crypto.createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash) matched = true;
    } else if (pattern.startsWith("!")) {
      if (globMatches(pattern.slice(1), name)) return false;
    } else if (globMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * Checks a host's key against known_hosts as OpenSSH's StrictHostKeyChecking=yes does: a key marked
 * `@revoked` for the host is refused even where another line lists it; a host that is not listed, or that
 * presents another key, is refused. `@cert-authority` lines cannot be honoured: the runbooks' SSH client
 * (node-ssh on ssh2) does not verify OpenSSH host certificates, so a host trusted only through a CA is
 * refused with that reason, never trusted and never silently skipped. Returns why, or undefined when the key is known.
 */
export function checkHostKey(entries: KnownHost[], address: string, port: number, presented: Buffer, file: string): string | undefined {
  const key = presented.toString("base64");
  const forHost = entries.filter((e) => hostMatches(e, address, port));
  const revoked = forHost.find((e) => e.marker === "revoked" && e.key === key);
  if (revoked) return `its host key is marked @revoked in ${file} (line ${revoked.line}): it is never accepted, even where another line lists it; the host's key was compromised or replaced: get its new key before running runbooks against it`;
  const plain = forHost.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key === key)) return undefined;
  const ca = forHost.find((e) => e.marker === "cert-authority");
  if (ca && plain.length === 0) {
    return `${file} (line ${ca.line}) trusts it through a @cert-authority, but the runbooks' SSH client (ssh2) cannot verify OpenSSH host certificates: add the host's own key (ssh-keyscan -p ${port} ${address}, checked against the console) to ${file}`;
  }
  if (plain.length === 0) return `not in ${file}: add its key (ssh-keyscan -p ${port} ${address}, checked against the console) before running runbooks against it`;
  return `its host key differs from the one in ${file}: possible impersonation, or the host was rebuilt; check it before updating ${file}`;
}

export function readKnownHosts(file: string): KnownHost[] {
  return parseKnownHosts(fs.readFileSync(file, "utf8"));
}
