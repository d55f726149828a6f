// The monitoring matrix for the compliance report: every monitored host (rows) × every kind of check (columns:
// service descriptions, those naming an instance folded into their kind), read from the rendered objects of one monitoring VM's engine, never from the plan,
// so the picture shows what the engine runs. The layer and the flow come from each service's _LAYER and
// _FLOW, the host's kind and tier from _KIND and _TIER (design: the policies and the report read them there).
import type { PolicyResource } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import type { PlatformSpec } from "../../components/spec/schema";
import { hostFilesOf } from "./host-files";
import { lastValue } from "./line-configs";
import { readMonitoringEvidence, type EngineEvidence } from "./monitoring-evidence";
import { LAYER_VAR, TIER_VAR } from "./monitoring-coverage";
import { checkKind } from "../../monitoring/plan/description";

export interface MatrixHost {
  name: string;
  /** _KIND: node, vm, qdevice, virtual-address (empty when the object has none). */
  kind: string;
  tier?: string;
}

export interface MatrixCheck {
  /** The kind of check (`checkKind`): a description that names an instance (`DRBD ibac-s3`) folds into its kind (`DRBD`). */
  kind: string;
  /** The layer of the first service of this kind (server-layer columns come first). */
  layer: string;
}

export interface MatrixCell {
  layer: string;
  /** The services of this kind on the host, by description, with the flow each travels over. */
  services: { description: string; flow?: string }[];
}

export interface MonitoringMatrix {
  /** The monitoring VM whose objects are drawn (the notifying engine's when there is one). */
  vm: string;
  hosts: MatrixHost[];
  checks: MatrixCheck[];
  /** cells[host][kind]. */
  cells: Record<string, Record<string, MatrixCell>>;
  serviceCount: number;
}

const KIND_ORDER = ["node", "qdevice", "vm", "virtual-address"];

/** The matrix of one engine's objects. */
export function buildMonitoringMatrix(engine: EngineEvidence): MonitoringMatrix {
  const { objects } = engine;
  const hosts: MatrixHost[] = objects.registered("host").flatMap((h) => {
    const name = objects.value(h, "host_name");
    if (name === undefined) return [];
    const tier = objects.value(h, TIER_VAR);
    return [{ name, kind: objects.value(h, "_KIND") ?? "", ...(tier ? { tier } : {}) }];
  });
  const rank = (k: string): number => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
  const order = new Map(hosts.map((h, i) => [h.name, i]));
  hosts.sort((a, b) => rank(a.kind) - rank(b.kind) || (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  const checks = new Map<string, MatrixCheck>();
  const cells: MonitoringMatrix["cells"] = {};
  let serviceCount = 0;
  for (const s of objects.registered("service")) {
    const description = objects.value(s, "service_description");
    if (description === undefined) continue;
    const layer = objects.value(s, LAYER_VAR) ?? "";
    const flow = objects.value(s, "_FLOW");
    const kind = checkKind(description);
    if (!checks.has(kind)) checks.set(kind, { kind, layer });
    for (const host of objects.hostsOf(s)) {
      const cell = ((cells[host] ??= {})[kind] ??= { layer, services: [] });
      cell.services.push({ description, ...(flow ? { flow } : {}) });
      serviceCount++;
    }
  }
  const layerRank = (l: string): number => (l === "server" ? 0 : l === "service" ? 1 : 2);
  const columns = [...checks.values()];
  const first = new Map(columns.map((c, i) => [c.kind, i]));
  columns.sort((a, b) => layerRank(a.layer) - layerRank(b.layer) || (first.get(a.kind) ?? 0) - (first.get(b.kind) ?? 0));
  return { vm: engine.vm, hosts, checks: columns, cells, serviceCount };
}

/**
 * The matrix of a stack's resources: the objects delivered to the notifying engine (the first monitoring VM
 * whose main configuration does not turn notifications off), undefined when no engine's files are delivered.
 */
export async function monitoringMatrixOf(resources: readonly PolicyResource[], view: { spec: PlatformSpec; model: PolicyModel; urn: string }): Promise<MonitoringMatrix | undefined> {
  const { files, pending } = await hostFilesOf(resources, view.model);
  const evidence = readMonitoringEvidence({ ...view, files, pending, hostUrn: () => view.urn, nodeOf: (vm) => view.model.vms.find((v) => v.name === vm)?.node });
  const engine = evidence.engines.find((e) => lastValue(e.main.lines, "enable_notifications")?.value !== "0") ?? evidence.engines[0];
  return engine ? buildMonitoringMatrix(engine) : undefined;
}
