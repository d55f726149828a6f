import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { Finding, IbacPolicy, IbacPolicyMeta } from "../kit/types";
import type { StructuredReportViolation } from "../kit/report-finding";

/** What one policy concluded about one stack. */
export interface PolicyOutcome {
  policy: IbacPolicyMeta;
  /** `not-applicable`: the policy said so (e.g. a VE 8 stack for a VE 9 rule); `error`: the policy threw. */
  status: "pass" | "fail" | "not-applicable" | "error";
  findings: Finding[];
  /** Why it was not applicable, or the error it threw. */
  detail?: string;
}

class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason ?? "not applicable");
}

function metaOf(p: IbacPolicy): IbacPolicyMeta {
  return { name: p.name, description: p.description, requirements: p.requirements, severity: p.severity, enforcementLevel: p.enforcementLevel, ...(p.declaredOnly ? { declaredOnly: p.declaredOnly } : {}) };
}

function reporterInto(findings: Finding[]): StructuredReportViolation {
  const report: StructuredReportViolation = (message: string, urn?: string) => {
    findings.push({ subject: message, observed: "see message", expected: "see the requirement", ...(urn ? { urn } : {}) });
  };
  report.finding = (f) => findings.push(f);
  return report;
}

async function runOne(p: IbacPolicy, resources: readonly PolicyResource[]): Promise<PolicyOutcome> {
  const findings: Finding[] = [];
  const report = reporterInto(findings);
  const stackTags = new Map<string, string>();
  const getConfig = <T extends object>(): T => ({}) as T;
  let notApplicableReason: string | undefined;
  try {
    if (p.kind === "stack") {
      const args: StackValidationArgs = { resources: [...resources], stackTags, getConfig, notApplicable };
      await p.validateStack(args, report);
    } else {
      const validations = p.validateResource === undefined ? [] : Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
      const applicable = resources.filter((r) => p.appliesTo.includes(r.type));
      for (const r of applicable) {
        const args: ResourceValidationArgs = { type: r.type, props: r.props, urn: r.urn, name: r.name, opts: r.opts, stackTags, isType: r.isType, asType: r.asType as ResourceValidationArgs["asType"], getConfig, notApplicable };
        for (const validate of validations) {
          // Findings without a URN belong to the resource being validated, as the engine would attribute them.
          const forResource: StructuredReportViolation = (message, urn) => report(message, urn ?? r.urn);
          forResource.finding = (f) => report.finding?.({ ...f, urn: f.urn ?? r.urn });
          await validate(args, forResource);
        }
      }
      if (applicable.length === 0) notApplicableReason = `no ${p.appliesTo.join(" or ")} in the stack`;
    }
  } catch (e) {
    if (e instanceof NotApplicable) return { policy: metaOf(p), status: "not-applicable", findings: [], detail: e.reason };
    return { policy: metaOf(p), status: "error", findings, detail: e instanceof Error ? e.message : String(e) };
  }
  if (findings.length) return { policy: metaOf(p), status: "fail", findings };
  if (notApplicableReason) return { policy: metaOf(p), status: "not-applicable", findings, detail: notApplicableReason };
  return { policy: metaOf(p), status: "pass", findings };
}

/** Runs every policy against the resources, the way `pulumi preview --policy-pack` would, without an engine. */
export async function runPolicies(policies: readonly IbacPolicy[], resources: readonly PolicyResource[]): Promise<PolicyOutcome[]> {
  const outcomes: PolicyOutcome[] = [];
  for (const p of policies) outcomes.push(await runOne(p, resources));
  return outcomes;
}
