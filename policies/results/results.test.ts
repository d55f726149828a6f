import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { PolicyResource } from "@pulumi/policy";
import { InputError } from "../../components/input/input-error";
import { buildModel } from "../../components/model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { requireTool } from "../../test/support/require-tool";
import { expectInputProblem } from "../../test/support/input-error-shape";
import { allPolicies } from "../all-policies";
import { loadCatalogue } from "../catalogue/load-catalogue";
import { PLATFORM_TYPE } from "../../components/model/policy-view";
import { runPolicies } from "../offline/run-policies";
import { mutate, mutatePlatform, stackResources } from "../../test/fixtures/policy-fixture";
import { evaluateCompliance } from "./evaluate";
import { formatComplianceJunit } from "./format-junit";
import { formatComplianceSarif } from "./format-sarif";
import { formatComplianceText } from "./format-text";
import { addMonths, parseWaivers } from "./waivers";
import { waiverRules } from "../offline/check-stack";
import type { ComplianceResult, Waiver } from "./types";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { testTempDir } from "../../test/support/test-temp-dir";

const TODAY = new Date("2026-11-22T12:00:00Z");
const model = buildModel(stackSpec("prod")).model;
if (!model) throw new Error("prod: no model");

async function evaluate(resources: PolicyResource[], waivers: Waiver[] = []): Promise<ComplianceResult> {
  const outcomes = await runPolicies(allPolicies({ now: () => TODAY }), resources);
  return evaluateCompliance({
    stack: "prod", catalogue: loadCatalogue(), outcomes, waivers, model: model as NonNullable<typeof model>, now: TODAY,
    toolkitVersion: "0.1.0", gitCommit: "0123abc", platformUrn: resources.find((r) => r.type === PLATFORM_TYPE)?.urn ?? "",
  });
}

const openCluster = async (): Promise<PolicyResource[]> => mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.ClusterFirewallLegacy), (r) => { r.props.inputPolicy = "ACCEPT"; });
const clusterWaiver = (expires: string): Waiver => ({ target: "IBAC-NET-001", stack: "prod", resource: "ibac-cluster-firewall", justification: "maintenance window", approver: "security officer", approved: "2026-06-01", expires });

function problems(text: string): string[] {
  try {
    parseWaivers(text, "waivers.yaml");
  } catch (e) {
    if (e instanceof InputError) return e.describe().split("\n");
    throw e;
  }
  return [];
}

describe("waiver files (pure)", () => {
  it("reads a waiver, by requirement or by policy, with dates quoted or not", () => {
    expect(parseWaivers("waivers:\n  - policy: flows-match-intent\n    stack: all\n    resource: '*'\n    justification: during the migration\n    approver: J. Tamm\n    approved: 2026-11-01\n    expires: 2027-01-31\n", "w.yaml")).toEqual([
      { target: "flows-match-intent", stack: "all", resource: "*", justification: "during the migration", approver: "J. Tamm", approved: "2026-11-01", expires: "2027-01-31" },
    ]);
  });

  it("refuses a malformed file with every problem: file, field path, expected, found, line and column", () => {
    expect(problems("waivers:\n  - requirement: NET-3\n    policy: ssh-key-only\n    stack: prod\n    resource: pve1\n    justification: ok go\n    approved: 2026-11-01\n    expires: next week\n")).toEqual([
      "waivers.yaml: waivers[0]: expected exactly one of requirement (an id such as IBAC-NET-003) or policy (a policy name)",
      "    at line 2, column 5",
      'waivers.yaml: waivers[0].requirement: expected a requirement id such as IBAC-NET-003, found "NET-3"',
      "    at line 2, column 18",
      "waivers.yaml: waivers[0].approver: expected an approver in words, found nothing",
      "    at line 2, column 5",
      'waivers.yaml: waivers[0].expires: expected a date YYYY-MM-DD, found "next week"',
      "    at line 8, column 14",
    ]);
  });

  it("refuses with an input error of the shared shape: file, field path, expected, found, did-you-mean, line and column", () => {
    expectInputProblem(() => parseWaivers("waivers:\n  - policy: ssh-key-only\n    stack: prod\n    resource: '*'\n    justification: because\n    approver: me me\n    approved: 2026-11-01\n    expire: 2027-01-01\n", "w.yaml"), {
      file: "w.yaml",
      path: "waivers[0].expire",
      detail: 'unknown key; did you mean "expires"?',
      suggestion: "expires",
      position: { line: 8, column: 5 },
    });
  });

  it("refuses an empty file, a YAML syntax error and an unknown field", () => {
    expect(problems("")[0]).toBe('waivers.yaml: the file is empty; expected a list of waivers under "waivers:"');
    expect(problems("waivers: [\n")[0]).toMatch(/^waivers\.yaml: YAML syntax error at line 2, column 1: /);
    expect(problems("waivers:\n  - policy: ssh-key-only\n    stack: prod\n    resource: '*'\n    justification: because\n    approver: me me\n    approved: 2026-11-01\n    expires: 2027-01-01\n    ticket: 42\n")).toEqual([
      "waivers.yaml: waivers[0].ticket: unknown key; expected one of requirement, policy, stack, resource, justification, approver, approved, expires",
      "    at line 9, column 5",
    ]);
  });
});

describe("waivers are bounded: a stack, a named resource for critical requirements, at most a year (awsguard: the project's file, then one mutation each)", () => {
  const projectDir = path.resolve(__dirname, "../..");
  const rules = waiverRules(loadCatalogue(), allPolicies(), projectDir);
  const file = fs.readFileSync(path.join(projectDir, "stacks/waivers.yaml"), "utf8");
  const boundProblems = (text: string): string[] => {
    try {
      parseWaivers(text, "stacks/waivers.yaml", rules);
    } catch (e) {
      if (e instanceof InputError) return e.problems.map((p) => `${p.path}: ${p.detail}`);
      throw e;
    }
    return [];
  };

  it("stacks/waivers.yaml is within the bounds", () => {
    expect(rules.stacks).toEqual(["lab", "prod", "staging"]);
    expect(parseWaivers(file, "stacks/waivers.yaml", rules)).toEqual([expect.objectContaining({ target: "IBAC-VER-001", stack: "lab", approved: "2026-11-22", expires: "2027-03-31" })]);
  });

  it("an approver or justification with a terminal escape is refused: they reach the terminal, the report and SARIF", () => {
    expect(boundProblems(file.replace(/approver: (.*)/, 'approver: "$1\\u001b[2J"'))).toEqual([
      expect.stringMatching(/^waivers\[0\]\.approver: expected one line of printable text, found U\+001B \(escape, as in a terminal escape sequence\) at character \d+$/),
    ]);
  });

  it("a waiver approved after today is refused, so an approval dated ahead cannot stretch its year", () => {
    const asOf = (today: string): string[] => {
      try {
        parseWaivers(file, "stacks/waivers.yaml", { ...rules, today });
      } catch (e) {
        if (e instanceof InputError) return e.problems.map((p) => `${p.path}: ${p.detail}`);
        throw e;
      }
      return [];
    };
    expect(asOf("2026-11-22")).toEqual([]);
    expect(asOf("2026-11-21")).toEqual(["waivers[0].approved: expected a date on or before today (2026-11-21), found 2026-11-22"]);
  });

  it("a waiver without a stack is refused: it must name one or say all", () => {
    expect(boundProblems(file.replace("    stack: lab\n", ""))).toEqual(["waivers[0].stack: expected a stack name such as prod, or all, found nothing"]);
  });

  it("a waiver naming a stack that does not exist is refused, with the likely one", () => {
    expect(boundProblems(file.replace("stack: lab", "stack: lba"))).toEqual(['waivers[0].stack: expected a stack of stacks/ (all, lab, prod, staging), found "lba"; did you mean "lab"?']);
  });

  it("a waiver for a requirement or policy that does not exist is refused, with the likely one", () => {
    expect(boundProblems(file.replace("IBAC-VER-001", "IBAC-VER-010"))).toEqual(['waivers[0].requirement: expected a requirement id of the catalogue, found "IBAC-VER-010"; did you mean "IBAC-VER-001"?']);
    expect(boundProblems(file.replace("requirement: IBAC-VER-001", "policy: supported-version"))).toEqual(['waivers[0].policy: expected a policy of the pack, found "supported-version"; did you mean "supported-versions"?']);
  });

  it("a wildcard resource for a critical requirement is refused", () => {
    const text = file.replace("IBAC-VER-001", "IBAC-NET-001").replace(/resource: \S+/, "resource: '*'");
    expect(boundProblems(text)).toEqual(['waivers[0].resource: expected the URN or name of a resource: IBAC-NET-001 is critical, a wildcard would waive every resource, found "*"']);
  });

  it("a wildcard resource for a policy that serves a critical requirement is refused", () => {
    const text = file.replace("requirement: IBAC-VER-001", "policy: admin-interfaces-restricted").replace(/resource: \S+/, "resource: '*'");
    expect(boundProblems(text)).toEqual(['waivers[0].resource: expected the URN or name of a resource: admin-interfaces-restricted is critical, a wildcard would waive every resource, found "*"']);
  });

  it("a wildcard stays allowed for a requirement that is not critical", () => {
    expect(boundProblems(file.replace(/resource: \S+/, "resource: '*'"))).toEqual([]);
  });

  it("an expiry more than 12 months after the approval is refused", () => {
    expect(boundProblems(file.replace("expires: 2027-03-31", "expires: 2027-11-23"))).toEqual(["waivers[0].expires: expected a date at most 12 months after approved (2026-11-22), so 2027-11-22 or earlier, found 2027-11-23"]);
    expect(boundProblems(file.replace("expires: 2027-03-31", "expires: 2027-11-22"))).toEqual([]);
  });

  it("an approval missing, after the expiry, or not a day of the calendar is refused", () => {
    expect(boundProblems(file.replace("    approved: 2026-11-22\n", ""))).toEqual(["waivers[0].approved: expected a date YYYY-MM-DD, found nothing"]);
    expect(boundProblems(file.replace("approved: 2026-11-22", "approved: 2027-04-01"))).toEqual(["waivers[0].expires: expected a date on or after approved (2027-04-01), found 2027-03-31"]);
    expect(boundProblems(file.replace("approved: 2026-11-22", "approved: 2026-02-30"))).toEqual(['waivers[0].approved: expected a date YYYY-MM-DD, found "2026-02-30"']);
  });

  it("the maximum is counted in calendar months, the day clamped to the month's end", () => {
    expect(addMonths("2026-11-22", 12)).toBe("2027-11-22");
    expect(addMonths("2028-02-29", 12)).toBe("2029-02-28");
    expect(addMonths("2026-08-31", 6)).toBe("2027-02-28");
  });
});

describe("evaluation, waivers and output formats on prod's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("prod passes every mandatory policy: no violation; every automated requirement pass, or declared where only the spec shows it", async () => {
    const result = await evaluate(await stackResources("prod"));
    const failing = result.requirements.filter((r) => r.status === "fail" && r.requirement.enforcement === "mandatory").map((r) => `${r.requirement.id}: ${JSON.stringify(r.findings.map((f) => f.observed))} ${JSON.stringify(r.policies.filter((p) => p.status === "error"))}`);
    expect(failing).toEqual([]);
    expect(result.summary.mandatoryViolations).toBe(0);
    // One advisory fails: data at rest, a not-implemented requirement whose partial evidence finds MariaDB's
    // tables unencrypted (the object store's part passes).
    const advisoryFailing = result.requirements.filter((r) => r.status === "fail").map((r) => r.requirement.id);
    expect(advisoryFailing).toEqual(["IBAC-DAT-004"]);
    expect(result.summary.pass + result.summary.declared).toBe(result.requirements.filter((r) => r.requirement.check.kind === "automated").length);
    // The policies that can read only the spec (nothing the toolkit builds shows these yet) never pass.
    expect(result.requirements.filter((r) => r.status === "declared").map((r) => r.requirement.id)).toEqual(["IBAC-VER-001"]);
    // The monitoring is judged from its rendered objects now, no longer from the spec's declaration.
    expect(result.requirements.find((r) => r.requirement.id === "IBAC-MON-001")).toEqual(expect.objectContaining({ status: "pass", policies: [expect.objectContaining({ policy: "monitoring-coverage", status: "pass", basis: "rendered" })] }));
  });

  it("a requirement whose every policy finds nothing to judge is declared, never pass: lab declares no third site (IBAC-DAT-003)", async () => {
    const result = await evaluate(await stackResources("lab"));
    expect(result.requirements.find((r) => r.requirement.id === "IBAC-DAT-003")).toEqual(expect.objectContaining({
      status: "declared",
      policies: [expect.objectContaining({ policy: "object-store-third-site", status: "not-applicable", detail: "the spec declares no third location (objectStore.replication)" })],
    }));
  });

  it("a not-implemented requirement with partial evidence stays not implemented without a finding, and fails on one (IBAC-DAT-002)", async () => {
    const clean = (await evaluate(await stackResources("prod"))).requirements.find((r) => r.requirement.id === "IBAC-DAT-002");
    expect(clean).toEqual(expect.objectContaining({ status: "not-implemented", findings: [], policies: [expect.objectContaining({ policy: "object-store-least-privilege", status: "pass" })] }));
    const wide = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.MinioIamPolicy) && r.props.name === "ibac-api", (r) => {
      r.props.policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::ibac-photos/*"] }] });
    });
    const failed = (await evaluate(wide)).requirements.find((r) => r.requirement.id === "IBAC-DAT-002");
    expect(failed?.status).toBe("fail");
    expect(failed?.findings.map((f) => f.observed)).toEqual(['policy ibac-api: Statement[0].Action: expected named S3 actions, found "s3:*"']);
  });

  it("the verdict of prod is incomplete, not green: mandatory requirements not implemented or only declared, named", async () => {
    const result = await evaluate(await stackResources("prod"));
    const s = result.summary;
    expect(s.mandatoryDeclared).toBe(1);
    expect(s.mandatoryNotImplemented).toBe(result.requirements.filter((r) => r.requirement.enforcement === "mandatory" && r.requirement.check.kind === "not-implemented").length);
    expect(result.verdict.state).toBe("incomplete");
    expect(result.verdict.headline).toBe(`INCOMPLETE: no mandatory violation, but ${s.mandatoryDeclared + s.mandatoryNotImplemented} mandatory requirements not shown (${s.mandatoryNotImplemented} not implemented, 1 only declared)`);
    expect(result.verdict.reasons[1]).toBe("1 mandatory requirement is only declared: its policy found nothing wrong in the spec, but nothing the toolkit builds shows it (IBAC-VER-001).");
    const text = formatComplianceText(result);
    expect(text).toContain("Declared only (no pass: the policy read the spec's declaration, nothing built shows it): IBAC-VER-001");
    expect(text).toContain(`Verdict: ${result.verdict.headline}.`);
    expect(text).toMatch(/, 1 declared only, \d+ manual, \d+ not implemented\)/);
  });

  it("complete only when every mandatory requirement has rendered evidence or is manual (a catalogue of those alone)", async () => {
    const outcomes = await runPolicies(allPolicies({ now: () => TODAY }), await stackResources("prod"));
    const full = loadCatalogue();
    const proven = { ...full, requirements: full.requirements.filter((r) => r.check.kind !== "not-implemented" && !["IBAC-VER-001"].includes(r.id)) };
    const result = evaluateCompliance({ stack: "prod", catalogue: proven, outcomes, waivers: [], model: model as NonNullable<typeof model>, now: TODAY, toolkitVersion: "0.1.0", gitCommit: "0123abc", platformUrn: "" });
    expect(result.verdict.state).toBe("complete");
    expect(result.verdict.headline).toBe("COMPLETE: no mandatory violation; every mandatory requirement has rendered evidence or is a manual check");
  });

  it("a declaration that is already wrong fails: declared-only policies still find violations", async () => {
    const resources = mutatePlatform(await stackResources("prod"), (v) => { v.spec.backupPolicy.offsite.encrypted = false; });
    const result = await evaluate(resources);
    expect(result.requirements.find((r) => r.requirement.id === "IBAC-BAK-003")?.status).toBe("fail");
    expect(result.verdict.state).toBe("fail");
    expect(result.verdict.headline).toMatch(/^NOT COMPLIANT: 1 mandatory violation; incomplete: \d+ mandatory requirements not shown$/);
  });

  it("a violation fails its requirement and counts; an active waiver makes it waived; an expired one counts again", async () => {
    const open = await evaluate(await openCluster());
    const net001 = (r: ComplianceResult) => r.requirements.find((x) => x.requirement.id === "IBAC-NET-001");
    expect(net001(open)?.status).toBe("fail");
    expect(open.summary.mandatoryViolations).toBe(1);
    const waived = await evaluate(await openCluster(), [clusterWaiver("2026-12-31")]);
    expect(net001(waived)?.status).toBe("waived");
    expect(net001(waived)?.findings[0]).toMatchObject({ state: "waived", waiver: { approver: "security officer" } });
    expect(waived.summary.mandatoryViolations).toBe(0);
    expect(waived.waivers).toEqual([expect.objectContaining({ state: "active", matched: 1 })]);
    const expired = await evaluate(await openCluster(), [clusterWaiver("2026-11-21")]);
    expect(net001(expired)?.status).toBe("fail");
    expect(net001(expired)?.findings[0].state).toBe("expired-waiver");
    expect(expired.summary.mandatoryViolations).toBe(1);
    expect(formatComplianceText(expired)).toContain("VIOLATION (waiver expired) (firewall-default-deny): cluster firewall");
  });

  it("a waiver for another stack covers nothing here and is not listed; one for all stacks does", async () => {
    const lab = await evaluate(await openCluster(), [{ ...clusterWaiver("2026-12-31"), stack: "lab" }]);
    expect(lab.requirements.find((x) => x.requirement.id === "IBAC-NET-001")?.status).toBe("fail");
    expect(lab.waivers).toEqual([]);
    const all = await evaluate(await openCluster(), [{ ...clusterWaiver("2026-12-31"), stack: "all" }]);
    expect(all.requirements.find((x) => x.requirement.id === "IBAC-NET-001")?.status).toBe("waived");
  });

  it("text output groups by requirement and shows the resource, observed and expected", async () => {
    const text = formatComplianceText(await evaluate(await openCluster()));
    expect(text).toContain("IBAC-NET-001");
    expect(text).toMatch(/resource: urn:pulumi:prod::ibac-platform::.*FirewallLegacy::ibac-cluster-firewall/);
    expect(text).toContain("observed: enabled true, inbound ACCEPT");
    expect(text).toContain("expected: enabled true, inbound DROP");
    // advisory: data-encrypted-at-rest on the two database servers.
    expect(text).toMatch(/Mandatory violations: 1; advisory: 2\./);
  });

  describe("SARIF 2.1.0 and JUnit", () => {
    let sarif = "";
    let result: ComplianceResult;
    let dir = "";
    beforeAll(async () => {
      result = await evaluate(await openCluster(), [clusterWaiver("2026-11-21")]);
      sarif = formatComplianceSarif(result, "stacks/Pulumi.prod.yaml");
      dir = testTempDir("ibac-sarif-");
    });

    it("validates against the SARIF 2.1.0 JSON schema (the one shipped with Microsoft's SARIF multitool)", () => {
      const schemaFile = require.resolve("@microsoft/sarif-multitool-linux/sarif-2.1.0.json");
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")) as object);
      const log = JSON.parse(sarif) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string }[] }[] };
      expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
      expect(log.runs[0].tool.driver.rules.map((r) => r.id)).toEqual(result.requirements.map((r) => r.requirement.id));
      expect(log.runs[0].results.map((r) => r.ruleId)).toContain("IBAC-NET-001");
      // Declared and not-implemented requirements are notes, never silent passes.
      const notes = (log.runs[0].results as unknown as { ruleId: string; level: string; properties: { status: string } }[]).filter((r) => r.properties.status === "declared" || r.properties.status === "not-implemented");
      expect(notes.filter((r) => r.properties.status === "declared").map((r) => [r.ruleId, r.level])).toEqual([["IBAC-VER-001", "note"]]);
      expect(notes.filter((r) => r.properties.status === "not-implemented").length).toBe(result.summary.notImplemented);
      // The check can fail: a result without a message is not SARIF.
      const broken = structuredClone(log) as { runs: { results: Record<string, unknown>[] }[] };
      delete broken.runs[0].results[0].message;
      expect(validate(broken)).toBe(false);
    });

    it("passes the real SARIF multitool's validate command", () => {
      const tool = path.join(path.dirname(require.resolve("@microsoft/sarif-multitool-linux/package.json")), "Sarif.Multitool");
      if (!fs.existsSync(tool)) throw new Error("Sarif.Multitool is missing: npm ci installs @microsoft/sarif-multitool (linux x64)");
      fs.chmodSync(tool, 0o755);
      const file = path.join(dir, "prod.sarif");
      fs.writeFileSync(file, sarif);
      const out = path.join(dir, "validation.sarif");
      const run = spawnSync(tool, ["validate", file, "--output", out, "--log", "ForceOverwrite"], { encoding: "utf8", env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" }, timeout: 120_000 });
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      const report = JSON.parse(fs.readFileSync(out, "utf8")) as { runs: { results?: { level?: string; message: { text?: string; id?: string } }[] }[] };
      const errors = (report.runs[0].results ?? []).filter((r) => r.level === "error");
      expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    });

    it("JUnit XML parses (python3's XML parser), one test case per requirement, one failure per failing requirement", () => {
      const python = requireTool("python3", "python3");
      const xml = formatComplianceJunit(result);
      const file = path.join(dir, "prod.junit.xml");
      fs.writeFileSync(file, xml);
      const script = "import sys, xml.etree.ElementTree as ET\nroot = ET.parse(sys.argv[1]).getroot()\ncases = root.findall('.//testcase')\nprint(len(cases), len(root.findall('.//testcase/failure')), len(root.findall('.//testcase/skipped')))";
      const run = spawnSync(python, ["-c", script, file], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      const [cases, failures, skipped] = run.stdout.trim().split(" ").map(Number);
      expect(cases).toBe(result.requirements.length);
      expect(failures).toBe(result.summary.fail);
      expect(skipped).toBe(result.summary.manual + result.summary.notImplemented + result.summary.declared);
      expect(xml).toMatch(/<testcase classname="ibac\.prod\.IBAC-VER" name="IBAC-VER-001 [^"]*"[^>]*>\s*<properties>\s*<property name="status" value="declared"\/>\s*<\/properties>\s*<skipped\/>\s*<system-out>\s*<!\[CDATA\[declared only: supported-versions read the spec's declaration/);
      expect(xml).toContain('<property name="verdict" value="fail"/>');
      expect(xml).toContain('classname="ibac.prod.IBAC-NET"');
    });
  });
});
