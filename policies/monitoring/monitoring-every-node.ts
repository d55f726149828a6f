import { reportJudgement } from "../backup/backup-judgement";
import { stackPolicy } from "../kit/define-policy";
import type { IbacStackPolicy } from "../kit/types";
import { monitoringJudgeInput, noEngine, pathsOf, readMonitoringEvidence, unreadableFinding, type Judgement, type MonitoringJudgeInput } from "./monitoring-evidence";

/** IBAC-MON-004 from the VMs that get the engine's configuration and the nodes they are declared on. */
export function judgeMonitoringEveryNode(input: MonitoringJudgeInput): Judgement {
  const evidence = readMonitoringEvidence(input);
  const findings = evidence.unreadable.map(unreadableFinding);
  if (!evidence.engines.length) return findings.length ? { findings } : { notApplicable: noEngine(input) };
  const byNode = new Map<string, string[]>();
  for (const e of evidence.engines) if (e.node !== undefined) byNode.set(e.node, [...(byNode.get(e.node) ?? []), e.vm]);
  const running = evidence.engines.map((e) => `${e.vm} on ${e.node ?? "no node"}`).join(", ");
  // An engine whose files cannot be read may run anywhere: its unreadable finding speaks for it.
  for (const node of evidence.unreadableEngines.length ? [] : input.model.nodes.filter((n) => !byNode.has(n.name))) {
    findings.push({ subject: `monitoring on node ${node.name}`, observed: `no monitoring VM with the engine's configuration runs there (engines: ${running})`, expected: "a monitoring engine on every cluster node, so each node keeps one and losing any node leaves the rest monitored", urn: input.urn, location: pathsOf(input).engine.mainConfig });
  }
  return { findings };
}

/**
 * Seed design, "Monitoring services": the solution is deployed in all cluster nodes. Judged from the
 * monitoring VMs that get the engine's main configuration and the node each is declared on: every node of
 * the cluster runs one.
 */
export function monitoringEveryNodePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "monitoring-every-node",
    description: "Every Proxmox node runs a monitoring VM that gets the engine's configuration, so losing any node leaves a monitoring engine on the others.",
    requirements: ["IBAC-MON-004"],
    severity: "medium",
    enforcementLevel: "advisory",
  }, async (view, resources, report, notApplicable) => {
    reportJudgement(judgeMonitoringEveryNode(await monitoringJudgeInput(view, resources)), report, notApplicable);
  });
}
