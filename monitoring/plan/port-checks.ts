import { TIER_NAMES } from "../../components/spec/schema";
import { tierMonitors } from "../../components/tiers/monitors";
import { tierDefinition } from "../../components/tiers/registry";
import { description } from "./description";
import { virtualAddressHost } from "./hosts";
import { hostNamed, type PlanContext, type PlannedCheck } from "./planned-check";

/**
 * The service port of every tier that serves one, as the tiers' own monitors say (components/tiers/monitors.ts,
 * made from the monitoring flows): on each VM, or on the virtual address where the service answers only there.
 * Their agent-port monitors are not repeated: the host check is that connect, and every NRPE check rides it.
 */
export function portChecks(ctx: PlanContext): PlannedCheck[] {
  return TIER_NAMES.flatMap((tier) => {
    const what = tierDefinition(tier).servicePort?.(ctx.spec).what ?? tier;
    return tierMonitors(ctx.model, tier)
      .filter((m) => m.layer === "service")
      .map((m): PlannedCheck => {
        const hostName = m.virtualAddress !== undefined ? virtualAddressHost(m.virtualAddress) : m.vm;
        if (hostName === undefined) throw new Error(`monitoring plan: the monitor ${m.id} names neither a VM nor a virtual address`);
        const host = hostNamed(ctx, hostName);
        return { check: { host: host.name, description: description(`${what} port ${m.port}`), layer: "service", command: { kind: "tcp", port: m.port }, flowId: m.flowId, what: m.what } };
      });
  });
}
