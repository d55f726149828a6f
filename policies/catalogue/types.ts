import type { Severity } from "@pulumi/policy";
import type { IbacEnforcement, RequirementId } from "../kit/types";

/** Where a requirement comes from: a file of `../shared/seeds/` and the section (heading or numbered clause). */
export interface RequirementSource {
  /** File name in shared/seeds, e.g. `000_b7bd0876216dc30f.txt`. */
  document: string;
  /** The section as the document names it, e.g. "IBAC backend / Backups" or "3.2.1". */
  section: string;
}

/**
 * How a requirement is checked: by policies (named), by an auditor looking at evidence, or not yet (the
 * toolkit does not build that part: the catalogue says so instead of pretending).
 */
export type RequirementCheck =
  | { kind: "automated"; policies: string[] }
  | { kind: "manual"; evidence: string }
  | {
      kind: "not-implemented";
      reason: string;
      evidence?: string;
      /**
       * Partial evidence: the policies that judge the part the toolkit already builds. Their findings fail
       * the requirement; without findings it stays not implemented, never a pass.
       */
      policies?: string[];
    };

/** One requirement the platform must satisfy. */
export interface Requirement {
  /** `IBAC-<AREA>-<NNN>`, e.g. `IBAC-NET-003`; stable once published. */
  id: RequirementId;
  /** A few words for tables. */
  title: string;
  source: RequirementSource[];
  /** The requirement in our words, one or two sentences. */
  text: string;
  severity: Severity;
  /** Whether a violation blocks: mandatory fails `ibac check`, advisory only reports. */
  enforcement: IbacEnforcement;
  check: RequirementCheck;
}

/** A statement of the sources the toolkit does not (and cannot) satisfy, with the reason. */
export interface OutOfScope {
  id: RequirementId;
  title: string;
  source: RequirementSource[];
  text: string;
  reason: string;
}

export interface RequirementCatalogue {
  version: number;
  requirements: Requirement[];
  outOfScope: OutOfScope[];
}
