// The report's monitoring section, for the HTML and the Markdown renderers: the matrix picture (Figure 3) with
// a caption that says where it was drawn from, and the same matrix as lists in Markdown.
import type { ComplianceResult } from "../results/types";
import { escapeMarkdown } from "./escape";
import { html, trusted, type Markup } from "./html-template";
import { renderMonitoringMatrixSvg } from "./monitoring-matrix-svg";

const NONE = "The stack's compliance result carries no monitoring matrix.";

/** The section's body in HTML: what the picture shows, the picture, its caption with the source. */
export function monitoringMatrixHtml(result: ComplianceResult): Markup {
  const m = result.monitoring;
  if (!m) return html`<p class="none">${NONE}</p>`;
  const hosts = m.groups.reduce((n, g) => n + g.rows.length, 0);
  return html`<p>Every host monitoring checks (rows, grouped by tier) against every kind of check (columns): a square marks a
server-layer check of the host itself, a circle a service-layer check of what it serves; a number counts the checks of one kind on the host.
An empty row is a host without checks.</p>
<figure class="picture">${trusted(renderMonitoringMatrixSvg(m))}
<figcaption>Figure 3. Monitoring matrix of stack ${result.stack}: ${hosts} hosts, ${m.checkCount} checks. Drawn from ${m.source}.</figcaption>
</figure>`;
}

/** The section's body in Markdown: per group, each host and its checks. */
export function monitoringMatrixMarkdown(result: ComplianceResult): string[] {
  const m = result.monitoring;
  if (!m) return [NONE, ""];
  const out = [`Drawn from ${escapeMarkdown(m.source)}. Server-layer checks first, then service-layer ones.`, ""];
  for (const group of m.groups) {
    out.push(`**${escapeMarkdown(group.label)}**`, "");
    for (const row of group.rows) {
      const cells = m.columns.filter((c) => row.cells[c.name]).map((c) => {
        const cell = row.cells[c.name];
        return `${c.name}${cell.count > 1 ? ` ×${cell.count}` : ""}`;
      });
      out.push(`- ${escapeMarkdown(row.host)}: ${cells.length ? escapeMarkdown(cells.join(", ")) : "no checks"}`);
    }
    out.push("");
  }
  return out;
}
