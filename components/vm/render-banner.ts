import type { VmPlan } from "../model/types";

/**
 * The login banner of a VM: the legal notice every login must show, and what the VM is, so that an
 * on-call engineer who lands on it at 3 a.m. knows where they are and that the toolkit owns its files.
 */
export function renderLoginBanner(vm: VmPlan, siteName: string): string {
  const role = vm.role ? ` (${vm.role})` : "";
  return [
    "Authorised use only. All activity on this system is logged and monitored.",
    "",
    `${vm.fqdn}: iBac ${vm.tier}${role}, VM ${vm.vmId} on ${vm.node}, site ${siteName}.`,
    "Configuration files here are managed by the ibac toolkit: change the stack, not the file.",
    "",
  ].join("\n");
}
