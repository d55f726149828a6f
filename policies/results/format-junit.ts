import junit from "junit-report-builder";
import type { ComplianceResult } from "./types";

/**
 * JUnit XML: one test suite per stack, one test case per requirement (classname = the requirement's area).
 * fail: a failure listing its findings; manual and not implemented: skipped with the reason; waived: a pass
 * whose output names the waivers.
 */
export function formatComplianceJunit(result: ComplianceResult): string {
  const builder = junit.newBuilder();
  const suite = builder.testSuite().name(`ibac check ${result.stack}`).property("gitCommit", result.gitCommit).property("toolkitVersion", result.toolkitVersion);
  for (const r of result.requirements) {
    const area = r.requirement.id.split("-").slice(0, 2).join("-");
    const c = suite.testCase().className(`ibac.${result.stack}.${area}`).name(`${r.requirement.id} ${r.requirement.title}`);
    const details = r.findings.map((f) => `${f.state}: ${f.subject}: found ${f.observed}; expected ${f.expected} (${f.policy}, ${f.urn ?? "stack"})`).join("\n");
    if (r.status === "fail") c.failure(`${r.findings.filter((f) => f.state !== "waived").length} violation(s)`, "policy").stacktrace(details || r.policies.map((p) => `${p.policy}: ${p.detail ?? p.status}`).join("\n"));
    else if (r.status === "manual") c.skipped().standardOutput(r.requirement.check.kind === "manual" ? `manual check: ${r.requirement.check.evidence}` : "manual check");
    else if (r.status === "not-implemented") c.skipped().standardOutput(r.requirement.check.kind === "not-implemented" ? `not implemented: ${r.requirement.check.reason}` : "not implemented");
    else if (r.status === "waived") c.standardOutput(details);
  }
  return builder.build();
}
