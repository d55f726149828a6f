// The flow matrix: every intended flow of the model as sources (rows) × destinations (columns), each cell
// listing the protocols and ports opened from the row to the column. An empty cell is traffic the
// default-deny firewall drops. Pure: the HTML and Markdown reports both draw it from `buildFlowMatrix`.
import type { Flow, FlowEndpoint } from "../../components/model/types";
import { escapeHtml } from "./escape";
import { ZONE_LABEL } from "./labels";
import { allTiers, tierLabel } from "../../components/tiers/registry";

export interface MatrixEndpoint {
  /** `tier:api`, `tier:database:replica`, `zone:admin`. */
  key: string;
  label: string;
  kind: FlowEndpoint["kind"];
}

/** One protocol in a cell: its ports (in flow order, no repeats) and the flows that open them. */
export interface MatrixEntry {
  protocol: Flow["protocol"];
  ports: string[];
  flows: Flow[];
}

export interface FlowMatrix {
  /** Endpoints that start at least one flow, in reading order (outside first, then the tiers, then the infrastructure). */
  sources: MatrixEndpoint[];
  /** Endpoints that receive at least one flow, in the same order. */
  destinations: MatrixEndpoint[];
  /** cells[sourceKey][destinationKey], absent where no flow exists. */
  cells: Record<string, Record<string, MatrixEntry[]>>;
  flowCount: number;
}

/**
 * The order an auditor reads the platform in: from the outside in, then what supports it. The zones outside,
 * each tier (and its roles) in its entry's reading order, then the zones that support the platform.
 */
const ENDPOINT_ORDER = [
  "zone:mobiles", "zone:statisticsSite", "zone:vpnClients", "zone:admin",
  ...allTiers()
    .sort((a, b) => a.report.readingOrder - b.report.readingOrder)
    .flatMap((t) => [`tier:${t.name}`, ...(t.roles?.names ?? []).map((role) => `tier:${t.name}:${role}`)]),
  "zone:proxmoxNodes", "zone:qdevice", "zone:ntp", "zone:smtpRelay", "zone:offsiteNas",
];

export function endpointKey(e: FlowEndpoint): string {
  return e.kind === "tier" ? `tier:${e.tier}${e.role ? `:${e.role}` : ""}` : `zone:${e.zone}`;
}

export function endpointLabel(e: FlowEndpoint): string {
  if (e.kind === "zone") return ZONE_LABEL[e.zone] ?? e.zone;
  return e.role ? `${tierLabel(e.tier)} (${e.role})` : tierLabel(e.tier);
}

function orderOf(key: string): number {
  const i = ENDPOINT_ORDER.indexOf(key);
  return i >= 0 ? i : ENDPOINT_ORDER.length;
}

function sortEndpoints(list: Iterable<MatrixEndpoint>): MatrixEndpoint[] {
  return [...list].sort((a, b) => orderOf(a.key) - orderOf(b.key) || a.key.localeCompare(b.key));
}

export function buildFlowMatrix(flows: readonly Flow[]): FlowMatrix {
  const sources = new Map<string, MatrixEndpoint>();
  const destinations = new Map<string, MatrixEndpoint>();
  const cells: FlowMatrix["cells"] = {};
  for (const flow of flows) {
    const s: MatrixEndpoint = { key: endpointKey(flow.source), label: endpointLabel(flow.source), kind: flow.source.kind };
    const d: MatrixEndpoint = { key: endpointKey(flow.destination), label: endpointLabel(flow.destination), kind: flow.destination.kind };
    sources.set(s.key, s);
    destinations.set(d.key, d);
    const row = (cells[s.key] ??= {});
    const entries = (row[d.key] ??= []);
    let entry = entries.find((e) => e.protocol === flow.protocol);
    if (!entry) {
      entry = { protocol: flow.protocol, ports: [], flows: [] };
      entries.push(entry);
    }
    if (flow.ports && !entry.ports.includes(flow.ports)) entry.ports.push(flow.ports);
    entry.flows.push(flow);
  }
  for (const row of Object.values(cells)) {
    for (const entries of Object.values(row)) entries.sort((a, b) => a.protocol.localeCompare(b.protocol));
  }
  return { sources: sortEndpoints(sources.values()), destinations: sortEndpoints(destinations.values()), cells, flowCount: flows.length };
}

/** `5404:5405` as `5404–5405`. */
export function portText(ports: string): string {
  return ports.replace(":", "–");
}

/** `TCP 22, 9103` or `VRRP` (a protocol without ports). */
export function entryText(entry: MatrixEntry): string {
  const proto = entry.protocol.toUpperCase();
  return entry.ports.length ? `${proto} ${entry.ports.map(portText).join(", ")}` : proto;
}

export interface FlowMatrixHtmlOptions {
  /** Caption above the table; none when omitted. */
  caption?: string;
}

/**
 * The matrix as an HTML table (class `flow-matrix`): rotated column headings, one line per protocol in a cell,
 * the flow ids and purposes as the cell's tooltip. Self-contained markup; the report's CSS styles it.
 */
export function renderFlowMatrixHtml(flows: readonly Flow[], options: FlowMatrixHtmlOptions = {}): string {
  const m = buildFlowMatrix(flows);
  const head = m.destinations
    .map((d) => `<th scope="col" class="col-head ${d.kind}"><span>${escapeHtml(d.label)}</span></th>`)
    .join("");
  const rows = m.sources.map((s) => {
    const cells = m.destinations.map((d) => {
      const entries = m.cells[s.key]?.[d.key];
      const self = s.key === d.key ? " self" : "";
      if (!entries) return `<td class="empty${self}"></td>`;
      const title = entries.flatMap((e) => e.flows).map((f) => `${f.id}: ${f.purpose}`).join("\n");
      const lines = entries
        .map((e) => `<span class="entry"><b>${escapeHtml(e.protocol.toUpperCase())}</b>${e.ports.length ? ` ${e.ports.map((p) => `<span class="port">${escapeHtml(portText(p))}</span>`).join(", ")}` : ""}</span>`)
        .join("");
      return `<td class="open${self}" title="${escapeHtml(title)}">${lines}</td>`;
    }).join("");
    return `<tr><th scope="row" class="row-head ${s.kind}">${escapeHtml(s.label)}</th>${cells}</tr>`;
  }).join("\n");
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  return `<table class="flow-matrix">${caption}
<thead><tr><th scope="col" class="corner"><span class="from">From ↓</span> <span class="to">To →</span></th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table>`;
}
