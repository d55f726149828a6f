// The monitoring matrix drawn as a picture: one row per host (grouped by tier), one column per check, a mark
// where the host runs it: a square for the server layer, a circle for the service layer (so the layers differ
// in greyscale too), with the number of checks when a host runs several of one column. Pure string rendering,
// text widths estimated from the font size like the topology picture's.
import { findTier } from "../../components/tiers/registry";
import { escapeHtml } from "./escape";
import type { MatrixGroup, MonitoringMatrix } from "./monitoring-matrix";

const FONT = "'DejaVu Sans', Verdana, Arial, Helvetica, sans-serif";
export const LAYER_COLOURS = {
  server: { mark: "#1d4ed8", band: "#dbeafe" },
  service: { mark: "#c2410c", band: "#ffedd5" },
} as const;

const PAD = 20;
const TITLE_H = 30;
const ROW_H = 18;
const GROUP_H = 20;
const CELL_W = 22;
const LEGEND_H = 34;
const HEADER_ANGLE = 55;

const textWidth = (text: string, size: number): number => text.length * size * 0.6;

function label(x: number, y: number, text: string, size: number, extra = ""): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" ${extra}>${escapeHtml(text)}</text>`;
}

/** A tier's group in its colours (the topology picture's), the nodes' and QDevice's in grey. */
function groupColours(group: MatrixGroup): { fill: string; stroke: string } {
  return (group.tier ? findTier(group.tier)?.report.colour : undefined) ?? { fill: "#f5f5f4", stroke: "#44403c" };
}

export interface MonitoringMatrixSvgOptions {
  /** Adds the SVG namespace so the markup is a valid `.svg` file on its own. */
  standalone?: boolean;
}

/** The matrix as an SVG string (a `viewBox`, width 100% up to its natural width). */
export function renderMonitoringMatrixSvg(matrix: MonitoringMatrix, options: MonitoringMatrixSvgOptions = {}): string {
  const hosts = matrix.groups.flatMap((g) => g.rows);
  const hostW = Math.max(120, ...hosts.map((r) => textWidth(r.host, 11) + 24), ...matrix.groups.map((g) => textWidth(g.label, 11.5) + 16));
  const longest = Math.max(40, ...matrix.columns.map((c) => textWidth(c.name, 11)));
  const rad = (HEADER_ANGLE * Math.PI) / 180;
  const headerH = longest * Math.sin(rad) + 16;
  const gridX = PAD + hostW;
  const gridY = PAD + TITLE_H + headerH;
  const gridW = matrix.columns.length * CELL_W;
  const gridH = matrix.groups.reduce((h, g) => h + GROUP_H + g.rows.length * ROW_H, 0);
  const width = Math.ceil(gridX + gridW + longest * Math.cos(rad) + PAD);
  const height = Math.ceil(gridY + gridH + LEGEND_H + PAD);
  const out: string[] = [];

  out.push(label(PAD, PAD + 14, `Monitoring: ${hosts.length} hosts, ${matrix.checkCount} checks in ${matrix.columns.length} kinds`, 15, `font-weight="bold" fill="#111827"`));

  // Column bands and their names, slanted so long names fit over narrow columns.
  matrix.columns.forEach((c, i) => {
    const x = gridX + i * CELL_W;
    out.push(`<rect x="${x}" y="${gridY.toFixed(1)}" width="${CELL_W}" height="${gridH}" fill="${LAYER_COLOURS[c.layer].band}" stroke="#ffffff"/>`);
    const cx = x + CELL_W / 2 + 3;
    const cy = gridY - 6;
    out.push(`<text x="${cx.toFixed(1)}" y="${cy.toFixed(1)}" font-size="11" fill="#111827" transform="rotate(-${HEADER_ANGLE} ${cx.toFixed(1)} ${cy.toFixed(1)})" class="column" data-layer="${c.layer}">${escapeHtml(c.name)}</text>`);
  });

  let y = gridY;
  for (const group of matrix.groups) {
    const colours = groupColours(group);
    out.push(`<rect x="${PAD}" y="${y.toFixed(1)}" width="${(hostW + gridW).toFixed(1)}" height="${GROUP_H}" fill="${colours.fill}" stroke="${colours.stroke}"/>`);
    out.push(label(PAD + 6, y + 14, group.label, 11.5, `font-weight="bold" fill="#111827"`));
    y += GROUP_H;
    for (const row of group.rows) {
      out.push(`<g class="host">`);
      out.push(label(PAD + 14, y + 13, row.host, 11, `fill="#1f2937"`));
      out.push(`<line x1="${PAD}" y1="${(y + ROW_H).toFixed(1)}" x2="${(gridX + gridW).toFixed(1)}" y2="${(y + ROW_H).toFixed(1)}" stroke="#e5e7eb"/>`);
      matrix.columns.forEach((c, i) => {
        const cell = row.cells[c.name];
        if (!cell) return;
        const cx = gridX + i * CELL_W + CELL_W / 2;
        const cy = y + ROW_H / 2;
        const colour = LAYER_COLOURS[cell.layer].mark;
        const title = `<title>${escapeHtml(`${row.host}: ${cell.descriptions.join(", ")} (${cell.layer} layer)`)}</title>`;
        const shape = cell.layer === "server"
          ? `<rect x="${(cx - 6).toFixed(1)}" y="${(cy - 6).toFixed(1)}" width="12" height="12" fill="${colour}"/>`
          : `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="6.5" fill="${colour}"/>`;
        const count = cell.count > 1 ? label(cx, cy + 3.5, String(cell.count), 9, `text-anchor="middle" fill="#ffffff" font-weight="bold"`) : "";
        out.push(`<g class="mark" data-layer="${cell.layer}" data-column="${escapeHtml(c.name)}">${title}${shape}${count}</g>`);
      });
      out.push(`</g>`);
      y += ROW_H;
    }
  }

  const ly = gridY + gridH + 22;
  out.push(`<rect x="${PAD}" y="${ly - 10}" width="12" height="12" fill="${LAYER_COLOURS.server.mark}"/>`);
  out.push(label(PAD + 18, ly, "server layer (the host itself)", 11, `fill="#111827"`));
  out.push(`<circle cx="${PAD + 236}" cy="${ly - 4}" r="6.5" fill="${LAYER_COLOURS.service.mark}"/>`);
  out.push(label(PAD + 248, ly, "service layer (what it serves); a number: that many checks of the kind", 11, `fill="#111827"`));

  const ns = options.standalone ? ` xmlns="http://www.w3.org/2000/svg"` : "";
  return `<svg${ns} class="monitoring-matrix" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" role="img" aria-label="Monitoring matrix: hosts by checks" font-family="${FONT}">
${out.join("\n")}
</svg>`;
}
