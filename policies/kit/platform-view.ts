import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { PLATFORM_TYPE, type PlatformPolicyView, type PolicyModel } from "../../components/model/policy-view";
import type { VmPlan } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import { DebianVm } from "../../components/vm/component";
import { owningVmName } from "../../components/vm/delivered-files";
import { isResourceOf } from "../../components/resource-types";

export interface PlatformView extends PlatformPolicyView {
  /** The platform component's URN: findings about the design as a whole point at it. */
  urn: string;
}

/**
 * The spec and model the stack was built from, read from the IbacPlatform component's inputs. A stack
 * without that component is not an iBac stack: the policy is not applicable.
 */
export function platformView(args: Pick<StackValidationArgs, "resources" | "notApplicable">): PlatformView {
  const platform = args.resources.find((r) => r.type === PLATFORM_TYPE);
  const view = platform ? readPolicyView(platform) : undefined;
  if (!platform || !view) return args.notApplicable(`no ${PLATFORM_TYPE} resource with its spec and model`);
  return { urn: platform.urn, spec: view.spec, model: view.model };
}

/** The spec and model a platform component carries (its `policyView` input, a JSON string). */
export function readPolicyView(platform: PolicyResource): PlatformPolicyView | undefined {
  const text: unknown = platform.props.policyView;
  if (typeof text !== "string") return undefined;
  const view = JSON.parse(text) as Partial<PlatformPolicyView>;
  return view.spec && view.model ? { spec: view.spec as PlatformSpec, model: view.model } : undefined;
}

/** Replaces the platform component's view (tests mutate the design this way). */
export function writePolicyView(platform: PolicyResource, view: PlatformPolicyView): void {
  platform.props.policyView = JSON.stringify(view);
}

/** The model's VM a resource belongs to (see `owningVmName`). */
export function vmOf(resource: PolicyResource, model: PolicyModel): VmPlan | undefined {
  const name = owningVmName(resource, (r) => r.parent);
  return name === undefined ? undefined : model.vms.find((vm) => vm.name === name);
}

/**
 * The URN of a VM's DebianVm component (findings about a file a VM lacks point at it), or `fallback` (the
 * platform) when the stack has none for it.
 */
export function vmUrn(resources: readonly PolicyResource[], vmName: string, fallback: string): string {
  return resources.find((r) => isResourceOf(r, DebianVm) && r.name === vmName)?.urn ?? fallback;
}
