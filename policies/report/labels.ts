// Plain-language words the HTML and Markdown reports share, so both say the same thing the same way.
import type { Severity } from "@pulumi/policy";
import type { FlowZone } from "../../components/model/types";
import type { RequirementCheck, RequirementSource } from "../catalogue/types";
import type { EvaluatedFinding, PolicyEvidence, RequirementStatus, WaiverRecord } from "../results/types";

/** A status is always shown as a word: colour only repeats it. */
export const STATUS_WORD: Record<RequirementStatus, string> = {
  pass: "PASS",
  fail: "FAIL",
  waived: "WAIVED",
  declared: "DECLARED ONLY",
  manual: "MANUAL CHECK",
  "not-implemented": "NOT IMPLEMENTED",
};

export const OUT_OF_SCOPE_WORD = "OUT OF SCOPE";

/** What a policy's result rests on, when it is not rendered evidence. */
export const BASIS_TEXT = { declaration: "Read the spec's declaration only: nothing the toolkit builds shows this yet." } as const;

/** What each status means, for the legend under the summary. */
export const STATUS_MEANING: Record<RequirementStatus, string> = {
  pass: "Every policy that checks the requirement ran against this stack and found no violation.",
  fail: "At least one violation is open, or is covered only by a waiver that has expired.",
  waived: "There are violations, but each one is covered by an approved waiver that has not expired.",
  declared: "Not a pass: the policies found nothing wrong, but they could read only what the spec declares; the toolkit builds nothing yet that shows the requirement is met.",
  manual: "The code cannot prove it; an auditor checks the evidence listed in the manual checklist.",
  "not-implemented": "The toolkit does not build or check this part yet; the reason is given.",
};

export const OUT_OF_SCOPE_MEANING = "A statement of the source documents that the infrastructure cannot satisfy (for example the mobile device's own policies); the reason is given.";

export const SEVERITY_WORD: Record<Severity, string> = { critical: "Critical", high: "High", medium: "Medium", low: "Low" };

export function enforcementText(enforcement: string): string {
  return enforcement === "mandatory" ? "Mandatory (a violation fails the check)" : "Advisory (reported, does not fail the check)";
}

export const POLICY_STATUS_WORD: Record<PolicyEvidence["status"], string> = {
  pass: "PASS",
  fail: "FAIL",
  "not-applicable": "NOT APPLICABLE",
  error: "ERROR",
};

export const FINDING_STATE_WORD: Record<EvaluatedFinding["state"], string> = {
  open: "OPEN",
  waived: "WAIVED",
  "expired-waiver": "WAIVER EXPIRED",
};

export const WAIVER_STATE_WORD: Record<WaiverRecord["state"], string> = { active: "ACTIVE", expired: "EXPIRED" };

/** `000_b7bd0876216dc30f.txt, section IBAC backend / Backups`. */
export function sourceText(source: RequirementSource): string {
  return `${source.document}, section ${source.section}`;
}

export function checkKindWord(check: RequirementCheck): string {
  return check.kind === "automated" ? "Automated" : check.kind === "manual" ? "Manual" : "Not implemented";
}

/** What happened to a finding, in a sentence: open, waived (by whom, until when), or under an expired waiver. */
export function findingOutcomeText(finding: EvaluatedFinding): string {
  const w = finding.waiver;
  switch (finding.state) {
    case "open":
      return finding.enforcement === "mandatory" ? "Counts as a mandatory violation." : "Advisory: reported, does not fail the check.";
    case "waived":
      return w ? `Waived until ${w.expires} (waiver on ${w.target} for ${w.resource}, approved by ${w.approver} on ${w.approved}). Justification: ${w.justification}` : "Waived.";
    case "expired-waiver":
      return w ? `The waiver on ${w.target} for ${w.resource} (approved by ${w.approver}) expired on ${w.expires}; the violation counts again.` : "The waiver expired; the violation counts again.";
  }
}

export const ZONE_LABEL: Record<FlowZone, string> = {
  mobiles: "Mobile devices",
  vpnClients: "VPN clients",
  admin: "Admin network",
  proxmoxNodes: "Proxmox nodes",
  qdevice: "QDevice",
  statisticsSite: "Statistics site",
  offsiteNas: "Off-site NAS",
  nodeBmcs: "Node BMCs (IPMI)",
  thirdSite: "Third location (S3 replica)",
  smtpRelay: "SMTP relay",
  ntp: "NTP servers",
};

/** The text with its first letter in capitals (catalogue phrases are written to follow "an auditor must see"). */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `2025-06-02T09:30:00.000Z` as `2025-06-02 09:30 UTC`; anything else unchanged. */
export function formatTimestamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export interface UrnGroup {
  /** Everything before the name (`urn:pulumi:prod::ibac-platform::<type path>::`); empty for a bare name. */
  prefix: string;
  /** The resource type (the last `$` segment of the type path), for the group's heading. */
  type: string;
  names: string[];
}

/**
 * URNs grouped by everything but their name, in first-seen order: sixteen VMs read as one type and sixteen
 * names, and each URN is still exact (prefix + name).
 */
export function groupUrns(urns: readonly string[]): UrnGroup[] {
  const groups = new Map<string, UrnGroup>();
  for (const urn of urns) {
    const i = urn.lastIndexOf("::");
    const prefix = i >= 0 ? urn.slice(0, i + 2) : "";
    const typePath = prefix.split("::").slice(-2, -1)[0] ?? "";
    let group = groups.get(prefix);
    if (!group) {
      group = { prefix, type: typePath.slice(typePath.lastIndexOf("$") + 1), names: [] };
      groups.set(prefix, group);
    }
    group.names.push(i >= 0 ? urn.slice(i + 2) : urn);
  }
  return [...groups.values()];
}
