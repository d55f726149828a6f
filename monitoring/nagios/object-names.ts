// The names the object files share (templates, the time period, contact groups), said once.

export const HOST_TEMPLATE = "ibac-host";
export const SERVICE_TEMPLATE = "ibac-service";
export const TIMEPERIOD = "24x7";
export const CONTACT_GROUP_ONCALL = "oncall";

/** The contact group of escalation level `index` (0-based): escalation-1, escalation-2, ... */
export function escalationGroup(index: number): string {
  return `escalation-${index + 1}`;
}

/** The service the standby checks the active engine by (standby.cfg), with the takeover handler. */
export const ENGINE_SERVICE = "monitoring engine";
