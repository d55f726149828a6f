// The Shinken daemons of a plan, checked before any file: every kind once as master and at most once as
// spare, each on a monitoring VM, at a checked address and port, named `<kind>-<vm>`.

import type { MonitoringPlan, ShinkenDaemon, ShinkenDaemonKind } from "../plan/types";
import { commandArgument, HOST_NAME, HOST_NAME_EXPECTED, objectName, port, show } from "../nagios/object-text";

export const DAEMON_KINDS: readonly ShinkenDaemonKind[] = ["arbiter", "scheduler", "poller", "reactionner", "broker", "receiver"];

export function checkDaemons(plan: MonitoringPlan): ShinkenDaemon[] {
  if (plan.engine !== "shinken") throw new Error(`shinken: the plan's engine is ${plan.engine}, not shinken`);
  const vms = new Set(plan.servers.map((s) => s.vm));
  for (const d of plan.shinkenDaemons) {
    const what = `daemon ${show(d.name)}`;
    objectName(d.name, `${what}: name`);
    if (d.name !== `${d.kind}-${d.vm}`) throw new Error(`shinken: ${what}: expected the name ${d.kind}-${d.vm}`);
    if (!vms.has(d.vm)) throw new Error(`shinken: ${what}: ${show(d.vm)} is not a monitoring VM of the plan`);
    commandArgument(d.address, HOST_NAME, HOST_NAME_EXPECTED, `${what}: address`);
    port(d.port, `${what}: port`);
  }
  for (const kind of DAEMON_KINDS) {
    const of = plan.shinkenDaemons.filter((d) => d.kind === kind);
    const masters = of.filter((d) => !d.spare).length;
    if (masters !== 1) throw new Error(`shinken: expected one ${kind} that is not a spare, found ${masters}`);
    const onOneVm = new Set(of.map((d) => d.vm));
    if (onOneVm.size !== of.length) throw new Error(`shinken: two ${kind}s on one VM`);
  }
  return plan.shinkenDaemons;
}
