import type { ComplianceResult, EvaluatedFinding } from "./types";

const STATE: Record<EvaluatedFinding["state"], string> = { open: "VIOLATION", waived: "waived", "expired-waiver": "VIOLATION (waiver expired)" };

/** What `ibac check` prints: requirements with findings first, grouped, each finding with resource and observed vs expected. */
export function formatComplianceText(result: ComplianceResult): string {
  const s = result.summary;
  const lines = [`ibac check: stack ${result.stack} (toolkit ${result.toolkitVersion}, ${result.gitCommit})`, ""];
  const withFindings = result.requirements.filter((r) => r.findings.length || r.status === "fail");
  for (const r of withFindings) {
    lines.push(`${r.requirement.id} ${r.requirement.title} [${r.status.toUpperCase()}; ${r.requirement.severity}, ${r.findings[0]?.enforcement ?? r.requirement.enforcement}]`);
    for (const p of r.policies.filter((x) => x.status === "error")) lines.push(`  policy ${p.policy} could not run: ${p.detail ?? "error"}`);
    for (const f of r.findings) {
      lines.push(`  ${STATE[f.state]} (${f.policy}): ${f.subject}${f.location ? ` (${f.location})` : ""}`);
      lines.push(`    resource: ${f.urn ?? "the stack"}`);
      lines.push(`    observed: ${f.observed}`);
      lines.push(`    expected: ${f.expected}`);
      if (f.waiver) lines.push(`    waiver:   ${f.waiver.justification} (approved by ${f.waiver.approver} on ${f.waiver.approved}, expires ${f.waiver.expires})`);
    }
    lines.push("");
  }
  for (const f of result.unmappedFindings) lines.push(`UNMAPPED (${f.policy}, ${f.requirements.join(", ")} not in the catalogue): ${f.subject}: found ${f.observed}; expected ${f.expected}`);
  const unused = result.waivers.filter((w) => w.matched === 0);
  for (const w of unused) lines.push(`note: waiver for ${w.target} on ${w.resource} (stack ${w.stack}) matched nothing (${w.state}, expires ${w.expires})`);
  const ids = (status: string): string[] => result.requirements.filter((r) => r.status === status).map((r) => r.requirement.id);
  const passed = ids("pass");
  const declared = ids("declared");
  lines.push(`Passed: ${passed.length ? passed.join(", ") : "none"}`);
  if (declared.length) lines.push(`Declared only (no pass: the policy read the spec's declaration, nothing built shows it): ${declared.join(", ")}`);
  lines.push(
    `Requirements: ${s.requirements} (${s.pass} pass, ${s.fail} fail, ${s.waived} waived, ${s.declared} declared only, ${s.manual} manual, ${s.notImplemented} not implemented); ${s.outOfScope} out of scope.`,
    `Mandatory violations: ${s.mandatoryViolations}; advisory: ${s.advisoryViolations}.`,
    `Verdict: ${result.verdict.headline}.`,
    ...result.verdict.reasons.map((r) => `  ${r}`),
  );
  return `${lines.join("\n")}\n`;
}
