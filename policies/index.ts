// The policy pack as `pulumi preview --policy-pack policies` loads it: the same factories `ibac check` runs
// offline. Constructing a PolicyPack starts its gRPC server, so nothing else may import this file.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./all-policies";

new PolicyPack("ibac-requirements", {
  description: "The iBac requirement catalogue (policies/catalogue/requirements.yaml) as policies: redundancy, HA and quorum, firewall and flows, TLS, VPN, access, backups, monitoring, supported versions.",
  policies: allPolicies(),
});
