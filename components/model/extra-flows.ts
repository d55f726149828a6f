import { TIER_NAMES, type PlatformSpec, type TierName } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";
import { closestWord } from "../input/did-you-mean";
import { tierDefinition, tiersWithRoles } from "../tiers/registry";
import { FLOW_ZONES, type Flow, type FlowEndpoint, type FlowZone } from "./types";

type ExtraFlow = NonNullable<PlatformSpec["flows"]>[number];

/** `tier:<tier>[:primary|replica]` or `zone:<zone>`, or a message saying what was expected. */
export function parseFlowEndpoint(text: string): FlowEndpoint | string {
  const [kind, name, role, ...rest] = text.split(":");
  if (kind === "tier" && name && rest.length === 0) {
    if (!(TIER_NAMES as readonly string[]).includes(name)) {
      const suggestion = closestWord(name, [...TIER_NAMES]);
      return `expected a tier (${TIER_NAMES.join(", ")}), found "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`;
    }
    if (role === undefined) return { kind: "tier", tier: name as TierName };
    if (role === "primary" || role === "replica") {
      if (!tierDefinition(name as TierName).roles?.names.includes(role)) return `expected a role only for the ${tiersWithRoles().join(", ")} tier, found "${text}"`;
      return { kind: "tier", tier: name as TierName, role };
    }
    return `expected the role primary or replica, found "${role}"`;
  }
  if (kind === "zone" && name && role === undefined) {
    if (!(FLOW_ZONES as readonly string[]).includes(name)) {
      const suggestion = closestWord(name, [...FLOW_ZONES]);
      return `expected a zone (${FLOW_ZONES.join(", ")}), found "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`;
    }
    return { kind: "zone", zone: name as FlowZone };
  }
  return `expected tier:<tier>[:primary|replica] or zone:<zone>, found "${text}"`;
}

/**
 * The spec's extra flows, checked: endpoints that exist, ports in range, no opening from the internet
 * (`zone:mobiles` reaches only the VPN's IKE ports, which the design already opens), ids not reused.
 */
export function checkExtraFlows(spec: PlatformSpec, designFlowIds: string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set(designFlowIds);
  (spec.flows ?? []).forEach((flow, i) => {
    const at = (field: string): (string | number)[] => ["flows", i, field];
    if (seen.has(flow.id)) problems.push({ path: at("id"), detail: `expected an id no other flow has, found "${flow.id}" again` });
    seen.add(flow.id);
    for (const field of ["source", "destination"] as const) {
      const parsed = parseFlowEndpoint(flow[field]);
      if (typeof parsed === "string") problems.push({ path: at(field), detail: parsed });
    }
    const [low, high = low] = flow.ports.split(":").map(Number);
    if (low < 1 || high > 65535 || low > high) {
      problems.push({ path: at("ports"), detail: `expected a port from 1 to 65535 or a range low:high within it, found "${flow.ports}"` });
    }
    if (flow.source === "zone:mobiles") {
      problems.push({ path: at("source"), detail: "expected a source narrower than the internet: an opening from zone:mobiles is an allow-any rule (mobiles reach the platform only through the VPN)" });
    } else if (low === 1 && high === 65535) {
      problems.push({ path: at("ports"), detail: `expected the ports the service uses, found "${flow.ports}": every port is an allow-any rule` });
    }
  });
  return problems;
}

/** The spec's extra flows as model flows (only call on a spec whose checkExtraFlows found nothing). */
export function extraFlows(spec: PlatformSpec): Flow[] {
  return (spec.flows ?? []).map((f: ExtraFlow) => ({
    id: f.id,
    source: parseFlowEndpoint(f.source) as FlowEndpoint,
    destination: parseFlowEndpoint(f.destination) as FlowEndpoint,
    protocol: f.protocol,
    ports: f.ports,
    purpose: f.purpose,
  }));
}
