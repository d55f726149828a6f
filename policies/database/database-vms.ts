import type { PolicyModel } from "../../components/model/policy-view";
import type { VmPlan } from "../../components/model/types";

/** The database tier's VMs as the model plans them, with the replication role it gives each. */
export function databaseVms(model: PolicyModel): (VmPlan & { role: "primary" | "replica" })[] {
  return model.vms
    .filter((vm) => vm.tier === "database")
    .map((vm) => ({ ...vm, role: vm.role === "primary" ? "primary" : "replica" }));
}
