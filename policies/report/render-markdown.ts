// The compliance report as GitHub-flavoured Markdown: the same sections as the HTML, the pictures as tables.
// Every string from data goes through `md` (escapeMarkdown): markup in a finding shows as text.
import type { ComplianceResult, EvaluatedFinding, RequirementResult, RequirementStatus } from "../results/types";
import type { RequirementSource } from "../catalogue/types";
import { escapeMarkdown as md, markdownSlug } from "./escape";
import {
  BASIS_TEXT, capitalise, checkKindWord, enforcementText, findingOutcomeText, FINDING_STATE_WORD, formatTimestamp, OUT_OF_SCOPE_MEANING, OUT_OF_SCOPE_WORD, POLICY_STATUS_WORD,
  groupUrns, SEVERITY_WORD, sourceText, STATUS_MEANING, STATUS_WORD, WAIVER_STATE_WORD,
} from "./labels";
import {
  ABOUT_TEXT, attentionItems, manualRequirements, notImplementedRequirements, REPORT_TITLE, SECTION_ORDER, sectionNumber, SECTIONS,
  summaryRows, verdict, type ReportSection,
} from "./content";
import { groupByNode, quorumFacts, vmAddress } from "./topology-svg";
import { buildFlowMatrix, endpointLabel, entryText, portText } from "./flow-matrix";
import { tierLabel } from "../../components/tiers/registry";

function heading(section: ReportSection): string {
  return `## ${sectionNumber(section)}. ${section.title}`;
}

function sectionLink(section: ReportSection): string {
  return `[${section.title}](#${markdownSlug(`${sectionNumber(section)}. ${section.title}`)})`;
}

/** Requirement headings are the bare id, so their anchor is predictable. */
function reqLink(id: string): string {
  return `[${md(id)}](#${markdownSlug(id)})`;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map((c) => c || " ").join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Inline code from data: the text is escaped and set in <code> (a backtick span cannot hold every string). */
function code(text: string): string {
  return `<code>${md(text)}</code>`;
}

/** `text` with its backtick spans kept as code (for the toolkit's own sentences). */
function withCode(text: string): string {
  return text.split("`").map((part, i) => (i % 2 ? code(part) : md(part))).join("");
}

/** Resources by type: `16 × VirtualMachine: db-1, db-2, …` and the URN every name completes. */
function urnGroups(urns: readonly string[]): string {
  return groupUrns(urns).map((g) => g.prefix
    ? `${g.names.length} × **${md(g.type)}**: ${g.names.map(md).join(", ")}<br>URN ${g.names.length === 1 ? code(g.prefix + g.names[0]) : `${code(g.prefix)}*&lt;name&gt;*`}`
    : g.names.map(md).join(", ")).join("<br>");
}

function status(s: RequirementStatus): string {
  return `**${STATUS_WORD[s]}**`;
}

function sources(list: readonly RequirementSource[]): string {
  return list.length ? list.map((s) => md(sourceText(s))).join("; ") : "none given";
}

function findingsTable(findings: readonly EvaluatedFinding[], showRequirements = false): string {
  return table(
    ["#", "What and where", "Observed", "Expected", "Outcome"],
    findings.map((f, i) => [
      String(i + 1),
      [`**${md(f.subject)}**`, `policy ${code(f.policy)}`, showRequirements ? `requirements ${md(f.requirements.join(", "))}` : "", f.urn ? `resource ${code(f.urn)}` : "", f.location ? `at ${code(f.location)}` : ""].filter(Boolean).join("<br>"),
      md(f.observed),
      md(f.expected),
      `**${FINDING_STATE_WORD[f.state]}**: ${md(findingOutcomeText(f))}`,
    ]),
  );
}

function requirementDetail(r: RequirementResult): string {
  const req = r.requirement;
  const c = req.check;
  const out = [
    `### ${md(req.id)}`,
    "",
    `**${md(req.title)}**: ${status(r.status)}`,
    "",
    md(req.text),
    "",
    `- Severity: ${md(SEVERITY_WORD[req.severity] ?? req.severity)}`,
    `- Enforcement: ${md(enforcementText(req.enforcement))}`,
    `- Sources: ${sources(req.source)}`,
    `- How it is checked: ${c.kind === "automated" ? `automated, by ${c.policies.map(code).join(", ")}` : c.kind === "manual" ? "manual (see the evidence below)" : `not implemented${c.policies?.length ? `; the part already built is judged by ${c.policies.map(code).join(", ")}` : ""}`}`,
    "",
  ];
  if (c.kind === "manual") out.push(`Evidence an auditor must see: ${md(c.evidence)}`, "");
  if (c.kind === "not-implemented") {
    out.push(`Why it is not checked: ${md(c.reason)}`, "");
    if (c.evidence) out.push(`Evidence available meanwhile: ${md(c.evidence)}`, "");
  }
  if (c.kind === "automated" || r.policies.length) {
    out.push(r.policies.length
      ? table(["Policy", "Result", "Resources checked"], r.policies.map((p) => [
        code(p.policy),
        `**${POLICY_STATUS_WORD[p.status] ?? md(p.status)}**${p.basis === "declaration" ? `<br>${md(BASIS_TEXT.declaration)}` : ""}${p.detail ? `<br>${md(p.detail)}` : ""}`,
        p.checked.length ? urnGroups(p.checked) : "none named",
      ]))
      : "No policy results were recorded for this requirement.", "");
    if (!r.findings.length && c.kind === "automated") out.push("No violations found.", "");
  }
  if (r.findings.length) out.push(`Findings (${r.findings.length}):`, "", findingsTable(r.findings), "");
  return out.join("\n");
}

function topologyMarkdown(result: ComplianceResult): string[] {
  const q = quorumFacts(result.topology);
  const out: string[] = [];
  for (const g of groupByNode(result.topology)) {
    const n = g.node;
    out.push(`### ${md(g.name)}`, "");
    if (n) out.push(`Management ${md(n.managementAddress)}, cluster ${md(n.clusterAddress)}; ${n.logicalCpus} logical CPUs, ${n.memoryGiB} GiB RAM${g.votes !== undefined ? `; **${g.votes} quorum vote${g.votes === 1 ? "" : "s"}**` : ""}.`, "");
    out.push(table(["Tier", "VM", "Role", "Address", "Fails over to"], g.tiers.flatMap((t) =>
      t.vms.length
        ? t.vms.map((vm) => [md(tierLabel(t.tier)), `**${md(vm.name)}**`, md(vm.role ?? ""), md(vmAddress(vm)), md(vm.failoverNode ?? "none")])
        : [[md(tierLabel(t.tier)), "no VM of this tier", "", "", ""]])), "");
  }
  out.push("### Quorum", "");
  out.push(result.topology.qdevice
    ? `- QDevice: **${md(result.topology.qdevice.name)}** at ${md(result.topology.qdevice.address)}, ${q.qdeviceVotes} vote${q.qdeviceVotes === 1 ? "" : "s"}`
    : "- QDevice: **none**");
  out.push(
    `- Node votes: ${q.nodeVotes}${q.votesPerNode !== undefined ? ` (${q.votesPerNode} per node)` : ""}`,
    `- Expected votes: ${q.expectedVotes}; a partition needs ${q.needed}`,
    `- Survives the loss of one node: **${q.survivesOneNodeLoss ? "YES" : "NO"}**`,
    "",
  );
  return out;
}

function flowMatrixMarkdown(result: ComplianceResult): string[] {
  const m = buildFlowMatrix(result.flows);
  const rows = m.sources.map((s) => [
    `**${md(s.label)}**`,
    ...m.destinations.map((d) => (m.cells[s.key]?.[d.key] ?? []).map((e) => md(entryText(e))).join("<br>")),
  ]);
  return [table(["From ↓ / To →", ...m.destinations.map((d) => md(d.label))], rows), ""];
}

/** The whole report as Markdown. */
export function renderComplianceMarkdown(result: ComplianceResult): string {
  const v = verdict(result);
  const out: string[] = [
    `# ${REPORT_TITLE}`,
    "",
    table(["Stack", "Git commit", "Toolkit version", "Generated"], [[`**${md(result.stack)}**`, code(result.gitCommit), md(result.toolkitVersion), md(`${formatTimestamp(result.generatedAt)} (${result.generatedAt})`)]]),
    "",
    `> **RESULT: ${md(v.headline)}**`,
    `> ${withCode(v.detail)}`,
    "",
    "## Contents",
    "",
    ...SECTION_ORDER.map((s) => `${sectionNumber(s)}. ${sectionLink(s)}`),
    "",
    "## About this report",
    "",
    ...ABOUT_TEXT.flatMap((p) => [md(p), ""]),
  ];

  // Summary
  const statuses: RequirementStatus[] = ["pass", "fail", "waived", "declared", "manual", "not-implemented"];
  const attention = attentionItems(result);
  out.push(heading(SECTIONS.summary), "", table(["Count", "Number"], summaryRows(result).map((r) => [r.label, String(r.count)])), "", "### Needs attention", "");
  out.push(...(attention.length ? attention.map((a) => `- ${a.requirementId ? `${reqLink(a.requirementId)}: ` : ""}${md(a.requirementId ? a.text.slice(a.requirementId.length).replace(/^[ :]+/, "") : a.text)}`) : ["Nothing: no failed requirement, no expired or idle waiver, every policy ran."]), "");
  out.push("### What the statuses mean", "", table(["Status", "Meaning"], [
    ...statuses.map((s) => [status(s), md(STATUS_MEANING[s])]),
    [`**${OUT_OF_SCOPE_WORD}**`, md(OUT_OF_SCOPE_MEANING)],
  ]), "");

  // Requirements at a glance
  out.push(heading(SECTIONS.overview), "", table(["ID", "Requirement", "Severity", "Enforcement", "Checked", "Status"], result.requirements.map((r) => [
    reqLink(r.requirement.id), md(r.requirement.title), md(SEVERITY_WORD[r.requirement.severity] ?? r.requirement.severity),
    r.requirement.enforcement === "mandatory" ? "Mandatory" : "Advisory",
    checkKindWord(r.requirement.check),
    status(r.status),
  ])), "");

  // Details
  out.push(heading(SECTIONS.details), "", ...result.requirements.map(requirementDetail));

  // Unmapped findings
  out.push(heading(SECTIONS.unmapped), "", result.unmappedFindings.length ? findingsTable(result.unmappedFindings, true) : "None: every finding maps to a catalogue requirement.", "");

  // Waivers
  out.push(heading(SECTIONS.waivers), "", result.waivers.length
    ? table(["Requirement or policy", "Resource", "Justification", "Approver", "Expires", "State", "Matched"], result.waivers.map((w) => [
      code(w.target), `${code(w.resource)} (stack ${md(w.stack)})`, md(w.justification), `${md(w.approver)} (approved ${md(w.approved)})`, md(w.expires), `**${WAIVER_STATE_WORD[w.state]}**`,
      `${w.matched}${w.state === "active" && w.matched === 0 ? " (matches nothing)" : ""}`,
    ]))
    : "No waivers: every violation counts.", "");

  // Manual checklist: GitHub task lists, ticked by the auditor.
  const manual = manualRequirements(result);
  out.push(heading(SECTIONS.manual), "", "Tick each item once the evidence has been seen, with who checked it and when.", "");
  out.push(...(manual.length
    ? manual.map((r) => `- [ ] ${reqLink(r.requirement.id)} **${md(r.requirement.title)}**: ${md(r.requirement.check.kind === "manual" ? capitalise(r.requirement.check.evidence) : "")} Checked by: \\_\\_\\_\\_ Date: \\_\\_\\_\\_`)
    : ["No manual checks."]), "");

  // Not implemented
  const notImpl = notImplementedRequirements(result);
  out.push(heading(SECTIONS.notImplemented), "", notImpl.length
    ? table(["ID", "Requirement", "Severity", "Reason"], notImpl.map((r) => {
      const c = r.requirement.check;
      return [reqLink(r.requirement.id), md(r.requirement.title), md(SEVERITY_WORD[r.requirement.severity] ?? r.requirement.severity),
        c.kind === "not-implemented" ? `${md(c.reason)}${c.evidence ? `<br>Meanwhile: ${md(c.evidence)}` : ""}` : `Status ${STATUS_WORD[r.status]}`];
    }))
    : "None: every requirement is checked automatically or manually.", "");

  // Out of scope
  out.push(heading(SECTIONS.outOfScope), "", result.outOfScope.length
    ? table(["ID", "Statement", "Source", "Why it is out of scope"], result.outOfScope.map((o) => [md(o.id), `**${md(o.title)}**<br>${md(o.text)}`, sources(o.source), md(o.reason)]))
    : "Nothing is declared out of scope.", "");

  out.push(heading(SECTIONS.topology), "", ...topologyMarkdown(result));
  out.push(heading(SECTIONS.flowMatrix), "", "Rows are sources, columns destinations; an empty cell means the firewall denies that traffic (default deny).", "", ...flowMatrixMarkdown(result));
  out.push(heading(SECTIONS.flowList), "", table(["Flow", "From", "To", "Protocol, ports", "Purpose"], result.flows.map((f) => [
    code(f.id), md(endpointLabel(f.source)), md(endpointLabel(f.destination)), md(`${f.protocol.toUpperCase()} ${portText(f.ports)}`.trim()), md(f.purpose),
  ])), "");
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}
