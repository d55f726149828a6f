// The daemon definitions the arbiter reads (Shinken-only objects, kept out of the objects directory that
// nagios4 -v checks): one per daemon, the second VM's as spares, every one in realm All, talking HTTPS with
// the internal CA between the VMs (monitoring-peers flow).

import type { ShinkenDaemon } from "../plan/types";
import { defineObject } from "../nagios/object-text";

export const REALM = "All";

/** Ping every 5 s, dead after 3 misses: a spare takes over within about 15 s (Shinken's defaults are 60 s). */
const LIVENESS = [
  ["timeout", 3],
  ["data_timeout", 120],
  ["max_check_attempts", 3],
  ["check_interval", 5],
] as const;

const BY_KIND: Record<ShinkenDaemon["kind"], readonly (readonly [string, string | number])[]> = {
  arbiter: [],
  scheduler: [["weight", 1], ["skip_initial_broks", 0]],
  poller: [["manage_sub_realms", 0], ["min_workers", 0], ["max_workers", 0], ["processes_by_worker", 256], ["polling_interval", 1]],
  reactionner: [["manage_sub_realms", 0], ["min_workers", 1], ["max_workers", 15], ["polling_interval", 1]],
  broker: [["manage_arbiters", 1], ["manage_sub_realms", 1]],
  receiver: [["manage_sub_realms", 0]],
};

export function renderDaemon(d: ShinkenDaemon): string {
  return defineObject(d.kind, [
    [`${d.kind}_name`, d.name],
    // The arbiter finds its own definition by the machine's host name.
    ["host_name", d.kind === "arbiter" ? d.vm : undefined],
    ["address", d.address],
    ["port", d.port],
    ["spare", d.spare ? 1 : 0],
    ["realm", d.kind === "arbiter" ? undefined : REALM],
    ...LIVENESS,
    ...BY_KIND[d.kind],
    ["use_ssl", 1],
    // The daemons are addressed by IP and the VMs' certificates name hosts: the chain is checked, not the name.
    ["hard_ssl_name_check", 0],
  ]);
}

export function renderRealm(): string {
  return defineObject("realm", [["realm_name", REALM], ["default", 1]]);
}
