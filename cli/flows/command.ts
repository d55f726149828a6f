import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { endpointSetName } from "../../components/network/firewall/address-sets";
import { renderFirewallPlan } from "../../components/network/firewall/rules";
import { analyzeReachability, type Opening, type ReachabilityReport } from "../../components/network/firewall/reachability";

export interface FlowsCommandOptions {
  stack: string;
  projectDir: string;
  json: boolean;
}

const opening = (o: Opening): string => `${o.source} (${o.members.join(", ")}) -> ${o.host} ${o.protocol}${o.ports ? `/${o.ports}` : ""}`;

/** The differences of a report, one line each; empty when the rules match the intent exactly. */
export function reachabilityDifferences(report: ReachabilityReport): string[] {
  return [
    ...report.blocked.map((o) => `blocked but intended: ${opening(o)}`),
    ...report.unintended.map((o) => `allowed but not intended: ${opening(o)}`),
    ...report.deadRules.map((f) => `dead rule on ${f.host} at position ${f.rule.position} (${f.rule.flowId}): ${f.reason}`),
    ...report.outboundBlocked.map((o) => `outbound blocked but intended: ${o.host} -> ${o.destination} ${o.protocol}${o.ports ? `/${o.ports}` : ""} (${o.flowId})`),
    ...report.outboundUnintended.map((o) => `outbound allowed but not intended: ${o.host} -> ${o.destination} ${o.protocol}${o.ports ? `/${o.ports}` : ""} (${o.flowId})`),
  ];
}

/** `ibac flows`: the intended flow matrix, and every difference between it and what the rules allow. */
export function flowsCommand(options: FlowsCommandOptions): number {
  const shownFile = path.join("stacks", `Pulumi.${options.stack}.yaml`);
  const { model, spec } = loadStackFile(stackFilePath(options.projectDir, options.stack), shownFile);
  const plan = renderFirewallPlan(model, spec);
  const report = analyzeReachability(model, spec, plan);
  const differences = reachabilityDifferences(report);
  if (options.json) {
    console.log(JSON.stringify({ stack: options.stack, flows: model.flows, sets: plan.sets, allowed: report.allowed.length, differences }, null, 2));
    return differences.length ? 1 : 0;
  }
  const rows = model.flows.map((f) => [f.id, endpointSetName(f.source), endpointSetName(f.destination), `${f.protocol}${f.ports ? `/${f.ports}` : ""}`, f.purpose]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`Intended flows of ${options.stack} (${model.flows.length}):`);
  for (const r of rows) console.log(`  ${r.slice(0, 4).map((c, i) => c.padEnd(widths[i])).join("  ")}  ${r[4]}`);
  const rules = plan.hosts.reduce((n, h) => n + h.rules.length, 0);
  const outRules = plan.hosts.reduce((n, h) => n + h.outbound.length, 0);
  const outbound = plan.hosts[0]?.defaultOutbound ?? "ACCEPT";
  console.log(`\nRendered: ${rules} inbound rules on ${plan.hosts.length} hosts (default DROP), ${plan.sets.length} address sets; outbound default ${outbound}${outbound === "DROP" ? ` with ${outRules} outbound rules` : ""}; ${plan.outboundOnly.length} flows leave the platform.`);
  console.log(`Reachability from the rules alone: ${report.allowed.length} openings allowed, ${report.intended.length} intended.`);
  if (differences.length === 0) {
    console.log("Differences: none (nothing allowed that is not intended, nothing intended that is blocked, no dead rule).");
    return 0;
  }
  console.log(`Differences (${differences.length}):`);
  for (const d of differences) console.log(`  ${d}`);
  return 1;
}
