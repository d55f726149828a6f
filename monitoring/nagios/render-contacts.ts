// contacts.cfg: one contact per address (an address on call and in an escalation is one contact in two
// groups), the contact group `oncall`, and one group per escalation level. Addresses are the spec's, which
// allow characters Nagios refuses in names (`$`, `'`, ...): the contact's name is the address with those
// replaced, the address itself goes to `email` and reaches the notification script only as an environment
// variable.

import type { MonitoringPlan } from "../plan/types";
import { COMMANDS } from "./render-commands";
import { CONTACT_GROUP_ONCALL, escalationGroup, TIMEPERIOD } from "./object-names";
import { defineObject, objectFile, objectName, objectValue, show } from "./object-text";


/** The contact name of an address: the address with every character Nagios refuses in a name made `_`. */
export function contactName(address: string): string {
  return `mail-${address.replace(/[^A-Za-z0-9._@+-]/g, "_")}`;
}

/** Every address once, in the order they first appear (on call, then each escalation). */
export function contactAddresses(plan: MonitoringPlan): string[] {
  const all = [...plan.notifications.email, ...plan.notifications.escalations.flatMap((e) => e.email)];
  return [...new Set(all)];
}

export function renderContacts(plan: MonitoringPlan): string {
  const addresses = contactAddresses(plan);
  const names = new Map<string, string>();
  for (const address of addresses) {
    objectValue(address, "notifications: e-mail address");
    const name = objectName(contactName(address), "notifications: contact name");
    const clash = [...names.entries()].find(([, n]) => n === name);
    if (clash) throw new Error(`nagios: notifications: the addresses ${show(clash[0])} and ${show(address)} make the same contact name ${show(name)}`);
    names.set(address, name);
  }
  const members = (list: readonly string[]): string => list.map((a) => names.get(a) ?? "").join(",");
  if (plan.notifications.email.length === 0) throw new Error("nagios: notifications: expected at least one on-call address");
  return objectFile("Contacts: one per address; the on-call group and one group per escalation", [
    ...addresses.map((address) =>
      defineObject("contact", [
        ["contact_name", names.get(address)],
        ["alias", address],
        ["email", address],
        ["host_notifications_enabled", 1],
        ["service_notifications_enabled", 1],
        ["host_notification_period", TIMEPERIOD],
        ["service_notification_period", TIMEPERIOD],
        ["host_notification_options", "d,r"],
        ["service_notification_options", "w,u,c,r"],
        ["host_notification_commands", COMMANDS.notifyHost],
        ["service_notification_commands", COMMANDS.notifyService],
      ]),
    ),
    defineObject("contactgroup", [["contactgroup_name", CONTACT_GROUP_ONCALL], ["alias", "on call: every problem"], ["members", members(plan.notifications.email)]]),
    ...plan.notifications.escalations.map((e, i) =>
      defineObject("contactgroup", [
        ["contactgroup_name", escalationGroup(i)],
        ["alias", `notified too after ${e.afterMinutes} minutes`],
        ["members", members(e.email)],
      ]),
    ),
  ]);
}
