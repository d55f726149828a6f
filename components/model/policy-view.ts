import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "./types";

// The contract between the program and the stack policies: the platform component registers this view as its
// `policyView` input, and the policies read the design from it, under `pulumi preview --policy-pack` and offline
// alike. It lives with the model, not with the component that happens to carry it.

/**
 * The type token of the component that carries the view (IbacPlatform). Said here because the policies find
 * the view by it; the component's constructor should register under this constant.
 */
export const PLATFORM_TYPE = "ibac:platform:IbacPlatform";

/** The part of the model stack policies read: hosts, flows and quorum (the rest follows from them). */
export type PolicyModel = Pick<PlatformModel, "nodes" | "vms" | "flows" | "qdevice" | "quorum" | "virtualIps">;

/** What the IbacPlatform component registers as its input `policyView` (JSON), for the policies. */
export interface PlatformPolicyView {
  spec: PlatformSpec;
  model: PolicyModel;
}

/** The policy view of a model: what policies read, nothing more. */
export function policyModelOf(model: PlatformModel): PolicyModel {
  const { nodes, vms, flows, qdevice, quorum, virtualIps } = model;
  return { nodes, vms, flows, qdevice, quorum, virtualIps };
}
