// What the spec accepts as a host's SSH host key: what the deployment pins every SSH connection to (issue 11,
// class 4). The schema's pattern admits the shape (one line, an allowed type, base64); this decodes the key
// data, because a pattern cannot see that an `ssh-rsa` line holds a 2048-bit key or a truncated paste.
import { formatFieldPath, type FieldPath } from "../input/input-error";
import type { FieldProblem } from "./errors";
import type { PlatformSpec } from "./schema";

/** The host-key types the hardened sshd offers (HostKeyAlgorithms of components/vm/render-cloud-init.ts). */
export const HOST_KEY_TYPES = ["ssh-ed25519", "ssh-rsa"] as const;
/** The smallest RSA modulus ssh-audit's hardening policies accept for a host key. */
export const MIN_RSA_HOST_KEY_BITS = 4096;

/** The schema's description of the field: what a user reads when the shape is wrong. */
export const SSH_HOST_KEY_DESCRIPTION =
  "an OpenSSH public host key on one line, `ssh-ed25519 AAAA...` (or `ssh-rsa AAAA...` of 4096 bits or more), as in /etc/ssh/ssh_host_ed25519_key.pub";
/** One line: the type, the base64 key data, an optional comment of printable ASCII. */
export const SSH_HOST_KEY_PATTERN = "^(ssh-ed25519|ssh-rsa) [A-Za-z0-9+/]+={0,2}( [ -~]*)?$";

/** The length-prefixed fields of an SSH wire-format key blob, or undefined when the blob is not one. */
function sshFields(blob: Buffer): Buffer[] | undefined {
  const fields: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(at);
    if (at + 4 + length > blob.length) return undefined;
    fields.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return fields;
}

/** The bits of an SSH mpint (big-endian, a leading zero byte when the top bit is set). */
function mpintBits(value: Buffer): number {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  if (i === value.length) return 0;
  return (value.length - i - 1) * 8 + (32 - Math.clz32(value[i]));
}

/**
 * Why a host key the schema admitted is not acceptable, as the `expected ..., found ...` detail; undefined
 * when it is a well-formed ed25519 key or an RSA key of at least 4096 bits.
 */
export function sshHostKeyProblem(line: string): string | undefined {
  const [type, data] = line.split(" ");
  const fields = sshFields(Buffer.from(data ?? "", "base64"));
  const expected = `expected the key data of a ${type} key`;
  if (!fields || fields.length === 0) return `${expected}, found data that does not decode as an SSH public key`;
  const inner = fields[0].toString("latin1");
  if (inner !== type) return `${expected}, found key data of a ${JSON.stringify(inner).slice(0, 40)} key`;
  if (type === "ssh-ed25519") {
    return fields.length === 2 && fields[1].length === 32 ? undefined : `${expected}, found key data that is not a 32-byte ed25519 key`;
  }
  if (fields.length !== 3) return `${expected}, found key data that is not an RSA exponent and modulus`;
  const bits = mpintBits(fields[2]);
  return bits >= MIN_RSA_HOST_KEY_BITS ? undefined : `expected an RSA host key of ${MIN_RSA_HOST_KEY_BITS} bits or more (or an ssh-ed25519 key), found one of ${bits} bits`;
}

/** The type and key data of a host key line: what identifies the key (the comment does not). */
export function hostKeyIdentity(line: string): string {
  return line.split(" ").slice(0, 2).join(" ");
}

/**
 * Every host key of the spec, decoded; and no two hosts with the same key (a cloned disk or a copied paste:
 * pinning it would let either host pass for the other).
 */
export function checkSshHostKeys(spec: PlatformSpec): FieldProblem[] {
  const hosts: { path: FieldPath; key: string }[] = [
    ...spec.proxmox.nodes.map((n, i) => ({ path: ["proxmox", "nodes", i, "sshHostKey"] as FieldPath, key: n.sshHostKey })),
    ...(spec.proxmox.qdevice ? [{ path: ["proxmox", "qdevice", "sshHostKey"] as FieldPath, key: spec.proxmox.qdevice.sshHostKey }] : []),
  ];
  const problems: FieldProblem[] = [];
  const seen = new Map<string, FieldPath>();
  for (const host of hosts) {
    const problem = sshHostKeyProblem(host.key);
    if (problem) {
      problems.push({ path: host.path, detail: problem });
      continue;
    }
    const identity = hostKeyIdentity(host.key);
    const first = seen.get(identity);
    if (first) problems.push({ path: host.path, detail: `expected a host key no other host has, found the key of ${formatFieldPath(first)}` });
    else seen.set(identity, host.path);
  }
  return problems;
}

