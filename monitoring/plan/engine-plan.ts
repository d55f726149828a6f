import type { PlatformModel } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import { repeatMinutes } from "./defaults";
import { serviceAddress } from "./hosts";
import type { MonitoringServer, NotificationPlan, ShinkenDaemon, ShinkenDaemonKind } from "./types";

/** Shinken's default daemon ports, inside the monitoring-peers flow (7768:7773). */
export const SHINKEN_DAEMON_PORTS: Readonly<Record<ShinkenDaemonKind, number>> = {
  scheduler: 7768,
  reactionner: 7769,
  arbiter: 7770,
  poller: 7771,
  broker: 7772,
  receiver: 7773,
};

/** The monitoring VMs: the first notifies (`active`), every other one runs the same checks on standby. */
export function monitoringServers(model: Pick<PlatformModel, "vms">): MonitoringServer[] {
  return model.vms
    .filter((vm) => vm.tier === "monitoring")
    .sort((a, b) => a.index - b.index)
    .map((vm, i): MonitoringServer => ({ vm: vm.name, address: serviceAddress(vm), node: vm.node, role: i === 0 ? "active" : "standby" }));
}

/**
 * Shinken's daemons, every kind on every monitoring VM; all but the first VM's are spares, which take over
 * when the VM of their master fails. The VMs are on distinct nodes where the placement allows (anti-affinity),
 * so losing a node or a VM loses no role.
 */
export function shinkenDaemons(spec: Pick<PlatformSpec, "monitoring">, model: Pick<PlatformModel, "vms">): ShinkenDaemon[] {
  if (spec.monitoring.engine !== "shinken") return [];
  const kinds = Object.keys(SHINKEN_DAEMON_PORTS) as ShinkenDaemonKind[];
  return monitoringServers(model).flatMap((server, i) =>
    kinds.map((kind): ShinkenDaemon => ({ kind, name: `${kind}-${server.vm}`, vm: server.vm, address: server.address, port: SHINKEN_DAEMON_PORTS[kind], spare: i > 0 })));
}

/** Who is told, through which relay, how often, and who else once a problem lasts. */
export function notificationPlan(spec: Pick<PlatformSpec, "notifications">): NotificationPlan {
  const n = spec.notifications;
  return {
    relay: { host: n.smtpRelay.host, port: n.smtpRelay.port },
    from: n.from,
    email: [...n.email],
    repeatMinutes: repeatMinutes(spec),
    escalations: (n.escalations ?? []).map((e) => ({ afterMinutes: e.afterMinutes, email: [...e.email] })),
  };
}
