import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedStack } from "../spec/load";
import { SECRET_CONFIG_KEYS } from "../spec/load";
import type { PlatformModel } from "../model/types";
import { deliveredFileOf, owningVmName } from "../vm/delivered-files";
import { definePlatform } from "../program";
import { OfflinePlanMocks } from "./mocks";
import { RESOURCE_TYPES } from "../resource-types";

/** What `plan.json` lists for one resource. */
export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  inputs: Record<string, unknown>;
}

/** A rendered file bound for a VM, with secrets already masked. */
export interface PlanArtifact {
  vm: string;
  /** Absolute path inside the VM. */
  path: string;
  content: string;
}

export interface OfflinePlan {
  stack: string;
  resources: PlanResource[];
  model: PlatformModel;
  artifacts: PlanArtifact[];
  /** The made-up secret values of this run, kept in memory so tests can prove none was written. */
  knownSecrets: string[];
  /** The text each file-carrying resource delivers (by URN), secrets masked: what the policies read. */
  deliveredTextByUrn: Map<string, string>;
}

export const SECRET_MARK = "[secret]";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

interface Recorded {
  resource: pulumi.Resource;
  type: string;
  name: string;
  parent?: pulumi.Resource;
}

function settled<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

export interface OfflinePlanOptions {
  /** Called with every resource the program registers (the benchmark reads each one's shape). */
  onRegister?: (args: pulumi.ResourceTransformationArgs) => void;
}

/**
 * Runs the real Pulumi program in this process against a mock engine: no Proxmox, no Pulumi CLI, no
 * network. Every resource the program registers is recorded with its inputs, secrets masked; every file
 * bound for a VM is collected as an artifact. This is a plan, never a deployment.
 */
export async function runOfflinePlan(loaded: LoadedStack, options: OfflinePlanOptions = {}): Promise<OfflinePlan> {
  const mocks = new OfflinePlanMocks(loaded.model, loaded.stack);
  await pulumi.runtime.setMocks(mocks, "ibac-platform", loaded.stack, false);
  const secretConfig = Object.fromEntries(SECRET_CONFIG_KEYS.map((key) => [key, mocks.madeUpSecret(key)]));
  pulumi.runtime.setAllConfig(secretConfig, [...SECRET_CONFIG_KEYS]);

  const recorded: Recorded[] = [];
  const recorder: pulumi.ResourceTransformation = (args) => {
    recorded.push({ resource: args.resource, type: args.type, name: args.name, ...(args.opts.parent ? { parent: args.opts.parent } : {}) });
    options.onRegister?.(args);
    return undefined;
  };

  // definePlatform creates nothing at import time, so importing it before setMocks is safe; index.ts,
  // which runs the program on import, is never loaded here.
  // Pulumi takes a stack trace for every promise it creates, to report leaks; a plan never reports them,
  // and those traces are a third of its time. IBAC_DEBUG=1 keeps them.
  const stackTraceLimit = Error.stackTraceLimit;
  if (!process.env.IBAC_DEBUG) Error.stackTraceLimit = 0;
  try {
    definePlatform(loaded, { transformations: [recorder] });

    // Resources register asynchronously and may create children as they resolve: wait for a fixed point.
    let waitedFor = 0;
    while (waitedFor < recorded.length) {
      const batch = recorded.slice(waitedFor);
      waitedFor = recorded.length;
      await Promise.all(batch.map((r) => settled(r.resource.urn)));
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }

  const urns = new Map<pulumi.Resource, string>();
  for (const r of recorded) urns.set(r.resource, await settled(r.resource.urn));
  const byTypeAndName = new Map(mocks.registrations.map((reg) => [`${reg.type}::${reg.name}`, reg]));
  const secrets = [...mocks.secretValues];

  const resources: PlanResource[] = [];
  for (const r of recorded) {
    const registration = byTypeAndName.get(`${r.type}::${r.name}`);
    resources.push({
      urn: urns.get(r.resource) as string,
      type: r.type,
      name: r.name,
      ...(r.parent ? { parent: urns.get(r.parent) } : {}),
      inputs: (await maskInputs(openSecretWrappers(r.type, registration?.inputs ?? {}, secrets), secrets)) as Record<string, unknown>,
    });
  }

  const deliveredTextByUrn = new Map<string, string>();
  const artifacts = await collectArtifacts(recorded, byTypeAndName, secrets, (r, text) => deliveredTextByUrn.set(urns.get(r.resource) as string, text));
  return { stack: loaded.stack, resources, model: loaded.model, artifacts, knownSecrets: secrets, deliveredTextByUrn };
}

async function collectArtifacts(
  recorded: Recorded[],
  registrations: Map<string, { inputs: Record<string, unknown> }>,
  secrets: string[],
  onDelivered: (r: Recorded, text: string) => void,
): Promise<PlanArtifact[]> {
  const artifacts = new Map<string, PlanArtifact>();
  // By resource, not a search of the list per parent step: that made large plans quadratic.
  const byResource = new Map(recorded.map((r) => [r.resource, r]));
  const parentOf = (r: Recorded): Recorded | undefined => (r.parent ? byResource.get(r.parent) : undefined);
  for (const r of recorded) {
    const inputs = registrations.get(`${r.type}::${r.name}`)?.inputs;
    const vm = owningVmName(r, parentOf);
    if (!inputs) continue;
    const file = await deliveredFileOf({ type: r.type, inputs }, unwrapSecret);
    if (file?.text !== undefined) {
      const masked = scrub(file.text, secrets);
      // Every delivered file's text reaches the policies (the monitoring agents' on the nodes and the QDevice
      // host too); the plan's artifacts stay the VMs' files.
      onDelivered(r, masked);
      if (vm) artifacts.set(`${vm}${file.path}`, { vm, path: file.path, content: masked });
    }
  }
  return [...artifacts.values()].sort((a, b) => `${a.vm}${a.path}`.localeCompare(`${b.vm}${b.path}`));
}

/** The connection fields that hold credentials: always masked, whatever their value. */
const CONNECTION_CREDENTIALS = ["privateKey", "password", "privateKeyPassword"];

/**
 * Two inputs the SDK hands over as one secret although most of them is not: a cloud-init snippet (its
 * user-data carries the VM's private host keys) and an SSH connection (its private key). The plan shows them
 * opened, so that a reader and the policies can judge them: the snippet as its artifact shows it (every
 * made-up secret value masked), the connection with its credentials masked and its host and pinned host key
 * readable.
 */
function openSecretWrappers(type: string, inputs: Record<string, unknown>, secrets: string[]): Record<string, unknown> {
  if (type === RESOURCE_TYPES.FileLegacy && inputs.contentType === "snippets" && isSecretWrapper(inputs.sourceRaw)) {
    const raw = inputs.sourceRaw.value as Record<string, unknown> | undefined;
    const data = unwrapSecret(raw?.data);
    if (!raw || typeof data !== "string") return inputs;
    return { ...inputs, sourceRaw: { ...raw, data: scrub(data, secrets) } };
  }
  if ((type === RESOURCE_TYPES.RemoteCommand || type === RESOURCE_TYPES.CopyToRemote) && isSecretWrapper(inputs.connection)) {
    const connection = inputs.connection.value as Record<string, unknown> | undefined;
    if (!connection) return inputs;
    const opened = Object.fromEntries(Object.entries(connection).map(([k, v]) => [k, CONNECTION_CREDENTIALS.includes(k) ? SECRET_MARK : unwrapSecret(v)]));
    return { ...inputs, connection: opened };
  }
  return inputs;
}

function isSecretWrapper(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

function unwrapSecret(value: unknown): unknown {
  return isSecretWrapper(value) ? value.value : value;
}

const scrubbers = new WeakMap<string[], RegExp | null>();

/**
 * Replaces every occurrence of a known secret value with the secret mark, in one pass over the text (one
 * pass per secret made large stacks' plans quadratic). Longer secrets first, so one that contains another
 * is masked whole.
 */
export function scrub(text: string, secrets: string[]): string {
  let pattern = scrubbers.get(secrets);
  if (pattern === undefined) {
    const alternatives = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    pattern = alternatives.length ? new RegExp(alternatives.join("|"), "g") : null;
    scrubbers.set(secrets, pattern);
  }
  return pattern ? text.replace(pattern, SECRET_MARK) : text;
}

/** Inputs as plan.json shows them: secrets masked, assets as a digest, every string scrubbed. */
async function maskInputs(value: unknown, secrets: string[]): Promise<unknown> {
  if (isSecretWrapper(value)) return SECRET_MARK;
  if (value instanceof pulumi.asset.StringAsset) {
    const text = await (value as unknown as { text: Promise<string> }).text;
    return { asset: "text", sha256: crypto.createHash("sha256").update(text).digest("hex"), bytes: Buffer.byteLength(text) };
  }
  if (typeof value === "string") return scrub(value, secrets);
  if (Array.isArray(value)) return Promise.all(value.map((v) => maskInputs(v, secrets)));
  if (typeof value === "object" && value !== null) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await maskInputs(v, secrets)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}
