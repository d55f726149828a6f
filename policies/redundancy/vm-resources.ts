import type { PolicyModel } from "../../components/model/policy-view";
import type { PolicyResource } from "@pulumi/policy";
import type { TierName } from "../../components/spec/schema";
import { RESOURCES, isResourceOf } from "../../components/resource-types";


/** A VM resource with the tier the model gives its name. */
export interface DeclaredVm {
  resource: PolicyResource;
  name: string;
  tier: TierName | undefined;
  /** The node the resource places it on (`nodeName`). */
  node: string;
  vmId: number;
}

/** Every VmLegacy of the stack, by what the resources say (name, node, id), tier from the model. */
export function declaredVms(resources: readonly PolicyResource[], model: PolicyModel): DeclaredVm[] {
  return resources.filter((r) => isResourceOf(r, RESOURCES.VmLegacy)).map((r) => {
    const name = String(r.props.name);
    return { resource: r, name, tier: model.vms.find((v) => v.name === name)?.tier, node: String(r.props.nodeName), vmId: Number(r.props.vmId) };
  });
}

/** The tiers the spec asks for: every tier of the model, whatever the resources hold. */
export function designTiers(model: PolicyModel): TierName[] {
  return [...new Set(model.vms.map((v) => v.tier))];
}
