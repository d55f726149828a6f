import type { EnforcementLevel, ResourceValidationPolicy, Severity, StackValidationPolicy } from "@pulumi/policy";

/** A requirement id from the catalogue (`policies/catalogue/requirements.yaml`), e.g. `IBAC-NET-003`. */
export type RequirementId = string;

/** The two enforcement levels the toolkit uses: a mandatory violation fails `ibac check` and `pulumi preview`. */
export type IbacEnforcement = Extract<EnforcementLevel, "mandatory" | "advisory">;

/** What every iBac policy declares besides its check: the requirements it serves, how bad a violation is. */
export interface IbacPolicyMeta {
  /** kebab-case, unique in the pack; the catalogue names policies by it. */
  name: string;
  /** One sentence an auditor understands: what must hold. */
  description: string;
  /** The catalogue requirements this policy checks (also the policy's `tags`). */
  requirements: RequirementId[];
  severity: Severity;
  enforcementLevel: IbacEnforcement;
  /**
   * The requirements (of `requirements`) this policy can judge only from the spec's declaration, because
   * the toolkit builds nothing that shows them yet (no rendered file, no resource): without a finding they
   * are "declared", never "pass". A finding still fails them: a declaration can already be wrong.
   */
  declaredOnly?: RequirementId[];
}

/** A policy as `@pulumi/policy` runs it, with the iBac metadata kept typed. */
export type IbacResourcePolicy = ResourceValidationPolicy & IbacPolicyMeta & {
  kind: "resource";
  /** The resource types it checks: with none of them in a stack the policy is not applicable. */
  appliesTo: string[];
};
export type IbacStackPolicy = StackValidationPolicy & IbacPolicyMeta & { kind: "stack" };
export type IbacPolicy = IbacResourcePolicy | IbacStackPolicy;

/**
 * One violation, structured: `pulumi preview` shows it as one line (see `formatFinding`), `ibac check` keeps
 * the parts so its reports can show observed against expected.
 */
export interface Finding {
  /** What is wrong, in a few words, e.g. "TLS protocols of db-1's MariaDB". */
  subject: string;
  /** What the stack has. */
  observed: string;
  /** What the requirement asks for. */
  expected: string;
  /** The resource at fault, when it is one resource. */
  urn?: string;
  /** For a policy serving several requirements: the one this finding breaks (default: all of them). */
  requirement?: RequirementId;
  /** Where in the stack or the VM, e.g. `/etc/mysql/mariadb.conf.d/60-ibac.cnf` or `inputs.inputPolicy`. */
  location?: string;
}

/** Options every factory accepts so tests and the offline runner control time (end-of-life dates, waivers). */
export interface PolicyClock {
  /** "Today" for date-dependent checks; defaults to the current date. */
  now?: () => Date;
}
