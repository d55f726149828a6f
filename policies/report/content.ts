// What the report says, independent of the format: section list, the requirement groups and the items that
// need an auditor's attention. The HTML and Markdown renderers draw the same content from here.
import type { ComplianceResult, EvaluatedFinding, RequirementResult, WaiverRecord } from "../results/types";
import { STATUS_WORD } from "./labels";

export interface ReportSection {
  id: string;
  title: string;
}

export const SECTIONS = {
  summary: { id: "summary", title: "Summary" },
  overview: { id: "requirements", title: "Requirements at a glance" },
  details: { id: "details", title: "Requirement details and evidence" },
  unmapped: { id: "unmapped", title: "Findings outside the catalogue" },
  waivers: { id: "waivers", title: "Waiver register" },
  manual: { id: "manual", title: "Manual checklist" },
  notImplemented: { id: "not-implemented", title: "Not implemented" },
  outOfScope: { id: "out-of-scope", title: "Out of scope" },
  topology: { id: "topology", title: "Topology" },
  flowMatrix: { id: "flow-matrix", title: "Flow matrix" },
  flowList: { id: "flow-list", title: "Flow list" },
} satisfies Record<string, ReportSection>;

/** The sections in reading order, numbered from 1. */
export const SECTION_ORDER: ReportSection[] = [
  SECTIONS.summary, SECTIONS.overview, SECTIONS.details, SECTIONS.unmapped, SECTIONS.waivers, SECTIONS.manual,
  SECTIONS.notImplemented, SECTIONS.outOfScope, SECTIONS.topology, SECTIONS.flowMatrix, SECTIONS.flowList,
];

export function sectionNumber(section: ReportSection): number {
  return SECTION_ORDER.indexOf(section) + 1;
}

export const REPORT_TITLE = "iBac platform compliance report";

export const ABOUT_TEXT = [
  "This report states, requirement by requirement, whether the iBac platform as defined for this stack meets the requirements of the design and the adopted security documents.",
  "Automated results come from the toolkit's policies run against the stack's planned resources: they show what the infrastructure code declares. "
    + "What the code cannot show is listed in the manual checklist, with the evidence an auditor must see.",
  "A requirement whose policies could read only what the spec declares, because the toolkit builds nothing yet that shows it, is DECLARED ONLY, never a pass. "
    + "The result is COMPLETE only when no mandatory violation counts and no mandatory requirement is left not implemented or only declared; otherwise it is INCOMPLETE or NOT COMPLIANT, with the reasons.",
  "A violation can be waived only by a dated, approved waiver for its stack, for at most a year; an expired waiver no longer covers anything and the violation counts again.",
];

export function manualRequirements(result: ComplianceResult): RequirementResult[] {
  return result.requirements.filter((r) => r.requirement.check.kind === "manual");
}

/** Requirements whose policies could read only the spec's declaration. */
export function declaredRequirements(result: ComplianceResult): RequirementResult[] {
  return result.requirements.filter((r) => r.status === "declared");
}

export function notImplementedRequirements(result: ComplianceResult): RequirementResult[] {
  return result.requirements.filter((r) => r.status === "not-implemented" || r.requirement.check.kind === "not-implemented");
}

/** Every finding of a requirement and the unmapped ones, for counting. */
export function allFindings(result: ComplianceResult): EvaluatedFinding[] {
  return [...result.requirements.flatMap((r) => r.findings), ...result.unmappedFindings];
}

/**
 * The verdict line: the result's own verdict (results/verdict.ts), with the consequence for `ibac check`.
 * Only `complete` is drawn green; `incomplete` (no violation, but mandatory requirements not implemented or
 * only declared) is drawn as a warning, never as a pass.
 */
export function verdict(result: ComplianceResult): { state: ComplianceResult["verdict"]["state"]; headline: string; detail: string } {
  const v = result.verdict;
  const check = v.state === "fail"
    ? `\`ibac check\` fails for stack ${result.stack}: open mandatory violations and violations under expired waivers must be fixed or waived.`
    : `\`ibac check\` passes for stack ${result.stack} (it fails on mandatory violations only).`;
  return { state: v.state, headline: v.headline, detail: [check, ...v.reasons.filter((r) => !r.includes("`ibac check` fails"))].join(" ") };
}

export interface AttentionItem {
  /** Requirement id to link to, when the item is about one requirement. */
  requirementId?: string;
  text: string;
}

function waiverName(w: WaiverRecord): string {
  return `${w.target} on ${w.resource}`;
}

/** What an auditor should look at first: failures, expired or idle waivers, policies that could not run. */
export function attentionItems(result: ComplianceResult): AttentionItem[] {
  const items: AttentionItem[] = [];
  for (const r of result.requirements) {
    if (r.status === "fail") {
      const open = r.findings.filter((f) => f.state !== "waived").length;
      items.push({ requirementId: r.requirement.id, text: `${r.requirement.id} ${r.requirement.title}: ${STATUS_WORD.fail} (${r.requirement.enforcement}), ${open} violation${open === 1 ? "" : "s"} counting.` });
    }
    if (r.status === "declared" && r.requirement.enforcement === "mandatory") {
      items.push({ requirementId: r.requirement.id, text: `${r.requirement.id} ${r.requirement.title}: ${STATUS_WORD.declared} (mandatory): nothing the toolkit builds shows it yet; its policies read the spec's declaration.` });
    }
    for (const p of r.policies.filter((p) => p.status === "error")) {
      items.push({ requirementId: r.requirement.id, text: `${r.requirement.id}: the policy ${p.policy} could not run${p.detail ? `: ${p.detail}` : ""}.` });
    }
  }
  for (const w of result.waivers) {
    if (w.state === "expired") items.push({ text: `The waiver ${waiverName(w)} expired on ${w.expires}${w.matched ? ` and no longer covers ${w.matched} finding${w.matched === 1 ? "" : "s"}` : ""}.` });
    else if (w.matched === 0) items.push({ text: `The active waiver ${waiverName(w)} matches no finding; it may be removed.` });
  }
  if (result.unmappedFindings.length) {
    items.push({ text: `${result.unmappedFindings.length} finding${result.unmappedFindings.length === 1 ? "" : "s"} of policies name requirements that are not in the catalogue (see "${SECTIONS.unmapped.title}").` });
  }
  return items;
}

/** Summary rows: label, count, and the status they stand for (for the badge style). */
export function summaryRows(result: ComplianceResult): { label: string; count: number; key: string }[] {
  const s = result.summary;
  return [
    { label: "Requirements", count: s.requirements, key: "total" },
    { label: "Pass", count: s.pass, key: "pass" },
    { label: "Fail", count: s.fail, key: "fail" },
    { label: "Waived", count: s.waived, key: "waived" },
    { label: "Declared only", count: s.declared, key: "declared" },
    { label: "Manual check", count: s.manual, key: "manual" },
    { label: "Not implemented", count: s.notImplemented, key: "not-implemented" },
    { label: "Mandatory not shown", count: s.mandatoryDeclared + s.mandatoryNotImplemented, key: "incomplete" },
    { label: "Out of scope", count: s.outOfScope, key: "out-of-scope" },
    { label: "Mandatory violations", count: s.mandatoryViolations, key: "mandatory" },
    { label: "Advisory violations", count: s.advisoryViolations, key: "advisory" },
  ];
}
