import type { ReportViolation } from "@pulumi/policy";
import type { Finding } from "./types";

/** The one-line message `pulumi preview` prints for a finding. */
export function formatFinding(f: Finding): string {
  return `${f.subject}${f.location ? ` (${f.location})` : ""}: found ${f.observed}; expected ${f.expected}`;
}

/** A ReportViolation that also takes structured findings: what the offline runner passes to policies. */
export interface StructuredReportViolation extends ReportViolation {
  finding?: (f: Finding) => void;
}

/**
 * Reports a finding: structured when the offline runner is listening, as one formatted line otherwise
 * (under `pulumi preview --policy-pack`).
 */
export function reportFinding(report: ReportViolation, f: Finding): void {
  const structured = (report as StructuredReportViolation).finding;
  if (structured) structured(f);
  else report(formatFinding(f), f.urn);
}
