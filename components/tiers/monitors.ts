import type { TierName } from "../spec/schema";
import type { PlatformModel, VmPlan } from "../model/types";
import { monitorFlowIds } from "../model/flows";
import { tierDefinition } from "./registry";

/**
 * One check monitoring runs against one VM, or against a virtual address wherever it is, made from the flow that
 * lets it through the firewall.
 */
export interface ServiceMonitor {
  /** `<flow id>@<vm>` or `<flow id>@<virtual address's name>`: unique in the stack. */
  id: string;
  /** The VM checked, for a check of one VM. */
  vm?: string;
  /** The virtual address checked (its name in the model's `virtualIps`), for a check that follows it. */
  virtualAddress?: string;
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
 * The checks of a tier: one per VM for each monitoring flow into the tier (its agent, and its service port
 * where it serves one), so a monitor exists exactly where the firewall lets monitoring through. A tier whose
 * service answers only on its virtual addresses (`serviceOn`) gets its service check once per virtual address
 * instead: a check of each VM's own address would fail on every VM by design.
 */
export function tierMonitors(model: Pick<PlatformModel, "vms" | "flows" | "virtualIps">, tier: TierName): ServiceMonitor[] {
  const definition = tierDefinition(tier);
  const ids = monitorFlowIds(tier);
  const layers = new Map<string, ServiceMonitor["layer"]>([[ids.server, "server"], [ids.service, "service"]]);
  return model.flows.flatMap((flow) => {
    const layer = layers.get(flow.id);
    const destination = flow.destination;
    if (!layer || flow.protocol !== "tcp" || destination.kind !== "tier") return [];
    if (layer === "service" && definition.serviceOn === "virtual-address") {
      return definition.virtualAddresses.map((v): ServiceMonitor => {
        const address = model.virtualIps[v.name];
        if (!address) throw new Error(`monitors of the ${tier} tier: the model has no ${v.name} virtual address`);
        return { id: `${flow.id}@${v.name}`, virtualAddress: v.name, address, layer, protocol: "tcp", port: Number(flow.ports), flowId: flow.id, what: flow.purpose };
      });
    }
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
