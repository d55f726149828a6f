import { describe, expect, it } from "vitest";
import { parseStack } from "../../components/spec/load";
import { stackFileName, stackText } from "../../test/fixtures/specs";
import { fixtureTlsEndpoints } from "../../test/fixtures/monitoring-tls-endpoints";
import { complianceFixture } from "../../test/fixtures/compliance-result";
import { deriveMonitoringPlan } from "../../monitoring/plan/derive-monitoring-plan";
import { PRODUCTION_MONITORING_PATHS } from "../../monitoring/paths";
import type { MonitoringPlan } from "../../monitoring/plan/types";
import { buildMonitoringMatrix, matrixColumn, monitoringMatrixFromPlan } from "./monitoring-matrix";
import { matrixInputsFromObjects } from "./monitoring-objects";
import { LAYER_COLOURS, renderMonitoringMatrixSvg } from "./monitoring-matrix-svg";
import { monitoringMatrixFor, PLAN_FALLBACK_REASON } from "./monitoring-matrix-source";
import { renderComplianceHtml } from "./render-html";
import { renderComplianceMarkdown } from "./render-markdown";

const { spec, model } = parseStack(stackText("prod"), stackFileName("prod"), "prod");
const plan = deriveMonitoringPlan(spec, model, fixtureTlsEndpoints(spec, model));
const matrix = monitoringMatrixFromPlan(plan, "a test");

/** The plan written the way the objects carry it: one host object per host, one service object per check. */
function objectText(p: MonitoringPlan): string {
  const hosts = p.hosts.map((h) => `define host {\n    use          ibac-host\n    host_name    ${h.name}\n    address      ${h.address}\n    _KIND        ${h.kind}\n${h.tier ? `    _TIER        ${h.tier}\n` : ""}}\n`);
  const services = p.checks.map((c) => `define service {\n    host_name             ${c.host}\n    service_description   ${c.description}\n    _LAYER                ${c.layer}\n    _FLOW                 ${c.flowId}\n}\n`);
  return `# Rendered by a test\ndefine host {\n    name       ibac-host\n    register   0   ; a template\n}\n${hosts.join("")}${services.join("")}`;
}

describe("monitoring matrix: hosts by checks", () => {
  it("groups the rows as the topology does: nodes, QDevice, then each tier with its VMs before its addresses", () => {
    expect(matrix.groups.map((g) => g.label)).toEqual(["Proxmox nodes", "QDevice", "Database", "Object store", "Face recognition", "API", "Load balancer", "Backup", "Monitoring", "VPN"]);
    expect(matrix.groups.find((g) => g.label === "Database")?.rows.map((r) => r.host)).toEqual(["db-1", "db-2", "vip-databasePrimary"]);
    expect(matrix.groups.flatMap((g) => g.rows)).toHaveLength(plan.hosts.length);
  });

  it("puts the server layer's columns first and folds the checks that name an instance into one column", () => {
    const layers = matrix.columns.map((c) => c.layer);
    expect(layers.indexOf("service")).toBe(layers.lastIndexOf("server") + 1);
    expect(matrix.columns.slice(0, 7).map((c) => c.name)).toEqual(["load", "memory", "disk", "time sync", "security updates", "Proxmox API", "quorum"]);
    expect(matrixColumn("certificate s3.ibac.rik.ee port 9000")).toBe("certificate");
    expect(matrixColumn("MinIO S3 API port 9000")).toBe("service port");
    expect(matrixColumn("Bacula job db-1-fd")).toBe("Bacula job");
    const bkp = matrix.groups.flatMap((g) => g.rows).find((r) => r.host === "bkp-1");
    expect(bkp?.cells["Bacula job"]?.count).toBe(plan.checks.filter((c) => c.host === "bkp-1" && c.description.startsWith("Bacula job ")).length);
    expect(bkp?.cells["certificate"]?.descriptions).toEqual(["certificate Bacula director", "certificate Bacula storage daemon", "certificate Bacula file daemon"]);
  });

  it("counts every check once, in the cell of its host and column, with its layer", () => {
    const rows = matrix.groups.flatMap((g) => g.rows);
    expect(rows.reduce((n, r) => n + Object.values(r.cells).reduce((m, c) => m + c.count, 0), 0)).toBe(plan.checks.length);
    for (const c of plan.checks) expect(rows.find((r) => r.host === c.host)?.cells[matrixColumn(c.description)]?.layer, `${c.host}: ${c.description}`).toBe(c.layer);
  });

  it("reads the same matrix from rendered objects, templates and comments left out", () => {
    const inputs = matrixInputsFromObjects([{ content: objectText(plan) }]);
    expect(inputs.hosts).toHaveLength(plan.hosts.length);
    const fromObjects = buildMonitoringMatrix(inputs.hosts, inputs.checks, "objects");
    expect({ ...fromObjects, source: "" }).toEqual({ ...matrix, source: "" });
  });

  it("reads a service object on several hosts as one check per host", () => {
    const inputs = matrixInputsFromObjects([{ content: "define service {\n  host_name  pve1, pve2\n  service_description  load\n  _LAYER  server\n}\n" }]);
    expect(inputs.checks).toEqual([{ host: "pve1", description: "load", layer: "server" }, { host: "pve2", description: "load", layer: "server" }]);
  });
});

describe("monitoring matrix: the picture", () => {
  const svg = renderMonitoringMatrixSvg(matrix);
  const cells = matrix.groups.flatMap((g) => g.rows).reduce((n, r) => n + Object.keys(r.cells).length, 0);

  it("draws every host, every column and one mark per cell, squares for the server layer and circles for the service layer", () => {
    for (const h of plan.hosts) expect(svg).toContain(`>${h.name}</text>`);
    for (const c of matrix.columns) expect(svg).toMatch(new RegExp(`data-layer="${c.layer}">${c.name}</text>`));
    expect(svg.match(/<g class="mark"/g)).toHaveLength(cells);
    const server = svg.match(/<g class="mark" data-layer="server"[^>]*><title>[^<]*<\/title><rect [^>]*fill="([^"]+)"/g) ?? [];
    const service = svg.match(/<g class="mark" data-layer="service"[^>]*><title>[^<]*<\/title><circle [^>]*fill="([^"]+)"/g) ?? [];
    expect(server.length + service.length).toBe(cells);
    expect(server.every((m) => m.includes(LAYER_COLOURS.server.mark))).toBe(true);
    expect(service.every((m) => m.includes(LAYER_COLOURS.service.mark))).toBe(true);
    expect(svg).toContain(">6</text>");
  });

  it("is a standalone SVG file when asked, and escapes names from data", () => {
    expect(renderMonitoringMatrixSvg(matrix, { standalone: true })).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const hostile = buildMonitoringMatrix([{ name: "<script>x</script>", kind: "vm", tier: "api" }], [{ host: "<script>x</script>", description: "load\"<img>", layer: "server" }], "test");
    const drawn = renderMonitoringMatrixSvg(hostile);
    expect(drawn).not.toMatch(/<script|<img/);
    expect(drawn).toContain("&lt;script&gt;x&lt;/script&gt;");
  });
});

describe("monitoring matrix: its source and its place in the report", () => {
  it("is drawn from the plan while the offline plan delivers no objects, and says so", () => {
    const m = monitoringMatrixFor([], spec, model);
    expect(m.source).toBe(`the monitoring plan derived from the model (${PLAN_FALLBACK_REASON})`);
    expect(m.groups.flatMap((g) => g.rows).find((r) => r.host === "vip-loadBalancer")?.cells["certificate"]).toBeUndefined();
  });

  it("is drawn from the rendered objects on the active monitoring VM once they are delivered", () => {
    const dir = PRODUCTION_MONITORING_PATHS.engine.objectsDir;
    const artifacts = [
      { vm: "mon-1", path: `${dir}/hosts.cfg`, content: objectText({ ...plan, checks: [] }) },
      { vm: "mon-1", path: `${dir}/services.cfg`, content: objectText({ ...plan, hosts: [], checks: plan.checks.filter((c) => c.layer === "server") }) },
      { vm: "mon-2", path: `${dir}/services.cfg`, content: objectText(plan) },
    ];
    const m = monitoringMatrixFor(artifacts, spec, model);
    expect(m.source).toBe(`the rendered Nagios objects on mon-1 (hosts.cfg, services.cfg in ${dir})`);
    expect(m.checkCount).toBe(plan.checks.filter((c) => c.layer === "server").length);
    expect(m.columns.every((c) => c.layer === "server")).toBe(true);
  });

  it("appears in the HTML report as Figure 3 with its source in the caption, and in the Markdown as lists", () => {
    const result = { ...complianceFixture(), monitoring: matrix };
    const page = renderComplianceHtml(result);
    expect(page).toContain('<section id="monitoring-matrix" class="section">');
    expect(page).toContain(`Figure 3. Monitoring matrix of stack ${result.stack}: ${plan.hosts.length} hosts, ${plan.checks.length} checks. Drawn from the monitoring plan derived from the model (a test).`);
    expect(page.match(/<svg class="monitoring-matrix"/g)).toHaveLength(1);
    const md = renderComplianceMarkdown(result);
    expect(md).toMatch(/^## \d+\. Monitoring matrix$/m);
    expect(md).toContain("- bkp-1: load, memory, disk, time sync, security updates, certificate ×3, DRBD, Pacemaker, Bacula job ×6");
    expect(renderComplianceMarkdown(complianceFixture())).toContain("The stack's compliance result carries no monitoring matrix.");
  });
});
