import type { ComplianceSummary, RequirementResult, Verdict } from "./types";

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const ids = (list: readonly RequirementResult[]): string => list.map((r) => r.requirement.id).join(", ");

/**
 * The verdict every output shows (text, JSON, SARIF, JUnit, the report). It never reads greener than the
 * evidence: no mandatory violation is "complete" only when no mandatory requirement is left not implemented
 * or judged from the spec's declaration alone; otherwise it is "incomplete", and says which.
 */
export function verdictOf(stack: string, s: ComplianceSummary, requirements: readonly RequirementResult[]): Verdict {
  const mandatory = requirements.filter((r) => r.requirement.enforcement === "mandatory");
  const notImplemented = mandatory.filter((r) => r.status === "not-implemented");
  const declared = mandatory.filter((r) => r.status === "declared");
  const manual = mandatory.filter((r) => r.status === "manual");
  const reasons: string[] = [];
  if (s.mandatoryViolations > 0) reasons.push(`${plural(s.mandatoryViolations, "mandatory violation")} count${s.mandatoryViolations === 1 ? "s" : ""}: \`ibac check\` fails for stack ${stack}.`);
  if (notImplemented.length) reasons.push(`${plural(notImplemented.length, "mandatory requirement")} ${notImplemented.length === 1 ? "is" : "are"} not implemented: the toolkit builds and checks nothing for ${notImplemented.length === 1 ? "it" : "them"} yet (${ids(notImplemented)}).`);
  if (declared.length) reasons.push(`${plural(declared.length, "mandatory requirement")} ${declared.length === 1 ? "is" : "are"} only declared: ${declared.length === 1 ? "its policy" : "their policies"} found nothing wrong in the spec, but nothing the toolkit builds shows ${declared.length === 1 ? "it" : "them"} (${ids(declared)}).`);
  if (manual.length) reasons.push(`${plural(manual.length, "mandatory manual check")} need${manual.length === 1 ? "s" : ""} an auditor's sign-off.`);
  if (s.advisoryViolations) reasons.push(`${plural(s.advisoryViolations, "advisory violation")} ${s.advisoryViolations === 1 ? "is" : "are"} reported but do${s.advisoryViolations === 1 ? "es" : ""} not fail the check.`);
  if (s.mandatoryViolations > 0) {
    const gaps = notImplemented.length + declared.length;
    return { state: "fail", headline: `NOT COMPLIANT: ${plural(s.mandatoryViolations, "mandatory violation")}${gaps ? `; incomplete: ${plural(gaps, "mandatory requirement")} not shown` : ""}`, reasons };
  }
  if (notImplemented.length || declared.length) {
    const parts = [
      ...(notImplemented.length ? [`${notImplemented.length} not implemented`] : []),
      ...(declared.length ? [`${declared.length} only declared`] : []),
    ];
    return { state: "incomplete", headline: `INCOMPLETE: no mandatory violation, but ${plural(notImplemented.length + declared.length, "mandatory requirement")} not shown (${parts.join(", ")})`, reasons };
  }
  return { state: "complete", headline: "COMPLETE: no mandatory violation; every mandatory requirement has rendered evidence or is a manual check", reasons };
}
