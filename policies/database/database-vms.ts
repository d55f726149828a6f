import type { PolicyModel } from "../../components/model/policy-view";
import type { PolicyResource } from "@pulumi/policy";
import type { VmPlan } from "../../components/model/types";

/** The component every VM of the platform is built by: findings about a file a VM lacks point at it. */
export const DEBIAN_VM_TYPE = "ibac:vm:DebianVm";

/** The URN of a VM's DebianVm component, or `fallback` (the platform) when the stack has none for it. */
export function vmUrn(resources: readonly PolicyResource[], vmName: string, fallback: string): string {
  return resources.find((r) => r.type === DEBIAN_VM_TYPE && r.name === vmName)?.urn ?? fallback;
}

/** The database tier's VMs as the model plans them, with the replication role it gives each. */
export function databaseVms(model: PolicyModel): (VmPlan & { role: "primary" | "replica" })[] {
  return model.vms
    .filter((vm) => vm.tier === "database")
    .map((vm) => ({ ...vm, role: vm.role === "primary" ? "primary" : "replica" }));
}
