// A compliance result for the report's tests: the real prod model (topology and flows) with a handful of
// requirements that cover every status, findings open, waived and under an expired waiver, one active and one
// expired waiver (plus an active one that matches nothing), a manual checklist and the out-of-scope list.
import { buildModel } from "../../components/model/build";
import { stackSpec } from "../../test/fixtures/specs";
import type { Requirement, RequirementSource } from "../catalogue/types";
import type { ComplianceResult, ComplianceSummary, EvaluatedFinding, PolicyEvidence, RequirementResult, Waiver, WaiverRecord } from "../results/types";

const DESIGN = "000_b7bd0876216dc30f.txt";
const src = (document: string, section: string): RequirementSource => ({ document, section });

const PREFIX = "urn:pulumi:prod::ibac-platform::";
const PLATFORM_URN = `${PREFIX}ibac:platform:IbacPlatform::ibac`;
const vmUrn = (name: string): string => `${PREFIX}ibac:platform:IbacPlatform$ibac:vm:DebianVm$proxmoxve:vm/virtualMachine:VirtualMachine::${name}`;
const CLUSTER_FIREWALL_URN = `${PREFIX}ibac:cluster:ProxmoxCluster$proxmoxve:cluster/firewallLegacy:FirewallLegacy::ibac-cluster-firewall`;

export const ACTIVE_WAIVER: Waiver = {
  target: "IBAC-TLS-001",
  resource: "lb-1",
  justification: "The statistics site's legacy dashboard client speaks only TLS 1.1 on the load balancer's second front end; it is replaced in the Q3 release (change OPS-412).",
  approver: "Mari Tamm, information security officer",
  expires: "2025-09-30",
};

export const EXPIRED_WAIVER: Waiver = {
  target: "ssh-key-only-login",
  resource: "bkp-2",
  justification: "The Bacula vendor's support session during the storage daemon upgrade needed password login.",
  approver: "Jaan Kask, operations lead",
  expires: "2025-05-31",
};

const IDLE_WAIVER: Waiver = {
  target: "IBAC-MON-002",
  resource: "*",
  justification: "Alert e-mails to the on-call rota were paused during the SMTP relay migration.",
  approver: "Jaan Kask, operations lead",
  expires: "2025-12-31",
};

interface Entry {
  requirement: Requirement;
  status: RequirementResult["status"];
  policies?: PolicyEvidence[];
  findings?: EvaluatedFinding[];
}

function finding(requirement: Requirement, policy: string, f: Omit<EvaluatedFinding, "policy" | "requirements" | "severity" | "enforcement">): EvaluatedFinding {
  return { policy, requirements: [requirement.id], severity: requirement.severity, enforcement: requirement.enforcement, ...f };
}

/** The fixture; `vmNames` are the prod model's VMs, so the URNs match the topology. */
export function complianceFixture(): ComplianceResult {
  const { model, problems } = buildModel(stackSpec("prod"));
  if (!model) throw new Error(`the prod spec does not build: ${problems.map((p) => p.detail).join("; ")}`);
  const allVms = model.vms.map((v) => vmUrn(v.name));

  const redundancy: Requirement = {
    id: "IBAC-ARC-001",
    title: "Every service runs on at least two VMs",
    source: [src(DESIGN, "IBAC backend / Overall design")],
    text: "Each service tier (database, object store, FRS, API, load balancer, backup, monitoring, VPN) runs on at least two VMs so that one VM can fail without stopping the service.",
    severity: "high",
    enforcement: "mandatory",
    check: { kind: "automated", policies: ["tier-redundancy"] },
  };
  const antiAffinity: Requirement = {
    id: "IBAC-ARC-002",
    title: "A tier's VMs run on different nodes",
    source: [src(DESIGN, "IBAC backend / Proxmox cluster"), src(DESIGN, "Failure scenarios / node failure")],
    text: "The VMs of one tier are placed on different Proxmox nodes, and HA keeps them apart where a free node exists, so that a node failure leaves every tier running.",
    severity: "high",
    enforcement: "mandatory",
    check: { kind: "automated", policies: ["tier-anti-affinity"] },
  };
  const quorum: Requirement = {
    id: "IBAC-HA-002",
    title: "A QDevice gives the two-node cluster its third vote",
    source: [src(DESIGN, "IBAC backend / Proxmox cluster")],
    text: "A cluster of two nodes has a QDevice on a third host, so that the surviving node keeps quorum when the other node fails.",
    severity: "critical",
    enforcement: "mandatory",
    check: { kind: "automated", policies: ["qdevice-quorum"] },
  };
  const gui: Requirement = {
    id: "IBAC-NET-003",
    title: "Proxmox GUI and API reachable from the admin network only",
    source: [src("003_52d97a56a6c2e3e8.txt", "Security policy / Administration interfaces"), src(DESIGN, "Security / Firewall")],
    text: "The Proxmox web GUI and API (TCP 8006) accept connections only from the admin network; every other source is dropped.",
    severity: "critical",
    enforcement: "mandatory",
    check: { kind: "automated", policies: ["proxmox-gui-admin-only"] },
  };
  const tls: Requirement = {
    id: "IBAC-TLS-001",
    title: "TLS 1.2 or later with the trusted cipher suites",
    source: [src("001_d7cd835f97f83acd.txt", "Security / HTTPS"), src("002_ea8c2da8141f9d19.txt", "SR-COM-01")],
    text: "Every TLS endpoint accepts only TLS 1.2 and 1.3 and only the cipher suites of the security design (ECDHE with AES-GCM, CHACHA20-POLY1305).",
    severity: "high",
    enforcement: "mandatory",
    check: { kind: "automated", policies: ["tls-min-version", "tls-cipher-suites"] },
  };
  const ssh: Requirement = {
    id: "IBAC-ACC-002",
    title: "SSH login with keys only",
    source: [src("004_3af0499ce005b30a.txt", "Production images"), src(DESIGN, "Security / Access")],
    text: "SSH on the nodes and VMs accepts public keys only: no password login and no root login with a password.",
    severity: "high",
    enforcement: "mandatory",
    check: { kind: "automated", policies: ["ssh-key-only-login"] },
  };
  const audit: Requirement = {
    id: "IBAC-AUD-001",
    title: "Admin actions logged to a store the admins cannot alter",
    source: [src("002_ea8c2da8141f9d19.txt", "SR-LOG-02")],
    text: "Every command an administrator runs on the nodes and VMs is logged to a central log store that the same administrator cannot change or delete.",
    severity: "high",
    enforcement: "mandatory",
    check: { kind: "manual", evidence: "the central log store's access configuration showing that no Proxmox or VM administrator can write to or delete from it, and a sample of last month's admin commands (sudo, qm, pveum) found in it." },
  };
  const restore: Requirement = {
    id: "IBAC-BKP-006",
    title: "Restores are tested",
    source: [src(DESIGN, "Backups / Bacula")],
    text: "A restore from the backups (database and object store) is tested at least every quarter, and the restored data is checked.",
    severity: "medium",
    enforcement: "mandatory",
    check: { kind: "manual", evidence: "the record of the last restore drill: date, backup restored, who ran it, how long it took and how the data was checked." },
  };
  const residency: Requirement = {
    id: "IBAC-RES-001",
    title: "Data stays in Estonia",
    source: [src(DESIGN, "Introduction")],
    text: "The platform's data, including the off-site backup copy, is stored only in Estonia.",
    severity: "high",
    enforcement: "mandatory",
    check: { kind: "manual", evidence: "the hosting contract of the RIK data center and the location of the off-site NAS." },
  };
  const appLogs: Requirement = {
    id: "IBAC-LOG-003",
    title: "Application log categories",
    source: [src(DESIGN, "Logs")],
    text: "The API records the log categories the design lists: test results, device events, user actions and errors, each with time and device.",
    severity: "medium",
    enforcement: "advisory",
    check: { kind: "not-implemented", reason: "The iBac application writes its own logs; the toolkit deploys its VMs but not the application's logging configuration.", evidence: "the application's logging configuration in its own repository." },
  };

  const guiFinding = finding(gui, "proxmox-gui-admin-only", {
    subject: "Proxmox GUI and API (TCP 8006) on the cluster firewall",
    observed: "accepted from any address (source 0.0.0.0/0)",
    expected: "accepted from the admin network 10.20.9.0/24 only",
    urn: CLUSTER_FIREWALL_URN,
    location: "inputs.rules[4].source",
    state: "open",
  });
  const tlsFinding = finding(tls, "tls-min-version", {
    subject: "TLS protocols of lb-1's HAProxy statistics front end",
    observed: "TLSv1.1, TLSv1.2, TLSv1.3",
    expected: "TLSv1.2, TLSv1.3",
    urn: vmUrn("lb-1"),
    location: "/etc/haproxy/haproxy.cfg",
    state: "waived",
    waiver: ACTIVE_WAIVER,
  });
  const sshFinding = finding(ssh, "ssh-key-only-login", {
    subject: "SSH password login on bkp-2",
    observed: "PasswordAuthentication yes",
    expected: "PasswordAuthentication no",
    urn: vmUrn("bkp-2"),
    location: "/etc/ssh/sshd_config.d/60-ibac.conf",
    state: "expired-waiver",
    waiver: EXPIRED_WAIVER,
  });

  const entries: Entry[] = [
    { requirement: redundancy, status: "pass", policies: [{ policy: "tier-redundancy", status: "pass", checked: allVms }] },
    { requirement: antiAffinity, status: "pass", policies: [{ policy: "tier-anti-affinity", status: "pass", checked: allVms }] },
    { requirement: quorum, status: "pass", policies: [{ policy: "qdevice-quorum", status: "pass", checked: [PLATFORM_URN] }] },
    { requirement: gui, status: "fail", policies: [{ policy: "proxmox-gui-admin-only", status: "fail", checked: [CLUSTER_FIREWALL_URN] }], findings: [guiFinding] },
    {
      requirement: tls,
      status: "waived",
      policies: [
        { policy: "tls-min-version", status: "fail", checked: ["lb-1", "lb-2", "api-1", "api-2", "db-1", "db-2"].map(vmUrn) },
        { policy: "tls-cipher-suites", status: "pass", checked: ["lb-1", "lb-2", "api-1", "api-2"].map(vmUrn) },
      ],
      findings: [tlsFinding],
    },
    { requirement: ssh, status: "fail", policies: [{ policy: "ssh-key-only-login", status: "fail", checked: allVms }], findings: [sshFinding] },
    { requirement: audit, status: "manual" },
    { requirement: restore, status: "manual" },
    { requirement: residency, status: "manual" },
    { requirement: appLogs, status: "not-implemented" },
  ];
  const requirements: RequirementResult[] = entries.map((e) => ({ requirement: e.requirement, status: e.status, policies: e.policies ?? [], findings: e.findings ?? [] }));

  const waivers: WaiverRecord[] = [
    { ...ACTIVE_WAIVER, state: "active", matched: 1 },
    { ...EXPIRED_WAIVER, state: "expired", matched: 1 },
    { ...IDLE_WAIVER, state: "active", matched: 0 },
  ];

  const outOfScope: ComplianceResult["outOfScope"] = [
    {
      id: "IBAC-OOS-001",
      title: "Security of the mobile devices",
      source: [src(DESIGN, "Secure mobile equipment")],
      text: "The mobile phones that gather the test results are hardened, enrolled and locked down.",
      reason: "The devices are managed by the customer's mobile device management, not by this platform; the platform only accepts them through the VPN.",
    },
    {
      id: "IBAC-OOS-002",
      title: "Physical security of the data center",
      source: [src(DESIGN, "IBAC backend / Hosting")],
      text: "The servers stand in a locked, access-controlled room with redundant power and cooling.",
      reason: "The RIK data center provides the rooms, power and access control; the toolkit starts at the Proxmox nodes.",
    },
  ];

  const findings = requirements.flatMap((r) => r.findings);
  const counting = findings.filter((f) => f.state !== "waived");
  const count = (status: RequirementResult["status"]): number => requirements.filter((r) => r.status === status).length;
  const summary: ComplianceSummary = {
    requirements: requirements.length,
    pass: count("pass"),
    fail: count("fail"),
    waived: count("waived"),
    manual: count("manual"),
    notImplemented: count("not-implemented"),
    outOfScope: outOfScope.length,
    mandatoryViolations: counting.filter((f) => f.enforcement === "mandatory").length,
    advisoryViolations: counting.filter((f) => f.enforcement === "advisory").length,
  };

  return {
    stack: "prod",
    generatedAt: "2025-06-02T09:30:00.000Z",
    toolkitVersion: "0.1.0",
    gitCommit: "3f9c2ab1d4e5f60718293a4b5c6d7e8f90a1b2c3",
    summary,
    requirements,
    outOfScope,
    waivers,
    unmappedFindings: [],
    topology: { nodes: model.nodes, vms: model.vms, qdevice: model.qdevice, quorum: model.quorum },
    flows: model.flows,
  };
}
