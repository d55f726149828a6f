import { READ_PVE_ROOT_CA } from "../cluster/cluster-ca";
import * as crypto from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformModel } from "../model/types";
import { RESOURCE_TYPES } from "../resource-types";

/** One resource registration as the mock engine saw it: inputs as the program sent them. */
export interface Registration {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

/** The 32-byte seed an Ed25519 key is derived from, wrapped as PKCS#8 DER. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

function sshString(data: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A real Ed25519 public key in OpenSSH format, derived deterministically from a name. */
export function deterministicSshPublicKey(seedText: string, comment: string): string {
  const seed = crypto.createHash("sha256").update(seedText).digest();
  const privateKey = crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  const jwk = crypto.createPublicKey(privateKey).export({ format: "jwk" });
  const raw = Buffer.from(String(jwk.x), "base64url");
  const blob = Buffer.concat([sshString("ssh-ed25519"), sshString(raw)]);
  return `ssh-ed25519 ${blob.toString("base64")} ${comment}`;
}

/**
 * An `ssh-rsa` public key line of `bits` bits, derived deterministically from a name. Its modulus is a
 * hash expansion (top bit set, odd), not a product of two primes: the plan only shows and pins public keys,
 * and no offline step does RSA with them, so a well-formed key of the right size is all it needs.
 */
export function deterministicRsaPublicKey(seedText: string, bits: number, comment: string): string {
  const bytes = bits / 8;
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < bytes; i++) blocks.push(crypto.createHash("sha256").update(`${seedText}/${i}`).digest());
  const modulus = Buffer.concat(blocks).subarray(0, bytes);
  modulus[0] |= 0x80;
  modulus[bytes - 1] |= 0x01;
  const blob = Buffer.concat([sshString("ssh-rsa"), sshString(Buffer.from([0x01, 0x00, 0x01])), sshString(Buffer.concat([Buffer.from([0]), modulus]))]);
  return `ssh-rsa ${blob.toString("base64")} ${comment}`;
}

/**
 * The mock engine behind `ibac plan`: it answers every registration with realistic outputs (VM ids and
 * addresses from the model, volume ids as Proxmox forms them) and records what the program sent.
 * Values that would be secrets in a deployment are made up here, deterministically, and remembered so
 * that the plan writer can prove none of them reaches a file.
 */
export class OfflinePlanMocks implements pulumi.runtime.Mocks {
  readonly registrations: Registration[] = [];
  readonly secretValues = new Set<string>();
  private readonly model: PlatformModel;
  private readonly stack: string;

  constructor(model: PlatformModel, stack: string) {
    this.model = model;
    this.stack = stack;
  }

  /** A made-up secret value, remembered for scrubbing. */
  madeUpSecret(label: string): string {
    // Letters, digits and '-' only: a made-up value must pass every check a real one of its kind passes (an S3 key
    // may hold no ':', as config keys such as ibac:replicationAccessKey do).
    const value = `offline-plan-${label.replace(/[^A-Za-z0-9-]/g, "-")}-${crypto.createHash("sha256").update(`${this.stack}/${label}`).digest("hex").slice(0, 24)}`;
    this.secretValues.add(value);
    return value;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    this.registrations.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs });
    const state = { ...inputs, ...this.outputsFor(args.type, args.name, inputs) };
    const id = args.custom === false ? undefined : String(state.__id ?? `${args.name}-id`);
    delete state.__id;
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    return args.inputs as Record<string, unknown>;
  }

  private outputsFor(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
      case RESOURCE_TYPES.VmLegacy: {
        const vm = this.model.vms.find((v) => v.vmId === inputs.vmId);
        return { __id: String(inputs.vmId), ipv4Addresses: [["127.0.0.1"], ...(vm?.nics.map((n) => [n.address]) ?? [])], macAddresses: vm?.nics.map((_, i) => `bc:24:11:00:${(Number(inputs.vmId) % 256).toString(16).padStart(2, "0")}:${i.toString(16).padStart(2, "0")}`) ?? [] };
      }
      case RESOURCE_TYPES.DownloadFile:
        return { __id: `${String(inputs.datastoreId)}:${String(inputs.contentType)}/${String(inputs.fileName)}`, size: 350_000_000 };
      case RESOURCE_TYPES.FileLegacy: {
        // The snippet's source is a secret as a whole (it carries the VM's host keys): look inside the wrapper.
        const wrapped = inputs.sourceRaw as { value?: { fileName?: string }; fileName?: string } | undefined;
        const raw = wrapped?.value ?? wrapped;
        return { __id: `${String(inputs.datastoreId)}:snippets/${raw?.fileName ?? name}` };
      }
      case RESOURCE_TYPES.TokenLegacy: {
        const tokenId = `${String(inputs.userId)}!${String(inputs.tokenName)}`;
        return { __id: tokenId, value: `${tokenId}=${this.madeUpSecret("automation-token")}` };
      }
      case RESOURCE_TYPES.PrivateKey:
        // A public key of the algorithm asked for: the VMs' RSA host keys are pinned and shown like the others.
        return {
          publicKeyOpenssh: inputs.algorithm === "RSA"
            ? deterministicRsaPublicKey(`${this.stack}/${name}`, Number(inputs.rsaBits ?? 2048), `${name}@offline-plan`)
            : deterministicSshPublicKey(`${this.stack}/${name}`, `${name}@offline-plan`),
          privateKeyOpenssh: this.madeUpSecret(`${name}-openssh`),
          privateKeyPem: this.madeUpSecret(`${name}-pem`),
        };
      case RESOURCE_TYPES.SelfSignedCert:
      case RESOURCE_TYPES.LocallySignedCert:
        // Certificates are public; a plan shows where one goes, not its bytes, which only a deployment makes.
        return { certPem: `-----BEGIN CERTIFICATE-----\n(offline plan: ${name}, issued by the deployment)\n-----END CERTIFICATE-----\n` };
      case RESOURCE_TYPES.LocalCommand: {
        // The storage tier writes the internal CA to a file for MinIO's provider and prints its path; every other
        // local command signs a CA's CRL (components/pki/internal-ca.ts), whose PEM a deployment prints.
        const caFile = (inputs.environment as Record<string, unknown> | undefined)?.IBAC_CA_FILE;
        if (typeof caFile === "string") return { stdout: `.ibac/${caFile}` };
        return { stdout: `-----BEGIN X509 CRL-----\n(offline plan: ${name}, signed by the deployment)\n-----END X509 CRL-----\n` };
      }
      case RESOURCE_TYPES.RemoteCommand:
        // The one remote command whose output the program uses: the Proxmox cluster CA, read from a node.
        return inputs.create === READ_PVE_ROOT_CA ? { stdout: `-----BEGIN CERTIFICATE-----\n(offline plan: ${name}, read from the node by the deployment)\n-----END CERTIFICATE-----\n` } : {};
      case RESOURCE_TYPES.CertRequest:
        return { certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\n(offline plan: ${name})\n-----END CERTIFICATE REQUEST-----\n` };
      case RESOURCE_TYPES.RandomPassword:
        return { result: this.madeUpSecret(name) };
      case RESOURCE_TYPES.RandomBytes: {
        // Encodings of a made-up secret are secrets too: remembered for scrubbing like the value itself.
        // As many bytes as asked for (a key's length is checked where it is used), derived from a made-up secret.
        const seed = this.madeUpSecret(name);
        const length = Number(inputs.length ?? 32);
        const bytes = Buffer.alloc(length);
        for (let at = 0, block = 0; at < length; block++) at += crypto.createHash("sha256").update(`${seed}/${block}`).digest().copy(bytes, at);
        const encoded = { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        this.secretValues.add(encoded.base64).add(encoded.hex);
        return encoded;
      }
      default:
        return {};
    }
  }
}
