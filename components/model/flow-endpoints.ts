import type { TierName } from "../spec/schema";
import type { FlowEndpoint, FlowZone } from "./types";

/** A flow endpoint for a tier, or one role of it. */
export const tierEndpoint = (name: TierName, role?: "primary" | "replica"): FlowEndpoint =>
  role ? { kind: "tier", tier: name, role } : { kind: "tier", tier: name };

/** A flow endpoint for a zone outside the VMs. */
export const zoneEndpoint = (name: FlowZone): FlowEndpoint => ({ kind: "zone", zone: name });

/** A tier name as it appears in flow ids: `objectStore` -> `object-store`. */
export const flowSlug = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
