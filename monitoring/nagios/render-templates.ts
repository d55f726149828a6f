// templates.cfg and timeperiods.cfg: the check timing of every host and service, said once. With
// interval_length=1 (the main config) every interval here is in seconds, straight from plan.timing.

import type { MonitoringPlan } from "../plan/types";
import { CONTACT_GROUP_ONCALL, HOST_TEMPLATE, SERVICE_TEMPLATE, TIMEPERIOD } from "./object-names";
import { defineObject, objectFile, positiveInteger } from "./object-text";

/** Seconds between repeated notifications of a problem that lasts; 0: notify once. */
export function notificationIntervalSeconds(plan: MonitoringPlan): number {
  return positiveInteger(plan.notifications.repeatMinutes, "notifications.repeatMinutes", 0) * 60;
}

export function renderTemplates(plan: MonitoringPlan): string {
  const t = plan.timing;
  const timing = [
    ["check_interval", positiveInteger(t.intervalSeconds, "timing.intervalSeconds")],
    ["retry_interval", positiveInteger(t.retryIntervalSeconds, "timing.retryIntervalSeconds")],
    ["max_check_attempts", positiveInteger(t.attempts, "timing.attempts")],
    ["check_period", TIMEPERIOD],
    ["active_checks_enabled", 1],
    ["notifications_enabled", 1],
    ["notification_period", TIMEPERIOD],
    ["notification_interval", notificationIntervalSeconds(plan)],
    ["first_notification_delay", 0],
    ["contact_groups", CONTACT_GROUP_ONCALL],
    ["event_handler_enabled", 1],
    ["flap_detection_enabled", 0],
    ["process_perf_data", 0],
    ["retain_status_information", 1],
    ["retain_nonstatus_information", 1],
  ] as const;
  return objectFile("Templates: the check timing of every host and service (seconds: interval_length=1)", [
    defineObject("host", [
      ["name", HOST_TEMPLATE],
      ...timing,
      // d,r only: a node failure notifies once (the node DOWN); the VMs behind it are UNREACHABLE, silent.
      ["notification_options", "d,r"],
      ["register", 0],
    ]),
    defineObject("service", [
      ["name", SERVICE_TEMPLATE],
      ...timing,
      ["notification_options", "w,u,c,r"],
      ["register", 0],
    ]),
  ]);
}

export function renderTimeperiods(): string {
  const days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
  return objectFile("Time periods: monitoring and notifications never pause", [
    defineObject("timeperiod", [["timeperiod_name", TIMEPERIOD], ["alias", "always"], ...days.map((d) => [d, "00:00-24:00"] as const)]),
  ]);
}

