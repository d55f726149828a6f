import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { IbacPolicyMeta, IbacResourcePolicy, IbacStackPolicy } from "./types";
import { platformView, type PlatformView } from "./platform-view";

/**
 * A resource policy over the given types: `check` runs once per resource of those types. Requirement ids
 * become the policy's tags, so `pulumi preview` shows them too.
 */
export function resourcePolicy(
  meta: IbacPolicyMeta,
  appliesTo: string[],
  check: (resource: ResourceValidationArgs, report: ReportViolation) => void | Promise<void>,
): IbacResourcePolicy {
  return {
    ...meta,
    kind: "resource",
    tags: meta.requirements,
    appliesTo,
    validateResource: async (args, report) => {
      if (appliesTo.includes(args.type)) await check(args, report);
    },
  };
}

/**
 * A stack policy that reads the platform's spec and model along with every resource. `notApplicable` ends the
 * run as not applicable (the spec declares nothing the policy judges): the requirement then reads "declared",
 * never "pass" (policies/results/evaluate.ts).
 */
export function stackPolicy(
  meta: IbacPolicyMeta,
  check: (view: PlatformView, resources: readonly PolicyResource[], report: ReportViolation, notApplicable: (reason: string) => never) => void | Promise<void>,
): IbacStackPolicy {
  return {
    ...meta,
    kind: "stack",
    tags: meta.requirements,
    validateStack: async (args: StackValidationArgs, report) => {
      await check(platformView(args), args.resources, report, (reason) => args.notApplicable(reason));
    },
  };
}
