// The backup policies judge plain data (the spec, the model, the delivered files), so their tests can hand them
// hand-written Bacula files as well as the stack's; the policy wrappers only gather that data and report.
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import type { PolicyModel } from "../../components/model/policy-view";
import type { PlatformSpec } from "../../components/spec/schema";
import { deliveredFiles, type DeliveredFile } from "../kit/rendered-files";
import { pendingFiles } from "../kit/pending-files";
import { vmUrn, type PlatformView } from "../kit/platform-view";
import { reportFinding } from "../kit/report-finding";
import type { Finding } from "../kit/types";

export interface BackupJudgeInput {
  spec: PlatformSpec;
  model: PolicyModel;
  /** The platform component (findings about the design as a whole). */
  urn: string;
  files: readonly DeliveredFile[];
  /** Files whose text is not known yet (`fileKey`): never reported missing. */
  pending: ReadonlySet<string>;
  /** The URN of a VM's component (findings about a file a VM lacks). */
  vmUrn: (vm: string) => string;
}

/** Findings, or why there is nothing to judge (the requirement then reads declared, never pass). */
export type Judgement = { findings: Finding[] } | { notApplicable: string };

export async function backupJudgeInput(view: PlatformView, resources: readonly PolicyResource[]): Promise<BackupJudgeInput> {
  return {
    spec: view.spec,
    model: view.model,
    urn: view.urn,
    files: await deliveredFiles(resources, view.model),
    pending: await pendingFiles(resources, view.model),
    vmUrn: (vm) => vmUrn(resources, vm, view.urn),
  };
}

export function reportJudgement(judgement: Judgement, report: ReportViolation, notApplicable: (reason: string) => never): void {
  if ("notApplicable" in judgement) notApplicable(judgement.notApplicable);
  else judgement.findings.forEach((f) => reportFinding(report, f));
}

/** Findings so far when there is nothing more to judge: they fail the requirement; without any, not applicable. */
export function nothingMore(findings: Finding[], reason: string): Judgement {
  return findings.length ? { findings } : { notApplicable: reason };
}
