// The baseline the plan is judged against: a bare Pulumi program that registers plain custom resources
// under the same mocks as `ibac plan`, and nothing else. What it costs per resource is the SDK's own price;
// the platform's program should cost a small multiple of it, whatever the stack's size.
import * as pulumi from "@pulumi/pulumi";
import type { LoadedStack } from "../components/spec/load";
import { OfflinePlanMocks } from "../components/offline-plan/mocks";

/** A resource with a few plain inputs, no dependencies: the least a registration can be. */
class Plain extends pulumi.CustomResource {
  constructor(name: string, index: number) {
    super("bench:index:Plain", name, { index, label: `plain-${index}`, enabled: true }, {});
  }
}

/** Registers `count` plain resources under the offline plan's mocks for `loaded` and waits for them all. */
export async function runBareProgram(loaded: LoadedStack, count: number): Promise<void> {
  await pulumi.runtime.setMocks(new OfflinePlanMocks(loaded.model, loaded.stack), "ibac-platform", loaded.stack, false);
  // As in the offline plan: no stack trace per promise, which would otherwise dominate both figures.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const resources = Array.from({ length: count }, (_, i) => new Plain(`plain-${i}`, i));
    await Promise.all(resources.map((r) => new Promise<string>((resolve) => r.urn.apply(resolve))));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}
