import type { IbacPolicy, PolicyClock } from "./kit/types";
import { configPolicies } from "./config-policies";
import { tierRedundancyPolicy } from "./redundancy/tier-redundancy";
import { tierAntiAffinityPolicy } from "./redundancy/tier-anti-affinity";

/** Every policy of the pack, in report order. `clock` fixes "today" for date-dependent checks. */
export function allPolicies(clock: PolicyClock = {}): IbacPolicy[] {
  return [
    tierRedundancyPolicy(),
    tierAntiAffinityPolicy(),
    ...configPolicies(clock),
  ];
}
