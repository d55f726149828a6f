import * as crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseStack } from "./load";
import { InputError } from "../input/input-error";
import { stackText } from "../../test/fixtures/specs";
import { sshHostKeyProblem } from "./ssh-host-key";

const FILE = "stacks/Pulumi.prod.yaml";
const prod = stackText("prod");
const PVE1_KEY = /(\n\s*- name: pve1\n\s*address: \S+\n\s*sshHostKey: )(.*)\n/;

function sshString(data: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An `ssh-rsa` public key line of a fresh RSA key of `bits` bits (mpints with their sign byte). */
function rsaKeyLine(bits: number): string {
  const { publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: bits });
  const jwk = publicKey.export({ format: "jwk" });
  const mpint = (b64: string | undefined): Buffer => {
    const raw = Buffer.from(String(b64), "base64url");
    return raw[0] & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw;
  };
  return `ssh-rsa ${Buffer.concat([sshString("ssh-rsa"), sshString(mpint(jwk.e)), sshString(mpint(jwk.n))]).toString("base64")} root@pve1`;
}

/** The message loading prod throws with pve1's host key replaced by `line`. */
function rejectionWithPve1Key(line: string): string {
  expect(PVE1_KEY.test(prod)).toBe(true);
  try {
    parseStack(prod.replace(PVE1_KEY, (_m, head: string) => `${head}${line}\n`), FILE, "prod");
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  throw new Error("expected an InputError, but the stack loaded");
}

const at = (path: string, detail: string): string => `${FILE}: ibac:platform.${path}: ${detail}`;

describe("spec: proxmox nodes' and the QDevice's sshHostKey (awsguard pattern: prod, then one mutation)", () => {
  it("prod's keys are accepted: real ed25519 keys, one per host", () => {
    const loaded = parseStack(prod, FILE, "prod");
    const keys = [...loaded.spec.proxmox.nodes.map((n) => n.sshHostKey), loaded.spec.proxmox.qdevice?.sshHostKey];
    for (const key of keys) expect(sshHostKeyProblem(String(key))).toBeUndefined();
    expect(new Set(keys).size).toBe(3);
  });

  it("a missing host key is an error naming the field", () => {
    expect(() => parseStack(prod.replace(PVE1_KEY, (_m, head: string) => `${head.replace(/\n\s*sshHostKey: $/, "\n")}`), FILE, "prod")).toThrowError(
      /ibac:platform\.proxmox\.nodes\[0\]\.sshHostKey: expected an OpenSSH public host key on one line, `ssh-ed25519 AAAA\.\.\.` \(or `ssh-rsa AAAA\.\.\.` of 4096 bits or more\), as in \/etc\/ssh\/ssh_host_ed25519_key\.pub, found nothing/,
    );
  });

  it("a NIST-curve key is refused by the schema", () => {
    expect(rejectionWithPve1Key("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEx")).toBe(
      at("proxmox.nodes[0].sshHostKey", 'expected an OpenSSH public host key on one line, `ssh-ed25519 AAAA...` (or `ssh-rsa AAAA...` of 4096 bits or more), as in /etc/ssh/ssh_host_ed25519_key.pub, found "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEx"'),
    );
  });

  it("a 2048-bit RSA key is refused with its size", () => {
    expect(rejectionWithPve1Key(rsaKeyLine(2048))).toBe(at("proxmox.nodes[0].sshHostKey", "expected an RSA host key of 4096 bits or more (or an ssh-ed25519 key), found one of 2048 bits"));
  });

  it("a 4096-bit RSA key is accepted", () => {
    expect(sshHostKeyProblem(rsaKeyLine(4096))).toBeUndefined();
  });

  it("a truncated paste is refused: the key data does not decode", () => {
    expect(rejectionWithPve1Key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEqzeixi67aAN6ya")).toBe(
      at("proxmox.nodes[0].sshHostKey", "expected the key data of a ssh-ed25519 key, found data that does not decode as an SSH public key"),
    );
  });

  it("key data of another type under an ssh-ed25519 label is refused", () => {
    const rsaData = rsaKeyLine(1024).split(" ")[1];
    expect(rejectionWithPve1Key(`ssh-ed25519 ${rsaData}`)).toBe(at("proxmox.nodes[0].sshHostKey", 'expected the key data of a ssh-ed25519 key, found key data of a "ssh-rsa" key'));
  });

  it("a comment with a control character is refused by the one-line text check, which names the character", () => {
    const key = parseStack(prod, FILE, "prod").spec.proxmox.nodes[0].sshHostKey;
    expect(rejectionWithPve1Key(`"${key} root\\u001b[2J"`)).toBe(
      `stacks/Pulumi.prod.yaml: ibac:platform.proxmox.nodes[0].sshHostKey: expected one line of printable text, found U+001B (escape, as in a terminal escape sequence) at character ${key.length + 6}`,
    );
  });

  it("two hosts with the same key are refused: the second names the first", () => {
    const qdevKey = parseStack(prod, FILE, "prod").spec.proxmox.qdevice?.sshHostKey;
    expect(rejectionWithPve1Key(String(qdevKey))).toBe(at("proxmox.qdevice.sshHostKey", "expected a host key no other host has, found the key of proxmox.nodes[0].sshHostKey"));
  });
});
