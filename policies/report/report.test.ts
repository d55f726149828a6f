import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { requireTool } from "../../test/support/require-tool";
import { processAlive } from "../../test/support/process-alive";
import { PROJECT_DIR } from "../../test/fixtures/specs";
import type { ComplianceResult } from "../results/types";
import { complianceFixture } from "../../test/fixtures/compliance-result";
import { renderComplianceHtml } from "./render-html";
import { renderComplianceMarkdown } from "./render-markdown";
import { writeComplianceReport } from "./write-report";
import { renderTopologySvg } from "./topology-svg";
import { buildFlowMatrix, renderFlowMatrixHtml } from "./flow-matrix";
import { SECTION_ORDER } from "./content";
import { verdictOf } from "../results/verdict";
import { capitalise, OUT_OF_SCOPE_WORD, STATUS_WORD } from "./labels";

const PAYLOAD = `<img src=x onerror=alert(1)>`;
const PAYLOAD_ESCAPED = `&lt;img src=x onerror=alert(1)&gt;`;
const SCRIPT = `"><script>alert(2)</script>`;

/** Every attribute of every tag, parsed attribute by attribute (a quoted value never reads as attributes). */
function attributes(html: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const tag of html.match(/<[a-zA-Z][^\s>]*(?:\s(?:[^"'>]|"[^"]*"|'[^']*')*)?>/g) ?? []) {
    const attrs = tag.replace(/^<[^\s>]+/, "");
    for (const m of attrs.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
      out.push({ name: m[1].toLowerCase(), value: m[2] ?? m[3] ?? m[4] ?? "" });
    }
  }
  return out;
}

/** Every value of an attribute that loads or links something: src, href, ... */
function referenceValues(html: string): string[] {
  return attributes(html).filter((a) => /^(?:src|href|xlink:href|action|formaction|poster|data|srcset|background)$/.test(a.name)).map((a) => a.value);
}

/** A fixture with markup in every kind of string the report prints. */
function hostileFixture(): ComplianceResult {
  const r = complianceFixture();
  const evil = `${PAYLOAD}${SCRIPT}`;
  r.stack = `prod${SCRIPT}`;
  r.gitCommit = `abc${evil}`;
  r.toolkitVersion = `0.1.0${evil}`;
  const failing = r.requirements.find((q) => q.status === "fail")!;
  failing.requirement.title = `GUI ${evil}`;
  failing.requirement.text = `text ${evil}`;
  failing.requirement.source[0].section = `section ${evil}`;
  failing.findings[0].observed = `observed ${evil}`;
  failing.findings[0].expected = `expected ${evil}`;
  failing.findings[0].subject = `subject ${evil}`;
  failing.findings[0].location = `loc ${evil}`;
  failing.findings[0].urn = `urn:pulumi:prod::p::t::${evil}`;
  failing.policies[0].detail = `detail ${evil}`;
  failing.policies[0].checked.push(`urn:pulumi:prod::p::t::${evil}`);
  r.waivers[0].justification = `because ${evil}`;
  r.waivers[0].approver = `approver ${evil}`;
  r.waivers[0].resource = `res ${evil}`;
  r.outOfScope[0].reason = `reason ${evil}`;
  const manual = r.requirements.find((q) => q.requirement.check.kind === "manual")!;
  manual.requirement.check = { kind: "manual", evidence: `evidence ${evil}` };
  r.topology.vms[0] = { ...r.topology.vms[0], name: `db-1${evil}` };
  r.topology.nodes[0] = { ...r.topology.nodes[0], name: `pve1${evil}` };
  r.topology.qdevice = { name: `qdev${evil}`, address: "10.20.0.5" };
  r.flows[0] = { ...r.flows[0], purpose: `purpose ${evil}`, ports: `500${evil}` };
  r.unmappedFindings.push({ ...failing.findings[0], requirements: [`IBAC-XXX-999${evil}`] });
  return r;
}

function assertSelfContained(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<(?:link|img|iframe|object|embed|base|meta\s+http-equiv)\b/i);
  expect(html).not.toMatch(/url\s*\(|@import/i);
  for (const value of referenceValues(html)) expect(value, `a reference that leaves the document: ${value}`).toMatch(/^#/);
  expect(attributes(html).filter((a) => a.name.startsWith("on")).map((a) => a.name)).toEqual([]);
}

describe("the compliance report's HTML", () => {
  const result = complianceFixture();
  const html = renderComplianceHtml(result);

  it("has a header with stack, commit, toolkit version and time, and the verdict", () => {
    expect(html).toMatch(/<!DOCTYPE html>/);
    expect(html).toContain("<strong>prod</strong>");
    expect(html).toContain(result.gitCommit);
    expect(html).toContain(result.toolkitVersion);
    expect(html).toContain("2025-06-02 09:30 UTC");
    expect(html).toContain("NOT COMPLIANT: 2 mandatory violations");
  });

  it("has every section, each linked from the table of contents", () => {
    for (const s of SECTION_ORDER) {
      expect(html).toContain(`id="${s.id}"`);
      expect(html).toContain(`<a href="#${s.id}">${s.title}</a>`);
    }
  });

  it("shows every summary count", () => {
    const s = result.summary;
    for (const [label, n] of [["Requirements", s.requirements], ["Pass", s.pass], ["Fail", s.fail], ["Waived", s.waived], ["Declared only", s.declared], ["Manual check", s.manual],
      ["Not implemented", s.notImplemented], ["Mandatory not shown", s.mandatoryDeclared + s.mandatoryNotImplemented], ["Out of scope", s.outOfScope], ["Mandatory violations", s.mandatoryViolations], ["Advisory violations", s.advisoryViolations]] as const) {
      expect(html).toMatch(new RegExp(`<span class="count">${n}</span><span class="label">${label}</span>`));
    }
  });

  it("lists every requirement with its status as a word, severity, sources and how it is checked", () => {
    const statuses = new Set(result.requirements.map((r) => r.status));
    expect([...statuses].sort()).toEqual(["declared", "fail", "manual", "not-implemented", "pass", "waived"]);
    for (const r of result.requirements) {
      const article = html.slice(html.indexOf(`<article class="req req-${r.status}" id="req-${r.requirement.id}">`));
      expect(article.length, r.requirement.id).toBeLessThan(html.length);
      const body = article.slice(0, article.indexOf("</article>"));
      expect(body).toContain(`>${STATUS_WORD[r.status]}</span>`);
      expect(body).toContain(r.requirement.source[0].document);
      expect(body).toMatch(/Severity/);
      expect(body).toMatch(/How it is checked/);
      if (r.requirement.check.kind === "automated") for (const p of r.requirement.check.policies) expect(body).toContain(`<code>${p}</code>`);
    }
  });

  it("shows the evidence: resources checked, observed against expected, the waiver applied", () => {
    expect(html).toContain("16 × proxmoxve:vm/virtualMachine:VirtualMachine");
    expect(html).toContain("accepted from any address (source 0.0.0.0/0)");
    expect(html).toContain("accepted from the admin network 10.20.9.0/24 only");
    expect(html).toContain("inputs.rules[4].source");
    expect(html).toContain(">WAIVED</span><div class=\"small\">Waived until 2025-09-30");
    expect(html).toContain(">WAIVER EXPIRED</span>");
    expect(html).toContain("expired on 2025-05-31; the violation counts again");
  });

  it("has the waiver register with state and matched count", () => {
    const register = html.slice(html.indexOf(`id="waivers"`), html.indexOf(`id="manual"`));
    for (const w of result.waivers) {
      expect(register).toContain(w.justification.replace(/'/g, "&#39;"));
      expect(register).toContain(w.approver);
      expect(register).toContain(w.expires);
    }
    expect(register).toContain(">ACTIVE</span>");
    expect(register).toContain(">EXPIRED</span>");
    expect(register).toContain("matches nothing");
  });

  it("has the manual checklist with a checkbox per manual requirement and the evidence to see", () => {
    const checklist = html.slice(html.indexOf(`id="manual"`), html.indexOf(`id="not-implemented"`));
    const manual = result.requirements.filter((r) => r.requirement.check.kind === "manual");
    expect(manual.length).toBeGreaterThan(0);
    expect(checklist.match(/class="checkbox"/g)?.length).toBe(manual.length);
    for (const r of manual) {
      expect(checklist).toContain(r.requirement.id);
      if (r.requirement.check.kind === "manual") expect(checklist).toContain(capitalise(r.requirement.check.evidence).replace(/'/g, "&#39;"));
    }
  });

  it("lists what is not implemented and what is out of scope, with the reasons", () => {
    const notImpl = html.slice(html.indexOf(`id="not-implemented"`), html.indexOf(`id="out-of-scope"`));
    expect(notImpl).toContain("IBAC-LOG-003");
    expect(notImpl).toContain("writes its own logs");
    const oos = html.slice(html.indexOf(`id="out-of-scope"`), html.indexOf(`id="topology"`));
    for (const o of result.outOfScope) {
      expect(oos).toContain(o.id);
      expect(oos).toContain(o.reason.replace(/'/g, "&#39;"));
    }
    expect(html).toContain(`>${OUT_OF_SCOPE_WORD}</span>`);
  });

  it("draws the topology: every node with its votes, every VM in its tier, the QDevice and the quorum", () => {
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));
    for (const n of result.topology.nodes) expect(svg).toContain(`>${n.name}</text>`);
    for (const vm of result.topology.vms) expect(svg).toMatch(new RegExp(`>${vm.name}( \\((primary|replica)\\))?</text>`));
    for (const tier of ["Database", "Object store", "Face recognition", "API", "Load balancer", "Backup", "Monitoring", "VPN"]) expect(svg).toContain(`>${tier}</text>`);
    expect(svg).toContain("qdev1 · QDevice");
    expect(svg.match(/>1 vote<\/text>/g)?.length).toBe(3);
    expect(svg).toContain("= 3 expected votes; a partition needs 2.");
    expect(svg).toContain("Survives the loss of one node: YES");
  });

  it("draws the flow matrix: every source and destination, the ports in their cells", () => {
    const m = buildFlowMatrix(result.flows);
    expect(m.sources.length).toBeGreaterThanOrEqual(12);
    const table = html.slice(html.indexOf(`<table class="flow-matrix">`), html.indexOf("</table>", html.indexOf(`<table class="flow-matrix">`)));
    for (const s of m.sources) expect(table).toContain(`scope="row" class="row-head ${s.kind}">${s.label}</th>`);
    for (const d of m.destinations) expect(table).toContain(`<span>${d.label}</span>`);
    const rows = table.split("<tr>").slice(2);
    const admin = rows.find((r) => r.includes(">Admin network</th>"))!;
    expect(admin).toContain(`<b>TCP</b> <span class="port">22</span>, <span class="port">8006</span>`);
    const nodes = rows.find((r) => r.includes(">Proxmox nodes</th>"))!;
    expect(nodes).toContain(`<b>UDP</b> <span class="port">5404–5405</span>`);
  });

  it("is self-contained: no script, nothing loaded from outside, only # links", () => {
    assertSelfContained(html);
    expect(html).not.toMatch(/https?:\/\//);
    expect(referenceValues(html).length).toBeGreaterThan(SECTION_ORDER.length);
  });

  it("has print rules: A4, a page per section, rows not cut, colours kept", () => {
    expect(html).toMatch(/@page \{ size: A4;/);
    expect(html).toMatch(/\.section \{[^}]*break-before: page/);
    expect(html).toMatch(/tr, [^{]*\{ break-inside: avoid; \}/);
    expect(html).toContain("print-color-adjust: exact");
    expect(html).toMatch(/@page wide \{ size: A4 landscape;/);
  });

  it("escapes every string from data", () => {
    const hostile = renderComplianceHtml(hostileFixture());
    assertSelfContained(hostile);
    expect(hostile).toContain(PAYLOAD_ESCAPED);
    expect(hostile).toContain("&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
    // The page footer carries the stack name inside CSS: hex-escaped there, so it cannot close the style element.
    expect(hostile).not.toMatch(/<\/style>[\s\S]*<\/style>/);
    expect(hostile.match(/<svg/g)?.length).toBe(1);
  });

  it("renders the pictures on their own, as a standalone SVG and an HTML table", () => {
    const svg = renderTopologySvg(complianceFixture().topology, { standalone: true });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(renderTopologySvg(hostileFixture().topology)).not.toMatch(/<img|<script/);
    const table = renderFlowMatrixHtml(hostileFixture().flows, { caption: `flows ${PAYLOAD}` });
    expect(table).not.toMatch(/<img|<script/);
    expect(table).toContain(`<caption>flows ${PAYLOAD_ESCAPED}</caption>`);
  });
});

describe("the report never overstates: the verdict (happy path: no violation, then one gap)", () => {
  /** The fixture with its violations fixed: only `keep` requirements, no finding counting. */
  const fixed = (keep: (r: ComplianceResult["requirements"][number]) => boolean): ComplianceResult => {
    const base = complianceFixture();
    const requirements = base.requirements.filter((r) => keep(r) && r.status !== "fail" && r.status !== "waived");
    const summary = { ...base.summary, mandatoryViolations: 0, advisoryViolations: 0, fail: 0, waived: 0,
      declared: requirements.filter((r) => r.status === "declared").length,
      mandatoryDeclared: requirements.filter((r) => r.status === "declared" && r.requirement.enforcement === "mandatory").length,
      mandatoryNotImplemented: requirements.filter((r) => r.status === "not-implemented" && r.requirement.enforcement === "mandatory").length };
    return { ...base, requirements, summary, verdict: verdictOf(base.stack, summary, requirements) };
  };

  it("with every mandatory requirement shown or manual, the verdict is complete and green in HTML, Markdown and JSON", () => {
    const result = fixed((r) => r.status !== "declared");
    expect(result.verdict.state).toBe("complete");
    expect(renderComplianceHtml(result)).toContain('<div class="verdict verdict-ok" role="status">\n<p class="verdict-head">RESULT: COMPLETE: no mandatory violation;');
    expect(renderComplianceMarkdown(result)).toContain("> **RESULT: COMPLETE: no mandatory violation;");
  });

  it("a mandatory requirement only declared makes it incomplete: not green, says why, and counts it", () => {
    const result = fixed(() => true);
    expect(result.verdict.state).toBe("incomplete");
    const page = renderComplianceHtml(result);
    expect(page).not.toContain('class="verdict verdict-ok"');
    expect(page).toContain('<div class="verdict verdict-incomplete" role="status">\n<p class="verdict-head">RESULT: INCOMPLETE: no mandatory violation, but 1 mandatory requirement not shown (1 only declared)</p>');
    expect(page).toContain("1 mandatory requirement is only declared: its policy found nothing wrong in the spec, but nothing the toolkit builds shows it (IBAC-MON-001).");
    expect(page).toMatch(/<div class="card card-incomplete card-warn"><span class="count">1<\/span><span class="label">Mandatory not shown<\/span><\/div>/);
    expect(page).toContain(">DECLARED ONLY</span>");
    const md = renderComplianceMarkdown(result);
    expect(md).toContain("> **RESULT: INCOMPLETE: no mandatory violation, but 1 mandatory requirement not shown (1 only declared)**");
    expect(md).toContain("| Declared only | 1 |");
    expect(JSON.parse(JSON.stringify(result)).verdict).toEqual({ state: "incomplete", headline: result.verdict.headline, reasons: result.verdict.reasons });
  });
});

describe("the compliance report's Markdown", () => {
  const result = complianceFixture();
  const md = renderComplianceMarkdown(result);

  it("has the same sections, requirements, statuses, waivers, checklist and pictures as tables", () => {
    for (const s of SECTION_ORDER) expect(md).toMatch(new RegExp(`^## \\d+\\. ${s.title}$`, "m"));
    for (const r of result.requirements) {
      expect(md).toMatch(new RegExp(`^### ${r.requirement.id}$`, "m"));
      expect(md).toContain(`**${STATUS_WORD[r.status]}**`);
    }
    expect(md.match(/^- \[ \] /gm)?.length).toBe(result.requirements.filter((r) => r.requirement.check.kind === "manual").length);
    expect(md).toContain("| **ACTIVE** |");
    expect(md).toContain("| **EXPIRED** |");
    expect(md).toContain("| Database | **db-1** | primary | 10.20.2.16 | pve2 |");
    expect(md).toContain("- Survives the loss of one node: **YES**");
    expect(md).toMatch(/^\| \*\*Admin network\*\* \| TCP 22 \|/m);
    expect(md).toContain("accepted from any address (source 0.0.0.0/0)");
  });

  it("keeps every table row on one line with the header's column count", () => {
    const tables = md.split("\n\n").filter((block) => block.startsWith("| "));
    expect(tables.length).toBeGreaterThan(8);
    for (const t of tables) {
      const cols = (line: string): number => line.replace(/\\\|/g, "").split("|").length;
      const [head, ...rest] = t.split("\n").filter(Boolean);
      for (const line of rest) expect(cols(line), line).toBe(cols(head));
    }
  });

  it("escapes every string from data", () => {
    const hostile = renderComplianceMarkdown(hostileFixture());
    expect(hostile).not.toMatch(/<img|<script/i);
    expect(hostile).toContain(PAYLOAD_ESCAPED);
  });
});

describe("writeComplianceReport", () => {
  it("writes compliance-<stack>.html, .md and .json into a directory it creates", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-report-write-"));
    try {
      const result = complianceFixture();
      const out = path.join(dir, "nested", "reports");
      const files = writeComplianceReport(result, out);
      expect(files).toEqual({ html: path.join(out, "compliance-prod.html"), markdown: path.join(out, "compliance-prod.md"), json: path.join(out, "compliance-prod.json") });
      expect(fs.readFileSync(files.html, "utf8")).toBe(renderComplianceHtml(result));
      expect(fs.readFileSync(files.markdown, "utf8")).toBe(renderComplianceMarkdown(result));
      const json = fs.readFileSync(files.json, "utf8");
      expect(json).toBe(`${JSON.stringify(result, null, 2)}\n`);
      expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(result)));
      // A stack name from data never leaves the output directory.
      const escaped = writeComplianceReport({ ...result, stack: "../../etc/x" }, out);
      expect(path.dirname(escaped.html)).toBe(out);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// --- headless Chromium ----------------------------------------------------------------------------------------

/**
 * Flags that keep Chromium off the network: background services off, the services that still start (component
 * updater, sign-in) pointed at the closed discard port on loopback, every remaining request through a proxy on
 * that port, and no host name resolves.
 */
const OFFLINE_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--disable-default-apps",
  "--disable-domain-reliability",
  "--disable-client-side-phishing-detection",
  "--disable-breakpad",
  "--no-pings",
  "--dns-prefetch-disable",
  "--metrics-recording-only",
  "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,AutofillServerCommunication",
  "--component-updater=url-source=http://127.0.0.1:9/",
  "--gaia-url=http://127.0.0.1:9/",
  "--proxy-server=127.0.0.1:9",
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--force-device-scale-factor=1",
];

const CHROMIUM_TIMEOUT_MS = 90_000;

interface ChromiumRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  output: string;
  timedOut: boolean;
  netLog: string;
  pid: number;
  /** The run's private HOME, profile and net log directory. */
  home: string;
  /** Processes still running a few seconds after the browser exited, killed by id. */
  killedLeftovers: number[];
}

/** SIGKILL to the process group `pid` leads (Chromium and its helpers); nothing if it is already gone. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: every process of the group has exited.
  }
}

/** Live processes whose command line names `marker` (the run's private directory): Chromium's, and only its. */
function processesNaming(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker) && processAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}

/**
 * The crash handler runs in a session of its own, out of the group's reach: wait for what names the run's
 * directory to exit (it does when the browser has), then kill what is left by its id.
 */
async function reapLeftovers(marker: string): Promise<number[]> {
  const deadline = Date.now() + 3_000;
  let left = processesNaming(marker);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesNaming(marker);
  }
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return left;
}

/**
 * Runs Chromium in its own process group with a private profile and HOME under `work`; on timeout kills the
 * group by its id. Afterwards nothing of the group may be left (the crash handler and zygotes included).
 */
async function runChromium(binary: string, work: string, name: string, args: string[]): Promise<ChromiumRun> {
  const home = fs.mkdtempSync(path.join(work, `${name}-`));
  const netLog = path.join(home, "netlog.json");
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_CACHE_HOME: path.join(home, ".cache") };
  const started = Date.now();
  const run = await new Promise<ChromiumRun>((resolve, reject) => {
    const child = spawn(binary, [...OFFLINE_FLAGS, `--user-data-dir=${path.join(home, "profile")}`, `--log-net-log=${netLog}`, ...args], {
      env, detached: true, stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) killGroup(child.pid);
    }, CHROMIUM_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // "exit", not "close": a helper process that kept the pipes open must not turn a finished run into a timeout.
    child.on("exit", (status, signal) => {
      clearTimeout(timer);
      const pid = child.pid!;
      killGroup(pid); // helpers Chromium left behind in its group (zygotes, renderers), if any
      resolve({ status, signal, ms: Date.now() - started, output, timedOut, netLog, pid, home, killedLeftovers: [] });
    });
  });
  run.killedLeftovers = await reapLeftovers(home);
  return run;
}

/** Connections Chromium made to anything but loopback, from its net log (a UDP connect sends nothing; a send would). */
function externalTraffic(netLogFile: string): string[] {
  const log = JSON.parse(fs.readFileSync(netLogFile, "utf8")) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: Record<string, unknown> }[];
  };
  const names = new Map(Object.entries(log.constants.logEventTypes).map(([k, v]) => [v, k]));
  const loopback = (address: string): boolean => /^(127\.|\[::1\]|localhost)/.test(address);
  const found: string[] = [];
  for (const e of log.events) {
    const type = names.get(e.type) ?? "";
    const address = String(e.params?.address ?? "");
    if ((type === "TCP_CONNECT" || type === "TCP_CONNECT_ATTEMPT") && address && !loopback(address)) found.push(`${type} ${address}`);
    if (type === "UDP_BYTES_SENT" && !loopback(address)) found.push(`${type} ${address}`);
  }
  return found;
}

function describeRun(r: ChromiumRun): string {
  return `${r.timedOut ? `timed out after ${CHROMIUM_TIMEOUT_MS} ms` : `exit ${r.status}${r.signal ? ` (${r.signal})` : ""}`} in ${r.ms} ms\n${r.output.slice(-3000)}`;
}

describe("the compliance report in headless Chromium", () => {
  it("renders offline from a file:// URL to a screenshot and a multi-page A4 PDF", async () => {
    const chromium = requireTool("chromium", "chromium");
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-report-chromium-"));
    try {
      const files = writeComplianceReport(complianceFixture(), path.join(work, "report"));
      const url = pathToFileURL(files.html).href;
      expect(url).toMatch(/^file:\/\//);

      const png = path.join(work, "compliance-prod.png");
      const shot = await runChromium(chromium, work, "screenshot", ["--hide-scrollbars", "--window-size=1280,4000", `--screenshot=${png}`, url]);
      expect(shot.timedOut || shot.status !== 0, describeRun(shot)).toBe(false);
      const pdf = path.join(work, "compliance-prod.pdf");
      const print = await runChromium(chromium, work, "pdf", ["--no-pdf-header-footer", `--print-to-pdf=${pdf}`, url]);
      expect(print.timedOut || print.status !== 0, describeRun(print)).toBe(false);

      for (const run of [shot, print]) {
        expect(processAlive(run.pid), `chromium ${run.pid} still running`).toBe(false);
        expect(processesNaming(run.home), `Chromium processes left after ${run.killedLeftovers.join(", ") || "none"} were killed`).toEqual([]);
        expect(externalTraffic(run.netLog), "Chromium reached past loopback").toEqual([]);
      }

      const image = fs.readFileSync(png);
      expect(image.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([1280, 4000]);
      // A blank page compresses to a few kilobytes; the report's text, tables and badges do not.
      expect(image.length).toBeGreaterThan(150_000);

      const document = fs.readFileSync(pdf).toString("latin1");
      expect(document.startsWith("%PDF-")).toBe(true);
      const pages = document.match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
      expect(pages).toBeGreaterThan(SECTION_ORDER.length);
      expect(document).toMatch(/\/MediaBox \[0 0 594\.9\d* 841\.9\d*\]/);
      expect(document, "the flow matrix's landscape page").toMatch(/\/MediaBox \[0 0 841\.9\d* 594\.9\d*\]/);

      const keep = path.join(PROJECT_DIR, "out", "report-screenshots");
      fs.mkdirSync(keep, { recursive: true });
      fs.copyFileSync(png, path.join(keep, "compliance-prod.png"));
      fs.copyFileSync(pdf, path.join(keep, "compliance-prod.pdf"));
      fs.copyFileSync(files.html, path.join(keep, "compliance-prod.html"));
      console.log(`chromium: screenshot ${shot.ms} ms, PDF ${print.ms} ms (${pages} pages); kept in ${path.relative(PROJECT_DIR, keep)}/`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);
});
