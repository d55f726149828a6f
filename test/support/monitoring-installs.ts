import { MONITORING_COMPONENT_PATHS } from "../../components/monitoring/paths";

/**
 * A VM's install commands (ConfigDelivery's, in order) up to the monitoring tier's: its agent's files follow
 * every earlier tier's on the VM (tiers deliver in TIER_NAMES order, monitoring after backup), and their order is
 * the monitoring tier's to test (components/monitoring/component.test.ts).
 */
export function beforeMonitoringAgent(commands: readonly string[]): string[] {
  const start = commands.findIndex((c) => c.includes(` '${MONITORING_COMPONENT_PATHS.agentPackagesScript}'`));
  if (start < 0) throw new Error(`no install of the monitoring agent's packages script ${MONITORING_COMPONENT_PATHS.agentPackagesScript} among the commands`);
  return commands.slice(0, start);
}
