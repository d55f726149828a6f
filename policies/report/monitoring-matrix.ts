// The monitoring matrix: which check runs on which host, rows grouped by tier, for the report's picture. Built
// from the rendered Nagios objects when the report has them (the evidence), else from the monitoring plan,
// and it says which in `source`.
import { TIER_NAMES } from "../../components/spec/schema";
import { tierLabel } from "../../components/tiers/registry";
import type { CheckLayer, MonitoredHostKind, MonitoringPlan } from "../../monitoring/plan/types";

/** A host as the matrix needs it: from a host object's `host_name`, `_KIND` and `_TIER`, or from the plan. */
export interface MatrixHostInput {
  name: string;
  kind: MonitoredHostKind | string;
  tier?: string;
}

/** A check as the matrix needs it: a service object's `host_name`, `service_description` and `_LAYER`. */
export interface MatrixCheckInput {
  host: string;
  description: string;
  layer: CheckLayer | string;
}

export interface MatrixColumn {
  name: string;
  layer: CheckLayer;
}

export interface MatrixRow {
  host: string;
  kind: string;
  /** The checks of each column on this host (a host may run several of one column: a certificate per port). */
  cells: Record<string, { count: number; layer: CheckLayer; descriptions: string[] }>;
}

export interface MatrixGroup {
  label: string;
  /** The tier the group is, for its colours; none for the nodes and the QDevice. */
  tier?: string;
  rows: MatrixRow[];
}

export interface MonitoringMatrix {
  /** Where the matrix was drawn from, for the caption (the rendered objects, or the plan and why). */
  source: string;
  columns: MatrixColumn[];
  groups: MatrixGroup[];
  checkCount: number;
}

/** Descriptions that name an instance (`DRBD ibac-s3`, `certificate s3.example.org port 9000`) share a column. */
const INSTANCE_COLUMNS: [RegExp, string][] = [
  [/^certificate /, "certificate"],
  [/^Bacula job /, "Bacula job"],
  [/^DRBD /, "DRBD"],
  [/^VRRP /, "VRRP"],
  [/^IPsec /, "IPsec"],
  [/ port \d+$/, "service port"],
];

/** The column a check's description belongs to. */
export function matrixColumn(description: string): string {
  return INSTANCE_COLUMNS.find(([pattern]) => pattern.test(description))?.[1] ?? description;
}

const layerOf = (layer: string): CheckLayer => (layer === "server" ? "server" : "service");

/** Rows in groups: the nodes, the QDevice, then each tier in the design's order (its VMs, then its addresses). */
function groupOf(host: MatrixHostInput): { label: string; order: number; tier?: string } {
  if (host.kind === "node") return { label: "Proxmox nodes", order: -2 };
  if (host.kind === "qdevice") return { label: "QDevice", order: -1 };
  const i = (TIER_NAMES as readonly string[]).indexOf(host.tier ?? "");
  return host.tier ? { label: tierLabel(host.tier), order: i >= 0 ? i : TIER_NAMES.length, tier: host.tier } : { label: "Other", order: TIER_NAMES.length + 1 };
}

export function buildMonitoringMatrix(hosts: readonly MatrixHostInput[], checks: readonly MatrixCheckInput[], source: string): MonitoringMatrix {
  const columns = new Map<string, MatrixColumn>();
  for (const c of checks) {
    const name = matrixColumn(c.description);
    if (!columns.has(name)) columns.set(name, { name, layer: layerOf(c.layer) });
  }
  const ordered = [...columns.values()].map((c, i) => ({ c, i })).sort((a, b) => (a.c.layer === b.c.layer ? a.i - b.i : a.c.layer === "server" ? -1 : 1)).map(({ c }) => c);
  const rows = new Map<string, MatrixRow>(hosts.map((h) => [h.name, { host: h.name, kind: h.kind, cells: {} }]));
  for (const c of checks) {
    const row = rows.get(c.host) ?? { host: c.host, kind: "unknown", cells: {} };
    rows.set(c.host, row);
    const column = matrixColumn(c.description);
    const cell = (row.cells[column] ??= { count: 0, layer: layerOf(c.layer), descriptions: [] });
    cell.count += 1;
    cell.descriptions.push(c.description);
  }
  const known = new Map(hosts.map((h) => [h.name, h]));
  const groups = new Map<string, { order: number; group: MatrixGroup }>();
  for (const row of rows.values()) {
    const { label, order, tier } = groupOf(known.get(row.host) ?? { name: row.host, kind: row.kind });
    const entry = groups.get(label) ?? { order, group: { label, ...(tier ? { tier } : {}), rows: [] } };
    entry.group.rows.push(row);
    groups.set(label, entry);
  }
  const kindOrder = (kind: string): number => (kind === "virtual-address" ? 1 : 0);
  for (const { group } of groups.values()) group.rows.sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind));
  return {
    source,
    columns: ordered,
    groups: [...groups.values()].sort((a, b) => a.order - b.order).map((g) => g.group),
    checkCount: checks.length,
  };
}

/** The matrix of a monitoring plan, for a report that has no rendered objects; `why` goes into the caption. */
export function monitoringMatrixFromPlan(plan: Pick<MonitoringPlan, "hosts" | "checks">, why: string): MonitoringMatrix {
  return buildMonitoringMatrix(plan.hosts, plan.checks, `the monitoring plan derived from the model (${why})`);
}
