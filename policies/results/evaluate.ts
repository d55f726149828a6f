import type { PolicyModel } from "../../components/model/policy-view";
import type { RequirementCatalogue } from "../catalogue/types";
import type { PolicyOutcome } from "../offline/run-policies";
import { waiverCoversResource, waiverCoversStack } from "./waivers";
import { verdictOf } from "./verdict";
import type { ComplianceResult, ComplianceSummary, EvaluatedFinding, PolicyEvidence, RequirementResult, Waiver, WaiverRecord } from "./types";

export interface EvaluationInput {
  stack: string;
  catalogue: RequirementCatalogue;
  outcomes: PolicyOutcome[];
  waivers: Waiver[];
  model: PolicyModel;
  /** "Today" for waiver expiry. */
  now: Date;
  toolkitVersion: string;
  gitCommit: string;
  /** URN of the platform component: the evidence of stack policies. */
  platformUrn: string;
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Joins the policies' outcomes with the catalogue and the waivers: every finding open, waived or under an
 * expired waiver; every requirement pass, fail, waived, manual or not implemented.
 */
export function evaluateCompliance(input: EvaluationInput): ComplianceResult {
  const today = day(input.now);
  // A waiver for another stack is no part of this run: it neither covers a finding nor shows as idle.
  const records: WaiverRecord[] = input.waivers.filter((w) => waiverCoversStack(w, input.stack)).map((w) => ({ ...w, state: w.expires < today ? "expired" : "active", matched: 0 }));
  const findings: EvaluatedFinding[] = input.outcomes.flatMap((o) => o.findings.map((f) => {
    const requirements = f.requirement ? [f.requirement] : o.policy.requirements;
    const matching = records.filter((w) => (w.target === o.policy.name || requirements.includes(w.target)) && waiverCoversResource(w, f.urn));
    // An active waiver wins over an expired one for the same finding.
    const waiver = matching.find((w) => w.state === "active") ?? matching[0];
    if (waiver) waiver.matched++;
    const state: EvaluatedFinding["state"] = !waiver ? "open" : waiver.state === "active" ? "waived" : "expired-waiver";
    return {
      ...f,
      policy: o.policy.name,
      requirements: f.requirement ? [f.requirement] : o.policy.requirements,
      severity: o.policy.severity,
      enforcement: o.policy.enforcementLevel,
      state,
      ...(waiver ? { waiver: { target: waiver.target, stack: waiver.stack, resource: waiver.resource, justification: waiver.justification, approver: waiver.approver, approved: waiver.approved, expires: waiver.expires } } : {}),
    };
  }));
  const byPolicy = new Map(input.outcomes.map((o) => [o.policy.name, o]));

  const requirements: RequirementResult[] = input.catalogue.requirements.map((requirement) => {
    if (requirement.check.kind === "manual") return { requirement, status: "manual", policies: [], findings: [] };
    // A requirement not implemented may name the policies that judge the part already built: their findings
    // fail it, their silence leaves it not implemented (never a pass).
    if (requirement.check.kind === "not-implemented" && !requirement.check.policies?.length) return { requirement, status: "not-implemented", policies: [], findings: [] };
    const partial = requirement.check.kind === "not-implemented";
    const names = requirement.check.policies ?? [];
    const policies: PolicyEvidence[] = names.map((name) => {
      const o = byPolicy.get(name);
      if (!o) return { policy: name, status: "error", detail: "no such policy in the pack", basis: "rendered", checked: [] };
      const checked = [...new Set(o.findings.map((f) => f.urn ?? input.platformUrn))];
      const basis = o.policy.declaredOnly?.includes(requirement.id) ? "declaration" : "rendered";
      return { policy: name, status: o.status, ...(o.detail ? { detail: o.detail } : {}), basis, checked: checked.length ? checked : [input.platformUrn] };
    });
    const own = findings.filter((f) => names.includes(f.policy) && f.requirements.includes(requirement.id));
    const failing = own.some((f) => f.state !== "waived") || policies.some((p) => p.status === "error");
    // Nothing wrong found, but by a policy that could read only the declaration: not a pass. Nor is a
    // requirement whose every policy found nothing to judge (the spec declares no such part): nothing built shows it.
    const declared = policies.some((p) => p.basis === "declaration") || policies.every((p) => p.status === "not-applicable");
    const status = failing ? "fail" : own.length ? "waived" : partial ? "not-implemented" : declared ? "declared" : "pass";
    return { requirement, status, policies, findings: own };
  });

  const catalogued = new Set(input.catalogue.requirements.map((r) => r.id));
  const unmappedFindings = findings.filter((f) => !f.requirements.some((id) => catalogued.has(id)));
  const counting = findings.filter((f) => f.state !== "waived");
  // A policy that threw, or that the catalogue names but the pack lacks, proves nothing: it counts.
  const broken = new Set(requirements.filter((r) => r.requirement.enforcement === "mandatory").flatMap((r) => r.policies.filter((p) => p.status === "error").map((p) => p.policy)));
  const summary: ComplianceSummary = {
    requirements: requirements.length,
    pass: requirements.filter((r) => r.status === "pass").length,
    fail: requirements.filter((r) => r.status === "fail").length,
    waived: requirements.filter((r) => r.status === "waived").length,
    declared: requirements.filter((r) => r.status === "declared").length,
    manual: requirements.filter((r) => r.status === "manual").length,
    notImplemented: requirements.filter((r) => r.status === "not-implemented").length,
    mandatoryDeclared: requirements.filter((r) => r.status === "declared" && r.requirement.enforcement === "mandatory").length,
    mandatoryNotImplemented: requirements.filter((r) => r.status === "not-implemented" && r.requirement.enforcement === "mandatory").length,
    outOfScope: input.catalogue.outOfScope.length,
    mandatoryViolations: counting.filter((f) => f.enforcement === "mandatory").length + broken.size,
    advisoryViolations: counting.filter((f) => f.enforcement === "advisory").length,
  };
  return {
    stack: input.stack,
    generatedAt: input.now.toISOString(),
    toolkitVersion: input.toolkitVersion,
    gitCommit: input.gitCommit,
    summary,
    verdict: verdictOf(input.stack, summary, requirements),
    requirements,
    outOfScope: input.catalogue.outOfScope,
    waivers: records,
    unmappedFindings,
    topology: { nodes: input.model.nodes, vms: input.model.vms, qdevice: input.model.qdevice, quorum: input.model.quorum },
    flows: input.model.flows,
  };
}
