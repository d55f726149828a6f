import type { PolicyResource } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { ipFilterSets } from "../../components/vm/ip-filter-sets";
import type { Finding } from "../kit/types";

const bare = (member: string): string => member.replace(/\/32$/, "");
const isOn = (value: unknown): boolean => value === true || value === "true";

/**
 * What the IP filter would drop: for every VM whose firewall options turn `ipfilter` on, each NIC needs its
 * VM-scoped `ipfilter-net<N>` set holding the NIC's own address and, on the service NIC, the virtual
 * addresses the VM's tier may hold; Proxmox adds none of a VM's addresses itself, so a missing set or member
 * drops every packet sent from that address (the intended flows from it are blocked). A member beyond those
 * lets the VM send as another host: reported too.
 */
export function ipFilterFindings(model: PolicyModel, resources: readonly PolicyResource[]): Finding[] {
  const findings: Finding[] = [];
  const vmSets = resources.filter((r) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy) && r.props.vmId !== undefined);
  for (const options of resources.filter((r) => isResourceOf(r, RESOURCES.FirewallOptionsLegacy) && isOn(r.props.ipfilter))) {
    const vm = model.vms.find((v) => v.vmId === Number(options.props.vmId));
    if (!vm) continue;
    for (const set of ipFilterSets(vm, model)) {
      const declared = vmSets.find((r) => Number(r.props.vmId) === vm.vmId && r.props.name === set.name);
      const expected = set.entries.map((e) => e.cidr);
      if (!declared) {
        findings.push({ subject: `${vm.name}'s ${set.device} IP filter`, observed: `ipfilter on, no ${set.name} IP set: every packet it sends is dropped`, expected: `an ${set.name} set holding ${expected.join(", ")}`, urn: options.urn, location: "inputs.ipfilter" });
        continue;
      }
      const members = ((declared.props.cidrs as { name?: string }[] | undefined) ?? []).map((c) => bare(String(c.name ?? "")));
      const missing = expected.filter((a) => !members.includes(a));
      const extra = members.filter((m) => !expected.includes(m));
      if (missing.length) findings.push({ subject: `${vm.name}'s ${set.device} IP filter`, observed: `${set.name} lacks ${missing.join(", ")}: packets from it are dropped`, expected: `${set.name} holding ${expected.join(", ")}`, urn: declared.urn, location: "inputs.cidrs" });
      if (extra.length) findings.push({ subject: `${vm.name}'s ${set.device} IP filter`, observed: `${set.name} also holds ${extra.join(", ")}: the VM may send as that address`, expected: `${set.name} holding ${expected.join(", ")} only`, urn: declared.urn, location: "inputs.cidrs" });
    }
  }
  return findings;
}
