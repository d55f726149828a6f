import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { allPolicies } from "../all-policies";
import { catalogueCounts, loadCatalogue, parseCatalogue } from "./load-catalogue";
import { InputError } from "../../components/input/input-error";
import type { Requirement, RequirementCatalogue } from "./types";
import { expectInputProblem } from "../../test/support/input-error-shape";

// Copies of shared/seeds kept in the repository, so the citations are checked on any clean checkout.
const SEEDS = path.resolve(__dirname, "../../docs/sources");
const SEVERITIES = ["low", "medium", "high", "critical"] as const;

/**
 * The automated requirements and their policies as agreed with the policy authors: the pack implements
 * exactly these names, tagged with exactly these ids. Changing one is a change of that contract.
 */
const AUTOMATED_CONTRACT: Record<string, string[]> = {
  "IBAC-ARC-001": ["tier-redundancy"],
  "IBAC-ARC-002": ["tier-anti-affinity"],
  "IBAC-HA-001": ["cluster-quorum-device"],
  "IBAC-HA-002": ["ha-coverage"],
  "IBAC-HA-003": ["capacity-n-plus-one"],
  "IBAC-DB-001": ["database-replica-read-only"],
  "IBAC-DB-002": ["database-replication-secure"],
  "IBAC-DB-005": ["database-semi-sync"],
  "IBAC-STO-001": ["storage-drbd-replication", "storage-cluster-fencing", "object-store-tls"],
  "IBAC-STO-002": ["object-store-buckets"],
  "IBAC-DAT-003": ["object-store-third-site"],
  "IBAC-API-001": ["api-behind-load-balancer"],
  "IBAC-FRS-001": ["frs-local-retention"],
  "IBAC-BAK-001": ["database-backup-schedule"],
  "IBAC-BAK-002": ["photo-backup-restore-range"],
  "IBAC-BAK-003": ["backup-offsite-encrypted"],
  "IBAC-BAK-004": ["backup-volume-drbd"],
  "IBAC-BAK-005": ["photo-backup-bacula"],
  "IBAC-BAK-007": ["backup-offsite-copy"],
  "IBAC-TLS-001": ["tls-protocol-versions"],
  "IBAC-TLS-002": ["tls-cipher-suites"],
  "IBAC-TLS-003": ["tls-peer-verification"],
  "IBAC-VPN-001": ["vpn-ipsec-proposals"],
  "IBAC-VPN-002": ["vpn-peer-purpose"],
  "IBAC-PKI-002": ["certificate-revocation"],
  "IBAC-NET-001": ["firewall-default-deny"],
  "IBAC-NET-002": ["firewall-rules-per-flow"],
  "IBAC-NET-003": ["flows-match-intent"],
  "IBAC-NET-007": ["remote-access-limited"],
  "IBAC-ACC-001": ["admin-interfaces-restricted"],
  "IBAC-ACC-002": ["ssh-key-only"],
  "IBAC-ACC-003": ["automation-least-privilege"],
  "IBAC-VER-001": ["supported-versions"],
  "IBAC-VER-002": ["supported-versions"],
  "IBAC-MON-001": ["monitoring-coverage"],
  "IBAC-MON-002": ["monitoring-engine-deployed"],
  "IBAC-MON-004": ["monitoring-every-node"],
};

/**
 * The requirements not implemented as a whole whose built part policies judge already (partial evidence:
 * their findings fail the requirement, their silence leaves it not implemented).
 */
const PARTIAL_CONTRACT: Record<string, string[]> = {
  "IBAC-DAT-002": ["object-store-least-privilege"],
  "IBAC-DAT-004": ["data-encrypted-at-rest"],
};

/** The policies a requirement names: an automated one's, or a not-implemented one's partial evidence. */
function namedPolicies(r: Requirement): string[] {
  return r.check.kind === "manual" ? [] : (r.check.policies ?? []);
}

/** A small valid catalogue, as data, for the bad-input cases to break in one place each. */
function minimal(): { version: number; requirements: Record<string, unknown>[]; outOfScope: Record<string, unknown>[] } {
  const source = [{ document: "000_b7bd0876216dc30f.txt", section: "IBAC backend" }];
  return {
    version: 1,
    requirements: [
      { id: "IBAC-ARC-001", title: "Two VMs", source, text: "Each tier on two VMs.", severity: "high", enforcement: "mandatory", check: { kind: "automated", policies: ["tier-redundancy"] } },
      { id: "IBAC-ARC-003", title: "Two nodes", source, text: "At least two nodes.", severity: "high", enforcement: "mandatory", check: { kind: "manual", evidence: "pvecm status" } },
    ],
    outOfScope: [{ id: "IBAC-DEV-001", title: "Phone", source, text: "The phone is locked down.", reason: "A device property." }],
  };
}

/** The message of the InputError that parsing `text` throws. */
function errorOf(text: string): string {
  try {
    parseCatalogue(text, "bad.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message;
  }
  throw new Error("expected a InputError, the catalogue was accepted");
}

describe("the requirement catalogue (policies/catalogue/requirements.yaml)", () => {
  const catalogue: RequirementCatalogue = loadCatalogue();

  it("loads with no problem and has every kind of entry", () => {
    const counts = catalogueCounts(catalogue);
    expect(counts.requirements).toBe(counts.automated + counts.manual + counts.notImplemented);
    expect(counts.automated).toBe(Object.keys(AUTOMATED_CONTRACT).length);
    expect(counts.manual).toBeGreaterThan(0);
    expect(counts.notImplemented).toBeGreaterThan(0);
    expect(counts.outOfScope).toBeGreaterThan(0);
  });

  it("has exactly the agreed automated requirements, each naming exactly its agreed policies", () => {
    const automated = Object.fromEntries(
      catalogue.requirements.flatMap((r) => (r.check.kind === "automated" ? [[r.id, r.check.policies]] : [])),
    );
    expect(automated).toEqual(AUTOMATED_CONTRACT);
  });

  it("has exactly the agreed partial evidence: not-implemented requirements naming the policies of their built part", () => {
    const partial = Object.fromEntries(catalogue.requirements.flatMap((r) => (r.check.kind === "not-implemented" && r.check.policies ? [[r.id, r.check.policies]] : [])));
    expect(partial).toEqual(PARTIAL_CONTRACT);
  });

  it("cites only documents of shared/seeds, and sections whose headings occur in them, in order", () => {
    const entries = [...catalogue.requirements, ...catalogue.outOfScope];
    const problems: string[] = [];
    for (const entry of entries) {
      for (const { document, section } of entry.source) {
        const file = path.join(SEEDS, document);
        if (!fs.existsSync(file)) {
          problems.push(`${entry.id}: no such seed document ${document}`);
          continue;
        }
        const content = fs.readFileSync(file, "utf8");
        let from = 0;
        for (const heading of section.split(" / ")) {
          const at = content.indexOf(heading, from);
          if (at < 0) problems.push(`${entry.id}: "${heading}" (of "${section}") not found in ${document}`);
          else from = at + heading.length;
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("every policy of the pack is consistent with the catalogue, both ways (ids, enforcement, severity)", () => {
    const byId = new Map(catalogue.requirements.map((r) => [r.id, r]));
    const problems: string[] = [];
    for (const policy of allPolicies()) {
      expect(policy.requirements.length, `${policy.name} serves no requirement`).toBeGreaterThan(0);
      for (const id of policy.requirements) {
        const requirement = byId.get(id);
        if (!requirement) problems.push(`${policy.name}: requirement ${id} is not in the catalogue`);
        else if (requirement.check.kind === "manual") problems.push(`${policy.name}: requirement ${id} is manual, not automated`);
        else if (!namedPolicies(requirement).includes(policy.name)) problems.push(`${policy.name}: requirement ${id} (${requirement.check.kind}) does not name the policy`);
        else if (requirement.enforcement !== policy.enforcementLevel) problems.push(`${policy.name}: ${policy.enforcementLevel}, but ${id} is ${requirement.enforcement}`);
      }
      const served = catalogue.requirements.filter((r) => policy.requirements.includes(r.id));
      const worst = SEVERITIES[Math.max(...served.map((r) => SEVERITIES.indexOf(r.severity)))];
      if (served.length && policy.severity !== worst) {
        problems.push(`${policy.name}: severity ${policy.severity}, but the worst of its requirements is ${worst}`);
      }
      for (const requirement of catalogue.requirements) {
        if (namedPolicies(requirement).includes(policy.name) && !policy.requirements.includes(requirement.id)) {
          problems.push(`${policy.name}: ${requirement.id} names the policy, but the policy does not list it`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("policies/README.md lists every policy of the pack with its requirements and enforcement, and nothing else", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| ([^|]+) \| (\w+) \|$/gm)].map((m) => `${m[1]} ${m[2].trim()} ${m[3]}`);
    expect(rows).toEqual(allPolicies().map((p) => `${p.name} ${p.requirements.join(", ")} ${p.enforcementLevel}`));
  });

  // Fails until every agreed policy is in the pack: this test is the list of what is still missing.
  it("every policy a requirement names (automated, or partial evidence of a not-implemented one) is in the pack", () => {
    const inPack = new Set(allPolicies().map((p) => p.name));
    const named = [...new Set(catalogue.requirements.flatMap(namedPolicies))];
    expect(named.filter((name) => !inPack.has(name))).toEqual([]);
  });
});

describe("loading a bad catalogue reports every problem, with the field and what was expected", () => {
  it("is an input error of the shared shape: file, field path, expected, found, did-you-mean, line and column", () => {
    const c = minimal();
    c.requirements[1].severity = "hihg";
    const text = stringify(c);
    const line = text.split("\n").findIndex((l) => l.includes("severity: hihg")) + 1;
    expectInputProblem(() => parseCatalogue(text, "bad.yaml"), {
      file: "bad.yaml",
      path: "requirements[1].severity",
      detail: 'expected one of "low", "medium", "high", "critical", found "hihg"; did you mean "high"?',
      expected: 'one of "low", "medium", "high", "critical"',
      found: '"hihg"',
      suggestion: "high",
      position: { line, column: 15 },
    });
  });

  it("a duplicate id", () => {
    const c = minimal();
    c.requirements[1].id = "IBAC-ARC-001";
    expect(errorOf(stringify(c))).toBe('bad.yaml: requirements[1].id: duplicate id "IBAC-ARC-001" (also requirements[0].id)');
  });

  it("an id that is both a requirement and out of scope", () => {
    const c = minimal();
    c.outOfScope[0].id = "IBAC-ARC-003";
    expect(errorOf(stringify(c))).toBe(
      'bad.yaml: outOfScope[0].id: "IBAC-ARC-003" is also a requirement (requirements[1].id); an id is either a requirement or out of scope',
    );
  });

  it("an id off the IBAC-<AREA>-<NNN> pattern", () => {
    const c = minimal();
    c.requirements[0].id = "IBAC-arc-1";
    expect(errorOf(stringify(c))).toBe('bad.yaml: requirements[0].id: expected an id IBAC-<AREA>-<NNN> such as IBAC-NET-003, found "IBAC-arc-1"');
  });

  it("an unknown severity", () => {
    const c = minimal();
    c.requirements[1].severity = "severe";
    expect(errorOf(stringify(c))).toBe('bad.yaml: requirements[1].severity: expected one of "low", "medium", "high", "critical", found "severe"');
  });

  it("an automated requirement that names no policy, with or without the key", () => {
    const c = minimal();
    c.requirements[0].check = { kind: "automated", policies: [] };
    expect(errorOf(stringify(c))).toBe(
      "bad.yaml: requirements[0].check.policies: expected at least one policy name for an automated check, found an empty list",
    );
    c.requirements[0].check = { kind: "automated" };
    expect(errorOf(stringify(c))).toBe("bad.yaml: requirements[0].check.policies: expected at least one policy name for an automated check, found nothing");
  });

  it("a not-implemented check may name the policies of its built part, but not an empty list of them", () => {
    const c = minimal();
    c.requirements[1].check = { kind: "not-implemented", reason: "Half built.", policies: ["tier-redundancy"] };
    expect(parseCatalogue(stringify(c), "bad.yaml").requirements[1].check).toEqual({ kind: "not-implemented", reason: "Half built.", policies: ["tier-redundancy"] });
    c.requirements[1].check = { kind: "not-implemented", reason: "Half built.", policies: [] };
    expect(errorOf(stringify(c))).toBe("bad.yaml: requirements[1].check.policies: expected at least one policy name (the policies judging the part already built) or no policies key, found an empty list");
  });

  it("a manual check without evidence, carrying a policy", () => {
    const c = minimal();
    c.requirements[1].check = { kind: "manual", policies: ["tier-redundancy"] };
    expect(errorOf(stringify(c))).toBe(
      [
        "bad.yaml: requirements[1].check.evidence: expected a non-empty string (a manual check needs its evidence), found nothing",
        "bad.yaml: requirements[1].check.policies: not allowed in a manual check; expected evidence",
      ].join("\n"),
    );
  });

  it("several schema problems at once, each with its position", () => {
    const c: Record<string, unknown> = { ...minimal(), version: 2, extra: true };
    const err = (() => {
      try {
        parseCatalogue(stringify(c), "bad.yaml");
      } catch (e) {
        return e as InputError;
      }
      throw new Error("accepted");
    })();
    expect(err.message).toBe(["bad.yaml: extra: unknown key; expected one of version, requirements, outOfScope", "bad.yaml: version: expected one of 1, found 2"].join("\n"));
    expect(err.problems.map((p) => p.position?.line)).toEqual([stringify(c).split("\n").findIndex((l) => l.startsWith("extra:")) + 1, 1]);
  });

  it("a YAML syntax error, with its line and column", () => {
    const text = "version: 1\nrequirements:\n  - id: [IBAC-ARC-001\n    title: x\n";
    expect(errorOf(text)).toBe("bad.yaml: YAML syntax error at line 4, column 5: Flow sequence in block collection must be sufficiently indented and end with a ]");
  });

  it("an empty file", () => {
    expect(errorOf("  \n")).toBe("bad.yaml: the file is empty; expected a catalogue with version, requirements and outOfScope");
  });

  it("a missing file", () => {
    expect(() => loadCatalogue(path.join(__dirname, "no-such-catalogue.yaml"), "no-such-catalogue.yaml")).toThrow(
      new InputError([{ file: "no-such-catalogue.yaml", path: "", detail: "no such catalogue file" }]),
    );
  });
});
