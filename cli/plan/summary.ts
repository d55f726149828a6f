import type { OfflinePlan, PlanResource } from "../../components/offline-plan/run-offline-plan";

/** The component tree, each component with the number of resources under it, as `pulumi preview` shows. */
function componentTree(resources: PlanResource[]): string[] {
  const children = new Map<string | undefined, PlanResource[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const isComponent = (r: PlanResource): boolean => r.type.startsWith("ibac:");
  const countBelow = (urn: string): number => (children.get(urn) ?? []).reduce((n, c) => n + 1 + countBelow(c.urn), 0);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const r of children.get(parent) ?? []) {
      if (!isComponent(r)) continue;
      lines.push(`${"  ".repeat(depth)}+ ${r.type} ${r.name} (${countBelow(r.urn)} resources)`);
      walk(r.urn, depth + 1);
    }
  };
  walk(undefined, 1);
  return lines;
}

/** What `ibac plan` prints: the tree, counts per type, placement per node and capacity headroom. */
export function summarizePlan(plan: OfflinePlan): string {
  const { model } = plan;
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const width = Math.max(...[...counts.keys()].map((k) => k.length));
  const lines = [
    `Offline plan of stack "${plan.stack}" (Pulumi program run in-process against mocks: nothing was deployed)`,
    "",
    "Components:",
    ...componentTree(plan.resources),
    "",
    "Resources by type:",
    ...[...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([type, n]) => `  ${type.padEnd(width)}  ${n}`),
    `  ${"total".padEnd(width)}  ${plan.resources.length}`,
    "",
    "Placement (home node; -> where HA recovers the VM):",
    ...model.nodes.map((n) => {
      const vms = model.vms.filter((vm) => vm.node === n.name).map((vm) => `${vm.name}${vm.failoverNode ? `->${vm.failoverNode}` : ""}`);
      const load = model.capacity.normal.find((l) => l.node === n.name);
      return `  ${n.name}: ${vms.join(" ")}  [${load?.cores}/${load?.coresAvailable} cores, ${load?.memoryGiB}/${load?.memoryAvailableGiB} GiB]`;
    }),
    "",
    "Capacity if one node fails (N+1):",
    ...model.capacity.failures.map((f) => `  ${f.failedNode} down: ` + f.survivors.map((s) => `${s.node} ${s.cores}/${s.coresAvailable} cores, ${s.memoryGiB}/${s.memoryAvailableGiB} GiB`).join("; ") + (f.fits ? "" : "  DOES NOT FIT")),
    `  headroom in the worst case: ${model.capacity.headroom.memoryGiB} GiB, ${model.capacity.headroom.cores} cores`,
    ...model.capacity.storage.map((s) => `  storage ${s.node}: ${s.usedGiB}/${s.usableGiB} GiB (own VMs + replicas received)`),
    "",
    `Quorum: ${model.quorum.nodeVotes} node votes + ${model.quorum.qdeviceVotes} QDevice = ${model.quorum.expectedVotes}; ` +
      (model.quorum.survivesOneNodeLoss ? "survives the loss of one node" : "does NOT survive the loss of one node"),
    ...model.ha.notes.map((n) => `HA: ${n}`),
    `Artifacts: ${plan.artifacts.length} files for ${new Set(plan.artifacts.map((a) => a.vm)).size} VMs`,
  ];
  return lines.join("\n");
}
