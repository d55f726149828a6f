import type { IbacPolicy, PolicyClock } from "./kit/types";
import { configPolicies } from "./config-policies";
import { tierRedundancyPolicy } from "./redundancy/tier-redundancy";
import { tierAntiAffinityPolicy } from "./redundancy/tier-anti-affinity";
import { clusterQuorumDevicePolicy } from "./platform/cluster-quorum-device";
import { haCoveragePolicy } from "./platform/ha-coverage";
import { capacityNPlusOnePolicy } from "./platform/capacity-n-plus-one";
import { supportedVersionsPolicy } from "./platform/supported-versions";
import { firewallDefaultDenyPolicy } from "./network/firewall-default-deny";
import { firewallRulesPerFlowPolicy } from "./network/firewall-rules-per-flow";
import { flowsMatchIntentPolicy } from "./network/flows-match-intent";
import { adminInterfacesRestrictedPolicy } from "./network/admin-interfaces-restricted";
import { remoteAccessLimitedPolicy } from "./network/remote-access-limited";

/** Every policy of the pack, in report order. `clock` fixes "today" for date-dependent checks. */
export function allPolicies(clock: PolicyClock = {}): IbacPolicy[] {
  return [
    tierRedundancyPolicy(),
    tierAntiAffinityPolicy(),
    clusterQuorumDevicePolicy(),
    haCoveragePolicy(),
    capacityNPlusOnePolicy(),
    firewallDefaultDenyPolicy(),
    firewallRulesPerFlowPolicy(),
    flowsMatchIntentPolicy(),
    adminInterfacesRestrictedPolicy(),
    remoteAccessLimitedPolicy(),
    supportedVersionsPolicy(clock),
    ...configPolicies(clock),
  ];
}
