import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from "node-sarif-builder";
import type { ComplianceResult, EvaluatedFinding } from "./types";

const LEVEL = (f: EvaluatedFinding): "error" | "warning" | "note" => (f.state === "waived" ? "note" : f.enforcement === "mandatory" ? "error" : "warning");

/**
 * SARIF 2.1.0: one rule per catalogue requirement (id = requirement id), one result per finding, located
 * at the stack file (Pulumi resources have no source line) with the resource URN as a logical location.
 * Waived findings are results with a suppression carrying the justification.
 */
export function formatComplianceSarif(result: ComplianceResult, stackFile: string): string {
  const run = new SarifRunBuilder().initSimple({ toolDriverName: "ibac check", toolDriverVersion: result.toolkitVersion });
  for (const r of result.requirements) {
    const rule = new SarifRuleBuilder().initSimple({ ruleId: r.requirement.id, shortDescriptionText: r.requirement.title, fullDescriptionText: r.requirement.text });
    rule.rule.properties = { severity: r.requirement.severity, enforcement: r.requirement.enforcement, check: r.requirement.check.kind, tags: [r.requirement.check.kind] };
    run.addRule(rule);
  }
  for (const r of result.requirements) {
    for (const f of r.findings) {
      const builder = new SarifResultBuilder().initSimple({
        level: LEVEL(f),
        ruleId: r.requirement.id,
        messageText: `${f.subject}${f.location ? ` (${f.location})` : ""}: found ${f.observed}; expected ${f.expected} [policy ${f.policy}]`,
        fileUri: stackFile,
      });
      const res = builder.result;
      if (f.urn && res.locations?.[0]) res.locations[0].logicalLocations = [{ fullyQualifiedName: f.urn, kind: "resource" }];
      if (f.waiver) {
        res.suppressions = [{ kind: "external", status: f.state === "waived" ? "accepted" : "rejected", justification: `${f.waiver.justification} (approved by ${f.waiver.approver} on ${f.waiver.approved}, expires ${f.waiver.expires})` }];
      }
      res.properties = { policy: f.policy, state: f.state, observed: f.observed, expected: f.expected };
      run.addResult(builder);
    }
  }
  // A requirement nothing shows is a note, not silence: SARIF has no "not proven" level, and a missing
  // result reads as a pass in code-scanning views.
  for (const r of result.requirements) {
    if (r.status !== "declared" && r.status !== "not-implemented") continue;
    const builder = new SarifResultBuilder().initSimple({
      level: "note",
      ruleId: r.requirement.id,
      messageText: r.status === "declared"
        ? `${r.requirement.id} is only declared: its policies (${r.policies.map((p) => p.policy).join(", ")}) found nothing wrong in the spec, but nothing the toolkit builds shows it yet. Not a pass.`
        : `${r.requirement.id} is not implemented: ${r.requirement.check.kind === "not-implemented" ? r.requirement.check.reason : "the toolkit builds nothing for it yet"}. Not a pass.`,
      fileUri: stackFile,
    });
    builder.result.properties = { status: r.status, enforcement: r.requirement.enforcement };
    run.addResult(builder);
  }
  run.run.properties = { stack: result.stack, gitCommit: result.gitCommit, summary: result.summary, verdict: result.verdict };
  const log = new SarifBuilder();
  log.addRun(run);
  return log.buildSarifJsonString({ indent: true });
}
