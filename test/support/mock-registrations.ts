// For the storage tier's tests under pulumi.runtime.setMocks: record what a piece of the program registers,
// wait until it has all registered, and look at the inputs with the secrets taken out.
import * as pulumi from "@pulumi/pulumi";
import type { Registration } from "../../components/offline-plan/mocks";

/**
 * A component to parent what a test declares, which records every resource registered below it (a
 * transformation: under mocks there is no root stack to register a stack transformation with).
 */
export function recordingScope(name: string): { scope: pulumi.ComponentResource; recorded: pulumi.Resource[] } {
  const recorded: pulumi.Resource[] = [];
  const scope = new pulumi.ComponentResource("ibac:test:Scope", name, {}, {
    transformations: [(args) => {
      recorded.push(args.resource);
      return undefined;
    }],
  });
  return { scope, recorded };
}

/** Waits until every recorded resource (and any it created while resolving) has registered. */
export async function settle(recorded: pulumi.Resource[]): Promise<void> {
  let waitedFor = 0;
  while (waitedFor < recorded.length) {
    const batch = recorded.slice(waitedFor);
    waitedFor = recorded.length;
    await Promise.all(batch.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
  }
}

function isSecretWrapper(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** A registration's inputs with every value sent as a secret replaced by "[secret]": what a reader sees in plain text. */
export function plainInputs(registration: Registration): unknown {
  const strip = (value: unknown): unknown => {
    if (isSecretWrapper(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    return value;
  };
  return strip(registration.inputs);
}

/** The registered value at `key`, opened if it was sent as a secret. */
export function openInput(registration: Registration | undefined, key: string): unknown {
  const value = registration?.inputs[key];
  return isSecretWrapper(value) ? value.value : value;
}

export function isSentAsSecret(registration: Registration | undefined, key: string): boolean {
  return isSecretWrapper(registration?.inputs[key]);
}
