import { describe, expect, it } from "vitest";
import { complianceFixture } from "../../test/fixtures/compliance-result";
import { renderComplianceHtml } from "../report/render-html";
import { renderComplianceMarkdown } from "../report/render-markdown";
import { renderMonitoringMatrixSvg } from "../report/monitoring-matrix-svg";
import { buildMonitoringMatrix } from "./monitoring-matrix";
import { readMonitoringEvidence } from "./monitoring-evidence";
import { renderedMonitoringInput } from "./monitoring-policy-fixture";
import { NagiosObjectSet, parseNagiosObjects } from "./nagios-objects";

// The report's monitoring matrix, from the objects the prod stack's active engine gets.

const prod = renderedMonitoringInput("prod");
const engine = readMonitoringEvidence(prod).engines.find((e) => e.vm === "mon-1");
if (!engine) throw new Error("prod: mon-1 gets no readable engine configuration");
const matrix = buildMonitoringMatrix(engine);

describe("the monitoring matrix (hosts × checks of the rendered objects)", () => {
  it("has every node, the QDevice host and every VM as rows, nodes first, server-layer columns first", () => {
    const names = matrix.hosts.map((h) => h.name);
    for (const h of [...prod.model.nodes.map((n) => n.name), prod.model.qdevice?.name ?? "", ...prod.model.vms.map((v) => v.name)]) expect(names).toContain(h);
    expect(matrix.hosts.slice(0, 3).map((h) => h.kind)).toEqual(["node", "node", "qdevice"]);
    expect(matrix.hosts.find((h) => h.name === "db-1")).toEqual({ name: "db-1", kind: "vm", tier: "database" });
    const layers = matrix.checks.map((c) => c.layer);
    expect(layers.indexOf("service")).toBeGreaterThan(0);
    expect(layers.slice(layers.indexOf("service"))).not.toContain("server");
    expect(matrix.cells["mon-1"]?.["monitoring engine"]).toEqual({ layer: "service", services: [{ description: "monitoring engine", flow: "monitoring-to-monitoring-agent" }] });
    // A description naming an instance folds into its kind's column.
    expect(matrix.checks.map((c) => c.kind)).toContain("DRBD");
    expect(matrix.cells["bkp-1"]?.["Bacula job"]?.services.length).toBeGreaterThan(1);
    expect(matrix.serviceCount).toBe(Object.values(matrix.cells).reduce((n, row) => n + Object.values(row).reduce((k, c) => k + c.services.length, 0), 0));
  });

  it("draws one dot per host and kind of check, coloured by layer, with its services and flows as the tooltip", () => {
    const svg = renderMonitoringMatrixSvg(matrix);
    expect(svg.match(/<circle [^>]*><title>/g)?.length).toBe(Object.values(matrix.cells).reduce((n, row) => n + Object.keys(row).length, 0));
    expect(svg).toContain("<title>mon-1: monitoring engine (service, flow monitoring-to-monitoring-agent)</title>");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="monitoring-matrix" viewBox="0 0 \d+ \d+"/);
  });

  it("is a section of both reports, and escapes what the objects name", () => {
    const hostile = new NagiosObjectSet(parseNagiosObjects("define host {\n  host_name <img src=x>\n  _KIND vm\n}\ndefine service {\n  host_name <img src=x>\n  service_description a<b>\n  _LAYER server\n}\n", "x.cfg"));
    const result = { ...complianceFixture(), monitoring: buildMonitoringMatrix({ ...engine, objects: hostile }) };
    const html = renderComplianceHtml(result);
    expect(html).toContain('<section id="monitoring-matrix"');
    expect(html).toContain("&lt;img src=x&gt; (vm)");
    expect(html).not.toContain("<img src=x>");
    const md = renderComplianceMarkdown(result);
    expect(md).toMatch(/^## \d+\. Monitoring matrix$/m);
    expect(md).toContain("| &lt;img src=x&gt; (vm) | a&lt;b&gt; | none |");
    expect(renderComplianceMarkdown(complianceFixture())).toContain("No monitoring engine configuration is delivered: there is no rendered check to show.");
  });
});
