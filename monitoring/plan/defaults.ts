import type { PlatformSpec } from "../../components/spec/schema";
import type { ExpiryThresholds } from "./types";

// The monitoring spec's defaults, said once: the plan, the spec checks and the docs read them from here.

/** A problem that lasts notifies again every hour unless the spec says otherwise (`notifications.repeatMinutes`). */
export const DEFAULT_REPEAT_MINUTES = 60;

/** A certificate warns 30 days before it expires and is critical at 14 (`monitoring.certificateExpiry`). */
export const DEFAULT_CERTIFICATE_EXPIRY: ExpiryThresholds = { warnDays: 30, criticalDays: 14 };

/** NRPE's port, on every monitored host (the agent flows' port). */
export const AGENT_PORT = 5666;

export function certificateExpiry(spec: Pick<PlatformSpec, "monitoring">): ExpiryThresholds {
  return spec.monitoring.certificateExpiry ?? DEFAULT_CERTIFICATE_EXPIRY;
}

export function repeatMinutes(spec: Pick<PlatformSpec, "notifications">): number {
  return spec.notifications.repeatMinutes ?? DEFAULT_REPEAT_MINUTES;
}
