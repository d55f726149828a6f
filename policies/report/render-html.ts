// The compliance report as one self-contained HTML file: inline CSS and SVG, no scripts, no external fonts or
// images, so it opens offline and prints to PDF (A4, one section per page, the flow matrix in landscape).
// Every string from data goes through the `html` template, which escapes it.
import type { ComplianceResult, EvaluatedFinding, PolicyEvidence, RequirementResult, RequirementStatus, WaiverRecord } from "../results/types";
import type { OutOfScope, Requirement } from "../catalogue/types";
import { anchorId } from "./escape";
import { cssString, html, trusted, type Markup } from "./html-template";
import {
  BASIS_TEXT, capitalise, checkKindWord, enforcementText, findingOutcomeText, FINDING_STATE_WORD, formatTimestamp, OUT_OF_SCOPE_MEANING, OUT_OF_SCOPE_WORD,
  POLICY_STATUS_WORD, SEVERITY_WORD, groupUrns, sourceText, STATUS_MEANING, STATUS_WORD, WAIVER_STATE_WORD,
} from "./labels";
import {
  ABOUT_TEXT, attentionItems, manualRequirements, notImplementedRequirements, REPORT_TITLE, SECTION_ORDER, sectionNumber, SECTIONS,
  summaryRows, verdict, type ReportSection,
} from "./content";
import { groupByNode, quorumFacts, renderTopologySvg, vmAddress } from "./topology-svg";
import { buildFlowMatrix, endpointLabel, portText, renderFlowMatrixHtml } from "./flow-matrix";
import { tierLabel } from "../../components/tiers/registry";

const reqAnchor = (id: string): string => anchorId("req", id);

/** Text with `code` spans (backticks) as <code>; everything escaped. */
function withCode(text: string): Markup {
  return html`${text.split("`").map((part, i) => (i % 2 ? html`<code>${part}</code>` : part))}`;
}

function statusBadge(status: RequirementStatus | "out-of-scope"): Markup {
  const word = status === "out-of-scope" ? OUT_OF_SCOPE_WORD : STATUS_WORD[status];
  return html`<span class="badge status-${status}">${word}</span>`;
}

function severityBadge(severity: Requirement["severity"]): Markup {
  return html`<span class="sev sev-${severity}">${SEVERITY_WORD[severity] ?? severity}</span>`;
}

function sectionHeading(section: ReportSection): Markup {
  return html`<h2><span class="num">${sectionNumber(section)}.</span> ${section.title}</h2>`;
}

function sources(req: { source: Requirement["source"] }): Markup {
  if (req.source.length === 0) return html`<span class="muted">none given</span>`;
  return html`<ul class="plain">${req.source.map((s) => html`<li>${sourceText(s)}</li>`)}</ul>`;
}

function urnList(urns: readonly string[]): Markup {
  if (urns.length === 0) return html`<span class="muted">none named</span>`;
  return html`${groupUrns(urns).map((g) => g.prefix
    ? html`<div class="urn-group"><div><strong>${g.names.length} × ${g.type}</strong>: ${g.names.map((n, i) => html`${i ? ", " : ""}<span class="nowrap">${n}</span>`)}</div><div class="small">URN <code class="urn">${g.prefix}</code>${g.names.length === 1 ? html`<code class="urn">${g.names[0]}</code>` : html`<code class="urn name">&lt;name&gt;</code>`}</div></div>`
    : html`<div class="urn-group">${g.names.join(", ")}</div>`)}`;
}

// --- header, table of contents, summary ----------------------------------------------------------------

function header(result: ComplianceResult): Markup {
  const v = verdict(result);
  return html`<header class="report-header">
<p class="kicker">Compliance report</p>
<h1>${REPORT_TITLE}</h1>
<table class="meta">
<tr><th scope="row">Stack</th><td><strong>${result.stack}</strong></td></tr>
<tr><th scope="row">Git commit</th><td><code>${result.gitCommit}</code></td></tr>
<tr><th scope="row">Toolkit version</th><td>${result.toolkitVersion}</td></tr>
<tr><th scope="row">Generated</th><td>${formatTimestamp(result.generatedAt)} <span class="muted">(${result.generatedAt})</span></td></tr>
</table>
<div class="verdict verdict-${v.state === "complete" ? "ok" : v.state === "fail" ? "bad" : "incomplete"}" role="status">
<p class="verdict-head">RESULT: ${v.headline}</p>
<p>${withCode(v.detail)}</p>
</div>
</header>`;
}

function toc(): Markup {
  return html`<nav class="toc" aria-label="Contents">
<h2>Contents</h2>
<ol>${SECTION_ORDER.map((s) => html`<li><a href="#${s.id}">${s.title}</a></li>`)}</ol>
</nav>`;
}

function about(): Markup {
  return html`<section class="about" aria-label="About this report">
<h2>About this report</h2>
${ABOUT_TEXT.map((p) => html`<p>${p}</p>`)}
</section>`;
}

function summary(result: ComplianceResult): Markup {
  const rows = summaryRows(result);
  const attention = attentionItems(result);
  const statuses: (RequirementStatus | "out-of-scope")[] = ["pass", "fail", "waived", "declared", "manual", "not-implemented", "out-of-scope"];
  return html`<section id="${SECTIONS.summary.id}" class="section">
${sectionHeading(SECTIONS.summary)}
<div class="cards">
${rows.map((r) => html`<div class="card card-${r.key}${(r.key === "mandatory" || r.key === "fail") && r.count > 0 ? " card-alert" : r.key === "incomplete" && r.count > 0 ? " card-warn" : ""}"><span class="count">${r.count}</span><span class="label">${r.label}</span></div>`)}
</div>
<h3>Needs attention</h3>
${attention.length
    ? html`<ul class="attention">${attention.map((a) => html`<li>${a.requirementId ? html`<a href="#${reqAnchor(a.requirementId)}">${a.text}</a>` : a.text}</li>`)}</ul>`
    : html`<p>Nothing: no failed requirement, no expired or idle waiver, every policy ran.</p>`}
<h3>What the statuses mean</h3>
<table class="legend">
<thead><tr><th scope="col" class="w-status">Status</th><th scope="col">Meaning</th></tr></thead>
<tbody>${statuses.map((s) => html`<tr><td>${statusBadge(s)}</td><td>${s === "out-of-scope" ? OUT_OF_SCOPE_MEANING : STATUS_MEANING[s]}</td></tr>`)}</tbody>
</table>
</section>`;
}

// --- requirements -----------------------------------------------------------------------------------------

function overview(result: ComplianceResult): Markup {
  return html`<section id="${SECTIONS.overview.id}" class="section">
${sectionHeading(SECTIONS.overview)}
<p>Every requirement of the catalogue, in catalogue order. The identifier links to the requirement's evidence.</p>
<table class="overview">
<colgroup><col class="w-id"><col><col class="w-sev"><col class="w-enf"><col class="w-check"><col class="w-status"></colgroup>
<thead><tr><th scope="col">ID</th><th scope="col">Requirement</th><th scope="col">Severity</th><th scope="col">Enforcement</th><th scope="col">Checked</th><th scope="col">Status</th></tr></thead>
<tbody>
${result.requirements.map((r) => html`<tr class="row-${r.status}"><td class="id"><a href="#${reqAnchor(r.requirement.id)}">${r.requirement.id}</a></td><td>${r.requirement.title}</td><td>${severityBadge(r.requirement.severity)}</td><td>${r.requirement.enforcement === "mandatory" ? "Mandatory" : "Advisory"}</td><td>${checkKindWord(r.requirement.check)}</td><td>${statusBadge(r.status)}</td></tr>\n`)}
</tbody>
</table>
</section>`;
}

function policyTable(policies: readonly PolicyEvidence[]): Markup {
  if (policies.length === 0) return html`<p class="muted">No policy results were recorded for this requirement.</p>`;
  return html`<table class="policies">
<colgroup><col class="w-policy"><col class="w-result"><col></colgroup>
<thead><tr><th scope="col">Policy</th><th scope="col">Result</th><th scope="col">Resources checked</th></tr></thead>
<tbody>${policies.map((p) => html`<tr><td><code>${p.policy}</code></td><td><span class="badge pstatus-${p.status}">${POLICY_STATUS_WORD[p.status] ?? p.status}</span>${p.basis === "declaration" ? html`<div class="small pbasis-declaration">${BASIS_TEXT.declaration}</div>` : ""}${p.detail ? html`<div class="small">${p.detail}</div>` : ""}</td><td>${urnList(p.checked)}</td></tr>`)}</tbody>
</table>`;
}

function findingsTable(findings: readonly EvaluatedFinding[], showRequirements = false): Markup {
  return html`<table class="findings">
<colgroup><col class="w-n"><col class="w-resource"><col><col><col class="w-outcome"></colgroup>
<thead><tr><th scope="col">#</th><th scope="col">What and where</th><th scope="col">Observed</th><th scope="col">Expected</th><th scope="col">Outcome</th></tr></thead>
<tbody>${findings.map((f, i) => html`<tr class="finding-${f.state}">
<td>${i + 1}</td>
<td><strong>${f.subject}</strong><div class="small">policy <code>${f.policy}</code>${showRequirements ? html`, requirements ${f.requirements.join(", ")}` : ""}</div>${f.urn ? html`<div class="small">resource <code class="urn">${f.urn}</code></div>` : ""}${f.location ? html`<div class="small">at <code>${f.location}</code></div>` : ""}</td>
<td>${f.observed}</td>
<td>${f.expected}</td>
<td><span class="badge fstate-${f.state}">${FINDING_STATE_WORD[f.state]}</span><div class="small">${findingOutcomeText(f)}</div></td>
</tr>`)}</tbody>
</table>`;
}

function evidence(r: RequirementResult): Markup {
  const check = r.requirement.check;
  if (check.kind === "manual") {
    return html`<p><strong>Evidence an auditor must see:</strong> ${check.evidence}</p>
<p class="small">Listed in the <a href="#${SECTIONS.manual.id}">${SECTIONS.manual.title}</a>.</p>
${r.findings.length ? findingsTable(r.findings) : ""}`;
  }
  if (check.kind === "not-implemented") {
    return html`<p><strong>Why it is not checked:</strong> ${check.reason}</p>
${check.evidence ? html`<p><strong>Evidence available meanwhile:</strong> ${check.evidence}</p>` : ""}
${r.policies.length ? policyTable(r.policies) : ""}
${r.findings.length ? findingsTable(r.findings) : ""}`;
  }
  return html`${policyTable(r.policies)}
${r.findings.length
    ? html`<h4>Findings (${r.findings.length})</h4>${findingsTable(r.findings)}`
    : html`<p class="none">No violations found.</p>`}`;
}

function requirementArticle(r: RequirementResult): Markup {
  const req = r.requirement;
  const check = req.check;
  const how = check.kind === "automated"
    ? html`Automated, by ${check.policies.length === 1 ? "the policy" : "the policies"} ${check.policies.map((p, i) => html`${i ? ", " : ""}<code>${p}</code>`)}`
    : check.kind === "manual" ? html`Manual: an auditor checks the evidence below`
      : html`Not implemented${check.policies?.length ? html`; the part already built is judged by ${check.policies.map((p, i) => html`${i ? ", " : ""}<code>${p}</code>`)}` : ""}`;
  return html`<article class="req req-${r.status}" id="${reqAnchor(req.id)}">
<div class="req-top">
<header class="req-head"><span class="req-id">${req.id}</span><h3>${req.title}</h3>${statusBadge(r.status)}</header>
<p class="req-text">${req.text}</p>
<table class="facts">
<tr><th scope="row">Severity</th><td>${severityBadge(req.severity)}</td></tr>
<tr><th scope="row">Enforcement</th><td>${enforcementText(req.enforcement)}</td></tr>
<tr><th scope="row">Sources</th><td>${sources(req)}</td></tr>
<tr><th scope="row">How it is checked</th><td>${how}</td></tr>
</table>
</div>
<div class="evidence"><h4>Evidence</h4>${evidence(r)}</div>
</article>`;
}

function details(result: ComplianceResult): Markup {
  return html`<section id="${SECTIONS.details.id}" class="section">
${sectionHeading(SECTIONS.details)}
<p>For each requirement: the statement, where it comes from, how it is checked and the evidence. For automated checks the
evidence is each policy's result with the resources it checked (Pulumi URNs) and, for each violation, what the stack has
(observed) against what the requirement asks for (expected), and any waiver applied.</p>
${result.requirements.map(requirementArticle)}
</section>`;
}

function unmapped(result: ComplianceResult): Markup {
  return html`<section id="${SECTIONS.unmapped.id}" class="section">
${sectionHeading(SECTIONS.unmapped)}
<p>Violations reported by policies whose requirement identifiers are not in the catalogue. They are a catalogue defect and are shown rather than hidden.</p>
${result.unmappedFindings.length ? findingsTable(result.unmappedFindings, true) : html`<p class="none">None: every finding maps to a catalogue requirement.</p>`}
</section>`;
}

// --- waivers, manual checklist, not implemented, out of scope ----------------------------------------------

function waivers(result: ComplianceResult): Markup {
  const row = (w: WaiverRecord): Markup => html`<tr class="waiver-${w.state}">
<td><code>${w.target}</code></td>
<td><code>${w.resource}</code><div class="small">stack ${w.stack}</div></td>
<td>${w.justification}</td>
<td>${w.approver}<div class="small">approved ${w.approved}</div></td>
<td class="nowrap">${w.expires}</td>
<td><span class="badge wstate-${w.state}">${WAIVER_STATE_WORD[w.state]}</span></td>
<td>${w.matched}${w.state === "active" && w.matched === 0 ? html`<div class="small">matches nothing</div>` : ""}</td>
</tr>`;
  return html`<section id="${SECTIONS.waivers.id}" class="section">
${sectionHeading(SECTIONS.waivers)}
<p>Every waiver in the waiver file. An active waiver turns a matching violation into a waived one; a waiver covers findings up to and
including its expiry date, after which the violation counts again. "Matched" is the number of findings the waiver covers in this run.</p>
${result.waivers.length
    ? html`<table class="waivers">
<colgroup><col class="w-target"><col class="w-wres"><col><col class="w-approver"><col class="w-date"><col class="w-wstate"><col class="w-matched"></colgroup>
<thead><tr><th scope="col">Requirement or policy</th><th scope="col">Resource</th><th scope="col">Justification</th><th scope="col">Approver</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col">Matched</th></tr></thead>
<tbody>${result.waivers.map(row)}</tbody>
</table>`
    : html`<p class="none">No waivers: every violation counts.</p>`}
</section>`;
}

function manualChecklist(result: ComplianceResult): Markup {
  const manual = manualRequirements(result);
  return html`<section id="${SECTIONS.manual.id}" class="section">
${sectionHeading(SECTIONS.manual)}
<p>Requirements the code cannot prove. For each one the auditor inspects the evidence named, ticks the box and signs.</p>
${manual.length
    ? html`<table class="checklist">
<colgroup><col class="w-box"><col class="w-id"><col><col><col class="w-sign"></colgroup>
<thead><tr><th scope="col">Done</th><th scope="col">ID</th><th scope="col">Requirement</th><th scope="col">Evidence the auditor must see</th><th scope="col">Checked by, date</th></tr></thead>
<tbody>${manual.map((r) => html`<tr>
<td><span class="checkbox" role="img" aria-label="not yet checked"></span></td>
<td class="id"><a href="#${reqAnchor(r.requirement.id)}">${r.requirement.id}</a></td>
<td><strong>${r.requirement.title}</strong><div class="small">${r.requirement.text}</div></td>
<td>${r.requirement.check.kind === "manual" ? capitalise(r.requirement.check.evidence) : ""}</td>
<td class="sign"></td>
</tr>`)}</tbody>
</table>`
    : html`<p class="none">No manual checks.</p>`}
</section>`;
}

function notImplemented(result: ComplianceResult): Markup {
  const list = notImplementedRequirements(result);
  return html`<section id="${SECTIONS.notImplemented.id}" class="section">
${sectionHeading(SECTIONS.notImplemented)}
<p>Requirements the toolkit does not build or check yet. They are listed so that nothing is assumed to be covered.</p>
${list.length
    ? html`<table class="notimpl">
<colgroup><col class="w-id"><col class="w-title"><col class="w-sev"><col></colgroup>
<thead><tr><th scope="col">ID</th><th scope="col">Requirement</th><th scope="col">Severity</th><th scope="col">Reason</th></tr></thead>
<tbody>${list.map((r) => {
      const c = r.requirement.check;
      return html`<tr><td class="id"><a href="#${reqAnchor(r.requirement.id)}">${r.requirement.id}</a></td><td><strong>${r.requirement.title}</strong><div class="small">${r.requirement.text}</div></td><td>${severityBadge(r.requirement.severity)}</td><td>${c.kind === "not-implemented" ? c.reason : `Status ${STATUS_WORD[r.status]}`}${c.kind === "not-implemented" && c.evidence ? html`<div class="small">Meanwhile: ${c.evidence}</div>` : ""}</td></tr>`;
    })}</tbody>
</table>`
    : html`<p class="none">None: every requirement is checked automatically or manually.</p>`}
</section>`;
}

function outOfScope(result: ComplianceResult): Markup {
  const row = (o: OutOfScope): Markup => html`<tr><td class="id">${o.id}</td><td><strong>${o.title}</strong><div class="small">${o.text}</div></td><td>${sources(o)}</td><td>${o.reason}</td></tr>`;
  return html`<section id="${SECTIONS.outOfScope.id}" class="section">
${sectionHeading(SECTIONS.outOfScope)}
<p>Statements of the source documents the infrastructure cannot satisfy, and why. Another party or process must cover them.</p>
${result.outOfScope.length
    ? html`<table class="oos">
<colgroup><col class="w-id"><col class="w-title"><col class="w-src"><col></colgroup>
<thead><tr><th scope="col">ID</th><th scope="col">Statement</th><th scope="col">Source</th><th scope="col">Why it is out of scope</th></tr></thead>
<tbody>${result.outOfScope.map(row)}</tbody>
</table>`
    : html`<p class="none">Nothing is declared out of scope.</p>`}
</section>`;
}

// --- pictures -------------------------------------------------------------------------------------------------

function topology(result: ComplianceResult): Markup {
  const q = quorumFacts(result.topology);
  const groups = groupByNode(result.topology);
  return html`<section id="${SECTIONS.topology.id}" class="section">
${sectionHeading(SECTIONS.topology)}
<p>The Proxmox nodes and the VMs each runs while every node is up, grouped by tier. "HA →" names the node that takes the VM over
when its node fails. The QDevice on a third host gives the cluster its deciding vote.</p>
<figure class="picture">${trusted(renderTopologySvg(result.topology))}
<figcaption>Figure 1. Cluster topology of stack ${result.stack}: ${result.topology.nodes.length} nodes, ${result.topology.vms.length} VMs; ${q.expectedVotes} expected votes, quorum at ${q.needed}; survives the loss of one node: ${q.survivesOneNodeLoss ? "yes" : "no"}.</figcaption>
</figure>
<h3>VM placement</h3>
<table class="placement">
<thead><tr><th scope="col">Node</th><th scope="col">Tier</th><th scope="col">VM</th><th scope="col">Role</th><th scope="col">Address</th><th scope="col">Fails over to</th></tr></thead>
<tbody>${groups.flatMap((g) => g.tiers.flatMap((t) => t.vms.map((vm) => html`<tr><td>${g.name}</td><td>${tierLabel(t.tier)}</td><td>${vm.name}</td><td>${vm.role ?? ""}</td><td>${vmAddress(vm)}</td><td>${vm.failoverNode ?? "none"}</td></tr>`)))}</tbody>
</table>
</section>`;
}

function flowMatrix(result: ComplianceResult): Markup {
  const m = buildFlowMatrix(result.flows);
  return html`<section id="${SECTIONS.flowMatrix.id}" class="section landscape">
${sectionHeading(SECTIONS.flowMatrix)}
<p>Every network flow the platform opens: rows are sources, columns are destinations, each cell lists the protocols and
ports opened from the row to the column. An empty cell means the firewall denies that traffic (default deny).
${m.sources.length} sources, ${m.destinations.length} destinations, ${m.flowCount} flows; the <a href="#${SECTIONS.flowList.id}">${SECTIONS.flowList.title}</a> gives each flow's purpose.</p>
<figure class="picture matrix-figure">${trusted(renderFlowMatrixHtml(result.flows))}
<figcaption>Figure 2. Flow matrix of stack ${result.stack}. Row and column headings in italics are zones outside the VMs; grey cells on the diagonal are traffic within one tier or among the nodes.</figcaption>
</figure>
</section>`;
}

function flowList(result: ComplianceResult): Markup {
  return html`<section id="${SECTIONS.flowList.id}" class="section">
${sectionHeading(SECTIONS.flowList)}
<p>The same ${result.flows.length} flows, one per line, with the reason each one is open. The identifier is the comment of the firewall rule that opens it.</p>
<table class="flows">
<colgroup><col class="w-flow"><col class="w-ep"><col class="w-ep"><col class="w-port"><col></colgroup>
<thead><tr><th scope="col">Flow</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Protocol, ports</th><th scope="col">Purpose</th></tr></thead>
<tbody>${result.flows.map((f) => html`<tr><td><code>${f.id}</code></td><td>${endpointLabel(f.source)}</td><td>${endpointLabel(f.destination)}</td><td class="nowrap">${f.protocol.toUpperCase()} ${portText(f.ports)}</td><td>${f.purpose}</td></tr>`)}</tbody>
</table>
</section>`;
}

// --- the page ---------------------------------------------------------------------------------------------------

function styles(result: ComplianceResult): string {
  const footer = cssString(`${REPORT_TITLE} · stack ${result.stack} · commit ${result.gitCommit.slice(0, 12)} · ${formatTimestamp(result.generatedAt)}`);
  return `
:root { --ink: #111827; --muted: #4b5563; --line: #d1d5db; --head: #f3f4f6; }
* { box-sizing: border-box; }
html { font-size: 15px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; font-family: "DejaVu Sans", "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 1rem; line-height: 1.45; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 64px; }
h1 { font-size: 1.9rem; margin: 0 0 .9rem; }
h2 { font-size: 1.4rem; margin: 0 0 .8rem; padding-bottom: .35rem; border-bottom: 2px solid var(--ink); break-after: avoid; }
h2 .num { color: var(--muted); }
h3 { font-size: 1.13rem; margin: 1.3rem 0 .5rem; break-after: avoid; }
h4 { font-size: .9rem; margin: .9rem 0 .4rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); break-after: avoid; }
p { margin: 0 0 .65rem; }
a { color: #1d4ed8; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.small { font-size: .83rem; color: #374151; margin-top: .2rem; }
.nowrap { white-space: nowrap; }
.none { font-style: italic; }
ul.plain { margin: 0; padding-left: 0; list-style: none; }
table { width: 100%; border-collapse: collapse; margin: .4rem 0 .9rem; table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; vertical-align: top; text-align: left; overflow-wrap: break-word; }
thead th { background: var(--head); font-size: .87rem; }
thead { display: table-header-group; }
tr, .card, figure, .verdict, .req-top { break-inside: avoid; }
td.id { white-space: nowrap; font-weight: bold; font-size: .92rem; }

.kicker { text-transform: uppercase; letter-spacing: .12em; color: var(--muted); margin: 0 0 .15rem; font-size: .87rem; }
.report-header { margin-bottom: 1.4rem; }
table.meta { width: auto; min-width: 60%; table-layout: auto; }
table.meta th { background: var(--head); width: 11rem; }
.verdict { border: 3px solid var(--ink); border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0 .3rem; }
.verdict-head { font-size: 1.25rem; font-weight: bold; margin-bottom: .25rem; }
.verdict-bad { border-style: double; border-width: 6px; background: #fee2e2; }
.verdict-ok { background: #dcfce7; }
.verdict-incomplete { border-style: dashed; border-width: 4px; border-color: #92400e; background: #fef3c7; }
.card-warn { border-width: 3px; border-style: dashed; border-color: #92400e; background: #fef3c7; }
.status-declared { background: #fef3c7; border-style: dotted; border-width: 2px; border-color: #92400e; color: #78350f; }
.pbasis-declaration { font-style: italic; }

.toc ol { columns: 2; column-gap: 2.5rem; margin: 0; padding-left: 1.6rem; }
.toc li { margin: .15rem 0; }
.toc h2, .about h2 { font-size: 1.2rem; border-bottom-width: 1px; }
.about { margin: 1.2rem 0 0; }
.section { margin-top: 2.6rem; }

.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: .65rem; margin: .5rem 0 .4rem; }
.card { border: 1.5px solid var(--ink); border-radius: 6px; padding: .5rem .8rem; display: flex; flex-direction: column; }
.card .count { font-size: 1.85rem; font-weight: bold; line-height: 1.1; }
.card .label { font-size: .87rem; }
.card-alert { border-width: 4px; border-style: double; background: #fee2e2; }
.card-total { background: var(--head); }
ul.attention { padding-left: 1.4rem; }
ul.attention li { margin: .2rem 0; }

.badge { display: inline-block; font-size: .77rem; font-weight: bold; letter-spacing: .03em; padding: .05rem .45rem; border-radius: 4px; border: 1.5px solid var(--ink); white-space: nowrap; color: var(--ink); background: #fff; }
.status-pass, .pstatus-pass { background: #dcfce7; border-color: #166534; color: #14532d; }
.status-fail, .pstatus-fail, .pstatus-error, .fstate-open, .fstate-expired-waiver, .wstate-expired { background: #7f1d1d; border-color: #7f1d1d; color: #fff; }
.status-waived, .fstate-waived { background: #fef3c7; border-style: dashed; border-color: #92400e; color: #78350f; }
.status-manual { background: #dbeafe; border-style: dotted; border-width: 2px; border-color: #1e3a8a; color: #1e3a8a; }
.status-not-implemented, .pstatus-not-applicable { background: #e5e7eb; border-color: #6b7280; color: #1f2937; }
.status-out-of-scope { background: #fff; border-color: #9ca3af; color: #374151; }
.wstate-active { background: #fff; border-color: #166534; color: #14532d; }
.sev { font-size: .87rem; font-weight: bold; }
.sev-critical { text-decoration: underline; }
.sev-medium, .sev-low { font-weight: normal; }

col.w-id { width: 15%; } col.w-sev { width: 9%; } col.w-enf { width: 13%; } col.w-check { width: 13%; } col.w-status { width: 17%; }
th.w-status { width: 17%; }
col.w-policy { width: 22%; } col.w-result { width: 14%; }
col.w-n { width: 4%; } col.w-resource { width: 30%; } col.w-outcome { width: 24%; }
col.w-target { width: 15%; } col.w-wres { width: 11%; } col.w-approver { width: 14%; } col.w-date { width: 11%; } col.w-wstate { width: 11%; } col.w-matched { width: 9%; }
col.w-box { width: 6%; } col.w-sign { width: 16%; } col.w-title { width: 30%; } col.w-src { width: 26%; }
col.w-flow { width: 24%; } col.w-ep { width: 14%; } col.w-port { width: 13%; }
table.overview tr.row-fail td { background: #fef2f2; }
table.overview tr.row-fail td.id { border-left: 5px solid #7f1d1d; }

article.req { border: 1px solid var(--line); border-left: 6px solid #9ca3af; border-radius: 4px; padding: .8rem 1rem .25rem; margin: 0 0 1.2rem; }
article.req-pass { border-left-color: #166534; }
article.req-fail { border-left-color: #7f1d1d; border-left-width: 10px; }
article.req-waived { border-left-color: #b45309; border-left-style: dashed; }
article.req-manual { border-left-color: #1e3a8a; border-left-style: dotted; }
article.req-declared { border-left-color: #92400e; border-left-style: dotted; }
.req-head { display: flex; align-items: baseline; gap: .8rem; flex-wrap: wrap; margin-bottom: .4rem; }
.req-head h3 { margin: 0; flex: 1 1 auto; }
.req-id { font-weight: bold; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .93rem; }
table.facts { margin: .25rem 0 .5rem; }
table.facts th { width: 11rem; background: var(--head); font-size: .87rem; }
table.facts td, table.facts th { padding: .2rem .45rem; }
.urn-group { font-size: .87rem; margin: 0 0 .25rem; }
.urn-group + .urn-group { border-top: 1px dotted var(--line); padding-top: .25rem; }
code.urn { font-size: .73rem; color: #374151; }
code.urn.name { font-style: italic; }
tr.finding-open td, tr.finding-expired-waiver td { background: #fef2f2; }

.checkbox { display: inline-block; width: 1.2rem; height: 1.2rem; border: 2px solid var(--ink); border-radius: 2px; background: #fff; }
table.checklist td { height: 3rem; }

figure.picture { margin: .5rem 0 1rem; }
figure.picture svg.topology { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: .87rem; color: var(--muted); margin-top: .4rem; }

table.flow-matrix { table-layout: fixed; font-size: .77rem; margin: 0; }
table.flow-matrix th, table.flow-matrix td { padding: .2rem .25rem; border-color: #9ca3af; overflow-wrap: normal; }
table.flow-matrix th.corner { vertical-align: bottom; font-size: .73rem; width: 8.8rem; }
table.flow-matrix th.corner span { display: block; }
table.flow-matrix th.col-head { vertical-align: bottom; text-align: left; height: 8.5rem; padding: .25rem .1rem; }
table.flow-matrix th.col-head span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; display: inline-block; }
table.flow-matrix th.row-head { background: var(--head); }
table.flow-matrix th.zone { font-style: italic; }
table.flow-matrix td.open { background: #ecfdf5; }
table.flow-matrix td.self { background: #e5e7eb; }
table.flow-matrix td.open.self { background: #d1fae5; box-shadow: inset 0 0 0 2px #9ca3af; }
table.flow-matrix .entry { display: block; }
table.flow-matrix .port { white-space: normal; }

@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-left { content: ${footer}; font: 7.5pt "DejaVu Sans", sans-serif; color: #4b5563; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt "DejaVu Sans", sans-serif; color: #4b5563; } }
@page wide { size: A4 landscape; margin: 10mm 10mm 14mm; }
@media print {
  html { font-size: 9pt; }
  main { max-width: none; padding: 0; }
  .section { margin-top: 0; break-before: page; }
  .landscape { page: wide; }
  a { color: inherit; text-decoration: none; }
  .badge { letter-spacing: 0; }
  table.flow-matrix { font-size: .82rem; }
  table.flow-matrix th.col-head { height: 7.5rem; }
}
`;
}

/** The whole report: one HTML document with everything inline. */
export function renderComplianceHtml(result: ComplianceResult): string {
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ibac report ${result.toolkitVersion}">
<title>${REPORT_TITLE}: stack ${result.stack} (${formatTimestamp(result.generatedAt)})</title>
<style>${trusted(styles(result))}</style>
</head>
<body>
<main>
${header(result)}
${toc()}
${about()}
${summary(result)}
${overview(result)}
${details(result)}
${unmapped(result)}
${waivers(result)}
${manualChecklist(result)}
${notImplemented(result)}
${outOfScope(result)}
${topology(result)}
${flowMatrix(result)}
${flowList(result)}
</main>
</body>
</html>
`;
  return doc.html;
}
