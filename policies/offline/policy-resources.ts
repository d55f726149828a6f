import type { PolicyResource, PolicyResourceOptions } from "@pulumi/policy";
import type { OfflinePlan } from "../../components/offline-plan/run-offline-plan";
import { RESOURCES, isResourceOf, type ResourceClass } from "../../components/resource-types";

function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The offline plan's resources as `@pulumi/policy` hands them to stack policies: the inputs the program
 * registered (secrets masked), file-carrying resources with their text as an asset, parents linked.
 * Inputs stand in for outputs, as in a `pulumi preview` of a new stack.
 */
export function policyResourcesOf(plan: Pick<OfflinePlan, "resources" | "deliveredTextByUrn">): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of plan.resources) {
    const props = deepCopy(r.inputs) as Record<string, unknown>;
    const text = plan.deliveredTextByUrn.get(r.urn);
    if (text !== undefined && isResourceOf(r, RESOURCES.CopyToRemote)) props.source = { text };
    const opts: PolicyResourceOptions = {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      ...(r.parent ? { parent: r.parent } : {}),
    };
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts,
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isResourceOf(r, cls),
      asType: ((cls: ResourceClass) => (isResourceOf(r, cls) ? props : undefined)) as PolicyResource["asType"],
    };
    byUrn.set(r.urn, resource);
  }
  for (const r of plan.resources) {
    const resource = byUrn.get(r.urn);
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (resource && parent) resource.parent = parent;
  }
  return [...byUrn.values()];
}

/** A copy of the resources that can be mutated without touching the original (parents re-linked). */
export function clonePolicyResources(resources: readonly PolicyResource[]): PolicyResource[] {
  const copies = new Map<string, PolicyResource>();
  for (const r of resources) copies.set(r.urn, { ...r, props: deepCopy(r.props), opts: { ...r.opts } });
  for (const r of resources) {
    const copy = copies.get(r.urn);
    if (copy && r.parent) copy.parent = copies.get(r.parent.urn);
  }
  return [...copies.values()];
}
