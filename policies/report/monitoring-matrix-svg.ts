// The monitoring matrix drawn as a picture: one row per monitored host (nodes, the QDevice host, the VMs,
// the virtual addresses), one column per check, a dot where the engine runs that check on that host, coloured
// by layer (server: the host itself; service: what it serves). Pure string rendering; text widths estimated
// from the font size so labels never overlap.
import type { MonitoringMatrix } from "../monitoring/monitoring-matrix";
import { escapeHtml } from "./escape";

const CELL = 16;
const FONT = 11;
/** An estimate of the width of `text` at FONT px (DejaVu Sans averages about 0.6 em). */
const width = (text: string): number => Math.ceil(text.length * FONT * 0.6);
export const LAYER_COLOUR: Readonly<Record<string, string>> = { server: "#2563eb", service: "#059669" };
const OTHER = "#9ca3af";

/** A host's row label: `db-1 (vm, database)`. */
export function hostLabel(h: MonitoringMatrix["hosts"][number]): string {
  return `${h.name} (${[h.kind || "host", h.tier].filter(Boolean).join(", ")})`;
}

export function renderMonitoringMatrixSvg(m: MonitoringMatrix): string {
  const left = Math.max(60, ...m.hosts.map((h) => width(hostLabel(h)))) + 12;
  // Column headings rotated -60°: their height is the longest one's sine, their overhang its cosine.
  const longest = Math.max(20, ...m.checks.map((c) => width(c.kind)));
  const top = Math.ceil(longest * 0.87) + 28;
  const w = left + m.checks.length * CELL + Math.ceil(longest * 0.5) + 8;
  const h = top + m.hosts.length * CELL + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="monitoring-matrix" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Monitoring matrix: ${m.hosts.length} hosts by ${m.checks.length} checks, ${m.serviceCount} services">`,
    `<style>text { font-family: "DejaVu Sans", Arial, sans-serif; font-size: ${FONT}px; fill: #111827; }</style>`,
  ];
  m.checks.forEach((c, i) => {
    const x = left + i * CELL + CELL / 2;
    out.push(`<text transform="translate(${x + 3},${top - 6}) rotate(-60)" style="fill: ${LAYER_COLOUR[c.layer] ?? OTHER}">${escapeHtml(c.kind)}</text>`);
  });
  m.hosts.forEach((host, r) => {
    const y = top + r * CELL;
    if (r % 2 === 0) out.push(`<rect x="0" y="${y}" width="${w}" height="${CELL}" fill="#f3f4f6"/>`);
    out.push(`<text x="${left - 8}" y="${y + CELL - 4}" text-anchor="end">${escapeHtml(hostLabel(host))}</text>`);
    m.checks.forEach((c, i) => {
      const cell = m.cells[host.name]?.[c.kind];
      if (!cell) return;
      const title = `${host.name}: ${cell.services.map((s) => `${s.description} (${cell.layer || "no layer"}${s.flow ? `, flow ${s.flow}` : ""})`).join("; ")}`;
      out.push(`<circle cx="${left + i * CELL + CELL / 2}" cy="${y + CELL / 2}" r="5" fill="${LAYER_COLOUR[cell.layer] ?? OTHER}"><title>${escapeHtml(title)}</title></circle>`);
    });
  });
  for (let i = 0; i <= m.checks.length; i++) out.push(`<line x1="${left + i * CELL}" y1="${top}" x2="${left + i * CELL}" y2="${top + m.hosts.length * CELL}" stroke="#e5e7eb"/>`);
  const legendY = top + m.hosts.length * CELL + 20;
  out.push(
    `<circle cx="${left + 6}" cy="${legendY - 4}" r="5" fill="${LAYER_COLOUR.server}"/><text x="${left + 16}" y="${legendY}">server layer</text>`,
    `<circle cx="${left + 116}" cy="${legendY - 4}" r="5" fill="${LAYER_COLOUR.service}"/><text x="${left + 126}" y="${legendY}">service layer</text>`,
    "</svg>",
  );
  return out.join("\n");
}
