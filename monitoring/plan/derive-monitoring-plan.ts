import type { PlatformModel } from "../../components/model/types";
import type { PlatformSpec } from "../../components/spec/schema";
import type { TlsEndpoint } from "../../components/tiers/tier-component";
import { backupPlanOf } from "../../components/backup/plan";
import { PRODUCTION_MONITORING_PATHS, type MonitoringPaths } from "../paths";
import { AGENT_PORT, certificateExpiry } from "./defaults";
import { monitoredHosts } from "./hosts";
import type { PlanContext, PlannedCheck } from "./planned-check";
import { serverChecks } from "./server-checks";
import { portChecks } from "./port-checks";
import { databaseChecks } from "./database-checks";
import { backupClusterChecks, loadBalancerChecks, objectStoreChecks } from "./cluster-checks";
import { baculaChecks } from "./bacula-checks";
import { certificateChecks } from "./certificate-checks";
import { applicationChecks, engineChecks, vpnChecks } from "./host-service-checks";
import { monitoringServers, notificationPlan, shinkenDaemons } from "./engine-plan";
import type { AgentCommand, AgentPlan, MonitorCheck, MonitoringPlan } from "./types";

/**
 * Everything monitoring runs, from the model: every host (nodes, QDevice, VMs, virtual addresses), its server
 * layer and its services' checks (each over the model flow that lets it through the firewall), the agents'
 * commands, the engine's servers and daemons, the notifications and the timing. Pure; `tlsEndpoints` are the
 * tier components' (the certificates they serve), `paths` where the agents' programs are (a lab root moves them).
 */
export function deriveMonitoringPlan(
  spec: PlatformSpec,
  model: PlatformModel,
  tlsEndpoints: readonly TlsEndpoint[],
  paths: MonitoringPaths = PRODUCTION_MONITORING_PATHS,
): MonitoringPlan {
  const hosts = monitoredHosts(model);
  const ctx: PlanContext = { spec, model, paths, expiry: certificateExpiry(spec), hosts: new Map(hosts.map((h) => [h.name, h])) };
  const bacula = model.vms.some((vm) => vm.tier === "backup") ? backupPlanOf(spec, model) : undefined;
  const planned: PlannedCheck[] = [
    ...hosts.flatMap((h) => serverChecks(ctx, h)),
    ...portChecks(ctx),
    ...databaseChecks(ctx),
    ...loadBalancerChecks(ctx),
    ...objectStoreChecks(ctx),
    ...backupClusterChecks(ctx),
    ...(bacula ? baculaChecks(ctx, bacula) : []),
    ...certificateChecks(ctx, tlsEndpoints, bacula),
    ...applicationChecks(ctx),
    ...vpnChecks(ctx),
    ...engineChecks(ctx),
  ];
  const checks = inHostOrder(planned.map((p) => p.check), hosts.map((h) => h.name));
  assertUniqueDescriptions(checks);
  const servers = monitoringServers(model);
  const allowedFrom = servers.map((s) => s.address);
  const agents = hosts.filter((h) => h.agent).map((h): AgentPlan => ({
    host: h.name,
    address: h.address,
    port: AGENT_PORT,
    allowedFrom,
    tlsName: `${h.name}.${model.site.domain}`,
    commands: agentCommandsOf(planned.filter((p) => p.check.host === h.name)),
  }));
  return {
    engine: spec.monitoring.engine,
    timing: { ...spec.monitoring.checks },
    servers,
    hosts,
    checks,
    agents,
    notifications: notificationPlan(spec),
    shinkenDaemons: shinkenDaemons(spec, model),
  };
}

/** Checks grouped by host in the hosts' order, each host's server layer first (a stable, readable order). */
function inHostOrder(checks: MonitorCheck[], hostOrder: string[]): MonitorCheck[] {
  const rank = new Map(hostOrder.map((h, i) => [h, i]));
  const layer = (c: MonitorCheck): number => (c.layer === "server" ? 0 : 1);
  return checks
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (rank.get(a.c.host) ?? 0) - (rank.get(b.c.host) ?? 0) || layer(a.c) - layer(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

/** The engine refuses two services of one description on a host: a toolkit bug, caught here. */
function assertUniqueDescriptions(checks: readonly MonitorCheck[]): void {
  const seen = new Set<string>();
  for (const c of checks) {
    const key = `${c.host}\u0000${c.description}`;
    if (seen.has(key)) throw new Error(`monitoring plan: ${c.host} has two checks described "${c.description}"`);
    seen.add(key);
  }
}

/** A host's agent commands, each once; two checks may not define one name differently. */
function agentCommandsOf(planned: readonly PlannedCheck[]): AgentCommand[] {
  const byName = new Map<string, AgentCommand>();
  for (const { agentCommand } of planned) {
    if (!agentCommand) continue;
    const known = byName.get(agentCommand.name);
    if (known && JSON.stringify(known) !== JSON.stringify(agentCommand)) throw new Error(`monitoring plan: agent command ${agentCommand.name} defined twice differently`);
    byName.set(agentCommand.name, agentCommand);
  }
  return [...byName.values()];
}
