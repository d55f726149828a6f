import type { Severity } from "@pulumi/policy";
import type { Finding, IbacEnforcement } from "../kit/types";
import type { OutOfScope, Requirement } from "../catalogue/types";
import type { PlatformModel } from "../../components/model/types";

/** A waiver as the operator wrote it (`--waivers FILE`). */
export interface Waiver {
  /** A requirement id or a policy name. */
  target: string;
  /** The stack it is for, or `all` (written out in the file: a waiver names its stack). */
  stack: string;
  /** The resource's URN, or its name (the last URN segment); `*` for every resource. */
  resource: string;
  justification: string;
  approver: string;
  /** YYYY-MM-DD, the day it was approved; `expires` is at most WAIVER_MAX_MONTHS later. */
  approved: string;
  /** YYYY-MM-DD; the waiver covers findings up to and including that day. */
  expires: string;
}

/** A waiver after evaluation. */
export interface WaiverRecord extends Waiver {
  state: "active" | "expired";
  /** How many findings it matched (an active waiver matching nothing is reported: it may hide nothing now). */
  matched: number;
}

/** One violation after waivers: open (counts), waived (shown, does not count), or waived by an expired waiver (counts). */
export interface EvaluatedFinding extends Finding {
  policy: string;
  requirements: string[];
  severity: Severity;
  enforcement: IbacEnforcement;
  state: "open" | "waived" | "expired-waiver";
  /** The waiver that matched it, if any. */
  waiver?: Waiver;
}

/**
 * A requirement's status in a report. `declared`: its policies found nothing wrong, but they could read only
 * the spec's declaration (the toolkit builds nothing that shows the requirement yet): not a pass.
 */
export type RequirementStatus = "pass" | "fail" | "waived" | "declared" | "manual" | "not-implemented";

/** What a policy run contributed to a requirement (for the evidence column). */
export interface PolicyEvidence {
  policy: string;
  status: "pass" | "fail" | "not-applicable" | "error";
  detail?: string;
  /** What the policy read for this requirement: rendered files and resources, or only the spec's declaration. */
  basis: "rendered" | "declaration";
  /** URNs of the resources the policy checked, when it names them; the platform URN for stack policies. */
  checked: string[];
}

export interface RequirementResult {
  requirement: Requirement;
  status: RequirementStatus;
  policies: PolicyEvidence[];
  findings: EvaluatedFinding[];
}

export interface ComplianceSummary {
  requirements: number;
  pass: number;
  fail: number;
  waived: number;
  declared: number;
  manual: number;
  notImplemented: number;
  /** Mandatory requirements whose policies read only the declaration, and mandatory ones not implemented. */
  mandatoryDeclared: number;
  mandatoryNotImplemented: number;
  outOfScope: number;
  /** Open mandatory violations plus those under an expired waiver: non-zero means `ibac check` exits 1. */
  mandatoryViolations: number;
  advisoryViolations: number;
}

/**
 * The one-line answer, the same in every output. `fail`: a mandatory violation counts (`ibac check` exits
 * 1). `incomplete`: none counts, but mandatory requirements are not implemented or only declared, so the
 * stack is not shown to meet them. `complete`: no mandatory violation and every mandatory requirement that
 * is not a manual check has rendered evidence. Manual checks need an auditor's sign-off in every case.
 */
export interface Verdict {
  state: "fail" | "incomplete" | "complete";
  /** e.g. "INCOMPLETE: no mandatory violation, but 19 mandatory requirements are not implemented and 3 only declared". */
  headline: string;
  /** Why, one sentence each. */
  reasons: string[];
}

/** Everything `ibac check` and `ibac report` print, in one value. */
export interface ComplianceResult {
  stack: string;
  /** ISO 8601, UTC. */
  generatedAt: string;
  toolkitVersion: string;
  /** `git rev-parse HEAD` of the toolkit, with `-dirty` if the tree had changes; "unknown" outside git. */
  gitCommit: string;
  summary: ComplianceSummary;
  verdict: Verdict;
  requirements: RequirementResult[];
  outOfScope: OutOfScope[];
  waivers: WaiverRecord[];
  /** Findings of policies whose requirement ids are not in the catalogue (a catalogue bug, shown not hidden). */
  unmappedFindings: EvaluatedFinding[];
  /** For the report's pictures. */
  topology: Pick<PlatformModel, "nodes" | "vms" | "qdevice" | "quorum">;
  flows: PlatformModel["flows"];
}
