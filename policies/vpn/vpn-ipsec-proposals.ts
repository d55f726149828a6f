import type { ReportViolation } from "@pulumi/policy";
import { stackPolicy } from "../kit/define-policy";
import { vmUrn } from "../kit/platform-view";
import { deliveredFiles } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { pendingFiles } from "../kit/pending-files";
import { children, isSwanctlConf, swanctlConnections, type SwanctlConnection } from "./swanctl-conf";

/** AES-256 in GCM with a 128-bit ICV (strongSwan also spells it aes256gcm). */
const ENCRYPTION = new Set(["aes256gcm16", "aes256gcm128", "aes256gcm"]);
const PRF = new Set(["prfsha384"]);
/** ECP-384 or stronger: NIST P-384/P-521, Brainpool 384/512, Curve448 (224-bit security or more). */
export const STRONG_DH = new Set(["ecp384", "ecp521", "ecp384bp", "ecp512bp", "curve448", "x448"]);
const ESN = new Set(["esn", "noesn"]);
/** Named in findings because auditors look for them. */
const KNOWN_WEAK = /^(aes128\w*|aes192\w*|3des|des|blowfish\w*|cast128|md5\w*|sha1\w*|sha|prfsha1|prfmd5|modp768|modp1024|modp1536|modp1024s160|modp2048s224|modp2048s256|ecp192|ecp224|null)$/;

type Kind = "ike" | "esp";

/** Why one proposal falls outside the policy, or undefined when it fits. */
export function proposalProblem(proposal: string, kind: Kind): string | undefined {
  const tokens = proposal.toLowerCase().split("-").filter(Boolean);
  if (tokens.includes("default")) return "`default` appends strongSwan's default proposals";
  const encryption = tokens.filter((t) => ENCRYPTION.has(t));
  const prf = tokens.filter((t) => PRF.has(t));
  const dh = tokens.filter((t) => STRONG_DH.has(t));
  const other = tokens.filter((t) => !ENCRYPTION.has(t) && !STRONG_DH.has(t) && !(kind === "ike" ? PRF.has(t) : ESN.has(t)));
  const problems: string[] = [];
  const weak = other.filter((t) => KNOWN_WEAK.test(t));
  if (weak.length) problems.push(`${weak.join(", ")} not allowed`);
  const rest = other.filter((t) => !KNOWN_WEAK.test(t));
  if (rest.length) problems.push(`${rest.join(", ")} outside the policy`);
  if (encryption.length === 0) problems.push("no AES-256-GCM");
  if (kind === "ike" && prf.length === 0) problems.push("no PRF SHA-384");
  if (dh.length === 0) problems.push(kind === "esp" ? "no DH group: rekeys have no PFS" : "no ECP-384 (or stronger) DH group");
  return problems.length ? problems.join("; ") : undefined;
}

const EXPECTED = {
  ike: "aes256gcm16-prfsha384-ecp384 (AES-256-GCM, PRF SHA-384, ECP-384 or stronger; no `default`)",
  esp: "aes256gcm16-ecp384 (AES-256-GCM with an ECP-384 or stronger DH group: PFS on every rekey; no `default`)",
} as const;

function checkProposals(value: string | undefined, kind: Kind, subject: string, c: SwanctlConnection, location: string, report: ReportViolation): void {
  const key = kind === "ike" ? "proposals" : "esp_proposals";
  if (value === undefined || value.trim() === "") {
    reportFinding(report, { subject, observed: `${key} not set (strongSwan's default proposals, without PFS on ESP)`, expected: EXPECTED[kind], urn: c.file.urn, location });
    return;
  }
  const problems = value.split(",").map((p) => p.trim()).flatMap((p) => {
    const problem = proposalProblem(p, kind);
    return problem ? [`${p} (${problem})`] : [];
  });
  if (problems.length) reportFinding(report, { subject, observed: problems.join(", "), expected: EXPECTED[kind], urn: c.file.urn, location });
}

/**
 * Seed design, "VPN-tunnel": IPsec in tunnel mode with perfect forward secrecy. Every connection of every
 * swanctl file the stack delivers speaks IKEv2 only and offers exactly AES-256-GCM with PRF SHA-384 and an
 * ECP-384 (or stronger) group, for the IKE_SA and with a DH group on every CHILD_SA (PFS on each rekey).
 */
export function vpnIpsecProposalsPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "vpn-ipsec-proposals",
    description:
      "Every IPsec connection the VPN gateways load is IKEv2 only (version = 2) and proposes exactly AES-256-GCM with PRF SHA-384 and ECP-384 (or stronger) for IKE, and AES-256-GCM with an ECP-384 (or stronger) DH group for ESP (perfect forward secrecy), with no `default` proposals.",
    requirements: ["IBAC-VPN-001"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const { connections, unreadable } = swanctlConnections(files);
    const pending = [...(await pendingFiles(resources, view.model))].map((k) => k.split("\0"));
    for (const u of unreadable) {
      reportFinding(report, { subject: `swanctl configuration of ${u.file.vm}`, observed: `unreadable: ${u.error}`, expected: "a swanctl.conf(5) file whose proposals can be checked", urn: u.file.urn, location: u.file.path });
    }
    for (const vm of view.model.vms.filter((v) => v.tier === "vpn")) {
      if (!connections.some((c) => c.file.vm === vm.name) && !pending.some(([v, p]) => v === vm.name && isSwanctlConf(p))) {
        const urn = vmUrn(resources, vm.name, view.urn);
        reportFinding(report, { subject: `IPsec connections of ${vm.name}`, observed: "no swanctl connection delivered", expected: "the VPN gateway's connections in /etc/swanctl/conf.d/, with the policy's proposals", urn, location: "/etc/swanctl/conf.d/" });
      }
    }
    for (const c of connections) {
      const where = (key: string): string => `${c.file.path}: connections.${c.name}.${key}`;
      const subject = `IPsec connection ${c.name} on ${c.file.vm}`;
      const version = c.section.values.get("version");
      if (version !== "2") {
        reportFinding(report, { subject, observed: version === undefined ? "version not set (0: IKEv1 and IKEv2)" : `version = ${version}`, expected: "version = 2 (IKEv2 only)", urn: c.file.urn, location: where("version") });
      }
      checkProposals(c.section.values.get("proposals"), "ike", `IKE proposals of ${c.name} on ${c.file.vm}`, c, where("proposals"), report);
      const kids = children(c.section);
      if (kids.length === 0) {
        reportFinding(report, { subject, observed: "no CHILD_SA (children) section", expected: "children with esp_proposals", urn: c.file.urn, location: where("children") });
      }
      for (const [name, child] of kids) {
        if (child.values.has("ah_proposals")) {
          reportFinding(report, { subject: `child ${name} of ${c.name} on ${c.file.vm}`, observed: `ah_proposals = ${child.values.get("ah_proposals") ?? ""} (AH: integrity without encryption)`, expected: "ESP only", urn: c.file.urn, location: where(`children.${name}.ah_proposals`) });
        }
        checkProposals(child.values.get("esp_proposals"), "esp", `ESP proposals of child ${name} of ${c.name} on ${c.file.vm}`, c, where(`children.${name}.esp_proposals`), report);
      }
    }
  });
}
