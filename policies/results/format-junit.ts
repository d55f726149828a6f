import junit from "junit-report-builder";
import type { ComplianceResult } from "./types";

/**
 * JUnit XML: one test suite per stack, one test case per requirement (classname = the requirement's area).
 * fail: a failure listing its findings; manual, not implemented and declared only: skipped with the reason
 * (a declared requirement is no pass); waived: a pass whose output names the waivers. The suite's properties
 * carry the verdict.
 */
export function formatComplianceJunit(result: ComplianceResult): string {
  const builder = junit.newBuilder();
  const suite = builder.testSuite().name(`ibac check ${result.stack}`).property("gitCommit", result.gitCommit).property("toolkitVersion", result.toolkitVersion).property("verdict", result.verdict.state).property("verdictHeadline", result.verdict.headline);
  for (const r of result.requirements) {
    const area = r.requirement.id.split("-").slice(0, 2).join("-");
    const c = suite.testCase().className(`ibac.${result.stack}.${area}`).name(`${r.requirement.id} ${r.requirement.title}`);
    const details = r.findings.map((f) => `${f.state}: ${f.subject}: found ${f.observed}; expected ${f.expected} (${f.policy}, ${f.urn ?? "stack"})`).join("\n");
    if (r.status === "fail") c.failure(`${r.findings.filter((f) => f.state !== "waived").length} violation(s)`, "policy").stacktrace(details || r.policies.map((p) => `${p.policy}: ${p.detail ?? p.status}`).join("\n"));
    else if (r.status === "manual") c.skipped().standardOutput(r.requirement.check.kind === "manual" ? `manual check: ${r.requirement.check.evidence}` : "manual check");
    else if (r.status === "not-implemented") c.skipped().standardOutput(r.requirement.check.kind === "not-implemented" ? `not implemented: ${r.requirement.check.reason}` : "not implemented");
    // Skipped, not passed: CI tools count a skipped case apart from the passes, which is what "declared" is.
    else if (r.status === "declared") c.skipped().standardOutput(`declared only: ${r.policies.filter((p) => p.basis === "declaration").map((p) => p.policy).join(", ")} read the spec's declaration; nothing the toolkit builds shows it yet`).property("status", "declared");
    else if (r.status === "waived") c.standardOutput(details);
  }
  return builder.build();
}
