import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredVms, designTiers } from "./vm-resources";

/** The least number of VMs a service tier may run on (seed design: every service on at least two VMs). */
export const MIN_VMS_PER_TIER = 2;

/** Every service tier runs on at least two VMs: counted from the VM resources, not from the spec. */
export function tierRedundancyPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "tier-redundancy",
    description: `Every service tier runs on at least ${MIN_VMS_PER_TIER} VMs.`,
    requirements: ["IBAC-ARC-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const vms = declaredVms(resources, view.model);
    for (const tier of designTiers(view.model)) {
      const ofTier = vms.filter((v) => v.tier === tier);
      if (ofTier.length < MIN_VMS_PER_TIER) {
        reportFinding(report, {
          subject: `tier ${tier}`,
          observed: `${ofTier.length} VM${ofTier.length === 1 ? "" : "s"}${ofTier.length ? ` (${ofTier.map((v) => v.name).join(", ")})` : ""}`,
          expected: `at least ${MIN_VMS_PER_TIER} VMs`,
          urn: ofTier[0]?.resource.urn ?? view.urn,
        });
      }
    }
  });
}
