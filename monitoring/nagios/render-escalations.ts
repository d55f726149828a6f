// escalations.cfg: a problem that lasts notifies more people. Nagios counts notifications, not minutes:
// notification n goes out (n - 1) x repeat after the problem became hard, so an escalation after A minutes
// starts at the first notification at or after A: n = ceil(A / repeat) + 1. While an escalation applies,
// Nagios notifies only its contact groups, so each level lists on call and every earlier level too.

import type { MonitoringPlan } from "../plan/types";
import { notificationIntervalSeconds } from "./render-templates";
import { CONTACT_GROUP_ONCALL, escalationGroup } from "./object-names";
import { defineObject, objectFile, positiveInteger } from "./object-text";

/** The first notification of an escalation after `afterMinutes`, notifications repeating every `repeatMinutes`. */
export function firstNotification(afterMinutes: number, repeatMinutes: number): number {
  return Math.ceil(afterMinutes / repeatMinutes) + 1;
}

export function renderEscalations(plan: MonitoringPlan): string {
  const n = plan.notifications;
  if (n.escalations.length > 0 && n.repeatMinutes === 0) {
    throw new Error("nagios: notifications: escalations need repeatMinutes above 0 (Nagios escalates by the number of notifications sent, and 0 sends one)");
  }
  const hostgroups = [...new Set(plan.hosts.map((h) => h.hostgroup))].join(",");
  let previous = 0;
  const blocks = n.escalations.flatMap((e, i) => {
    positiveInteger(e.afterMinutes, `notifications.escalations[${i}].afterMinutes`);
    if (e.afterMinutes <= previous) throw new Error(`nagios: notifications.escalations[${i}]: expected afterMinutes above the previous level's ${previous}, found ${e.afterMinutes}`);
    previous = e.afterMinutes;
    const groups = [CONTACT_GROUP_ONCALL, ...n.escalations.slice(0, i + 1).map((_e, j) => escalationGroup(j))].join(",");
    const common = [
      ["first_notification", firstNotification(e.afterMinutes, n.repeatMinutes)],
      ["last_notification", 0],
      ["notification_interval", notificationIntervalSeconds(plan)],
      ["contact_groups", groups],
    ] as const;
    return [
      defineObject("hostescalation", [["hostgroup_name", hostgroups], ...common, ["escalation_options", "d,r"]]),
      defineObject("serviceescalation", [["hostgroup_name", hostgroups], ["service_description", "*"], ...common, ["escalation_options", "w,u,c,r"]]),
    ];
  });
  return objectFile("Escalations: who else is notified when a problem lasts", blocks);
}
