// The baselines the plan is judged against, under the same mocks as `ibac plan` and nothing else:
// - plain: as many custom resources as the stack has, each with three plain inputs: the SDK's least price
//   per registration (the baseline the issue names);
// - shaped: the same resources as the stack's, each a custom resource or a component as in the plan and
//   with as many properties (inputs and declared outputs, each of which the SDK turns into an Output), but
//   no parents, dependencies or rendering: the SDK's price for those resources, without the program.
import * as pulumi from "@pulumi/pulumi";
import type { LoadedStack } from "../components/spec/load";
import { OfflinePlanMocks } from "../components/offline-plan/mocks";

/** What a resource costs the SDK to register: custom or component, and how many properties it declares. */
export interface ResourceShape {
  custom: boolean;
  properties: number;
}

/** The shape of a resource as the program registered it. */
export function shapeOf(args: pulumi.ResourceTransformationArgs): ResourceShape {
  return { custom: args.resource instanceof pulumi.CustomResource, properties: Object.keys(args.props).length };
}

class Plain extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("bench:index:Plain", name, props, {});
  }
}

class Group extends pulumi.ComponentResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("bench:index:Group", name, props, {});
    this.registerOutputs({});
  }
}

/** Properties as a generated SDK class declares them: inputs set, outputs present but undefined. */
function properties(count: number, index: number): pulumi.Inputs {
  const props: pulumi.Inputs = { index, label: `r-${index}` };
  for (let i = 2; i < count; i++) props[`p${i}`] = undefined;
  return props;
}

/** Registers one resource per shape (plain: three inputs each) under the plan's mocks and waits for them all. */
export async function runBareProgram(loaded: LoadedStack, shapes: readonly ResourceShape[]): Promise<void> {
  await pulumi.runtime.setMocks(new OfflinePlanMocks(loaded.model, loaded.stack), "ibac-platform", loaded.stack, false);
  // As in the offline plan: no stack trace per promise, which would otherwise dominate both figures.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const resources = shapes.map((shape, i) => (shape.custom ? new Plain(`r-${i}`, properties(shape.properties, i)) : new Group(`r-${i}`, properties(shape.properties, i))));
    await Promise.all(resources.map((r) => new Promise<string>((resolve) => r.urn.apply(resolve))));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** The plain baseline: `count` custom resources with three inputs each. */
export function plainShapes(count: number): ResourceShape[] {
  return Array.from({ length: count }, () => ({ custom: true, properties: 3 }));
}
