import type { TierName } from "../spec/schema";
import type { FlowModel, VmPlan } from "../model/types";
import { monitorFlowIds } from "../model/flows";

/** One check monitoring runs against one VM, made from the flow that lets it through the firewall. */
export interface ServiceMonitor {
  /** `<flow id>@<vm>`: unique in the stack. */
  id: string;
  vm: string;
  address: string;
  /** `server` (the agent on the VM) or `service` (the port the tier serves). */
  layer: "server" | "service";
  protocol: "tcp";
  port: number;
  flowId: string;
  /** What is checked, from the flow's purpose. */
  what: string;
}

function serviceAddress(vm: VmPlan): string {
  return (vm.nics.find((n) => n.network === "service") ?? vm.nics[0]).address;
}

/**
 * The checks of a tier's VMs: one per VM for each monitoring flow into the tier (its agent, and its service
 * port where it serves one), so a monitor exists exactly where the firewall lets monitoring through.
 */
export function tierMonitors(model: FlowModel, tier: TierName): ServiceMonitor[] {
  const ids = monitorFlowIds(tier);
  const layers = new Map<string, ServiceMonitor["layer"]>([[ids.server, "server"], [ids.service, "service"]]);
  return model.flows.flatMap((flow) => {
    const layer = layers.get(flow.id);
    const destination = flow.destination;
    if (!layer || flow.protocol !== "tcp" || destination.kind !== "tier") return [];
    return model.vms
      .filter((vm) => vm.tier === destination.tier && (!destination.role || vm.role === destination.role))
      .map((vm): ServiceMonitor => ({
        id: `${flow.id}@${vm.name}`,
        vm: vm.name,
        address: serviceAddress(vm),
        layer,
        protocol: "tcp",
        port: Number(flow.ports),
        flowId: flow.id,
        what: flow.purpose,
      }));
  });
}
