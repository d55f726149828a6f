import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../test/support/test-temp-dir";

const projectDir = path.resolve(__dirname, "..");
const prodText = fs.readFileSync(path.join(projectDir, "stacks/Pulumi.prod.yaml"), "utf8");

function ibac(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(projectDir, "bin/ibac.js"), ...args], {
    cwd: projectDir,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A throw-away project whose only stack is `bad`, with the given text. */
function projectWith(stackText: string): string {
  const dir = testTempDir("ibac-cli-");
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.writeFileSync(path.join(dir, "stacks/Pulumi.bad.yaml"), stackText);
  return dir;
}

describe("ibac check (what CI runs)", () => {
  it("prod with the project's waivers: exit 0 (no mandatory violation), but the verdict says incomplete and why", () => {
    const run = ibac(["check", "--stack", "prod", "--waivers", "stacks/waivers.yaml"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Verdict: INCOMPLETE: no mandatory violation, but 11 mandatory requirements not shown \(10 not implemented, 1 only declared\)\.$/m);
    // The 1 fail: IBAC-DAT-004 (advisory), whose partial evidence finds MariaDB's tables unencrypted.
    expect(run.stdout).toContain("Requirements: 76 (36 pass, 1 fail, 0 waived, 1 declared only, 26 manual, 12 not implemented); 22 out of scope.");
    expect(run.stdout).toContain("Mandatory violations: 0; advisory: 2.");
    expect(run.stdout).toContain("Declared only (no pass: the policy read the spec's declaration, nothing built shows it): IBAC-VER-001");
  });
});

describe("ibac known-hosts (the ops machine's known_hosts before the first pulumi up)", () => {
  it("prints one line per node and the QDevice host that OpenSSH finds by address, with the spec's key", () => {
    const run = ibac(["known-hosts", "--stack", "prod"]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(" ")[0])).toEqual(["10.20.0.11", "10.20.0.12", "10.20.0.5"]);
    const file = path.join(testTempDir("ibac-kh-"), "known_hosts");
    fs.writeFileSync(file, run.stdout, { mode: 0o600 });
    const found = spawnSync("ssh-keygen", ["-F", "10.20.0.12", "-f", file], { encoding: "utf8" });
    expect(found.status, `ssh-keygen (Debian package openssh-client): ${found.stderr}`).toBe(0);
    expect(found.stdout).toContain(lines[1]);
    const pve2Key = /- name: pve2\n(?:.*\n)*?\s+sshHostKey: "?(ssh-ed25519 \S+)/.exec(prodText)?.[1];
    expect(pve2Key).toBeDefined();
    expect(lines[1]).toBe(`10.20.0.12 ${pve2Key}`);
  });

  it("an unknown stack: exit 2", () => {
    const run = ibac(["known-hosts", "--stack", "nope"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("stacks/Pulumi.nope.yaml: no such stack");
  });
});

describe("ibac plan (the command an ops engineer runs)", () => {
  it("writes plan.json and the artifacts of the prod stack and exits 0", () => {
    const out = testTempDir("ibac-out-");
    const run = ibac(["plan", "--stack", "prod", "--out", out]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("nothing was deployed");
    expect(run.stdout).toMatch(/pve1: db-1->pve2/);
    expect(fs.existsSync(path.join(out, "plan.json"))).toBe(true);
    expect(fs.existsSync(path.join(out, "artifacts/db-1/var/lib/cloud/instance/user-data.txt"))).toBe(true);
  });

  it("rejects a bad field with exit code 2, the file, the field path, and no stack trace", () => {
    const dir = projectWith(prodText.replace(/replicas: 1\n/, "replicas: two\n"));
    const run = ibac(["plan", "--stack", "bad"], { IBAC_PROJECT_DIR: dir });
    expect(run.status).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe('stacks/Pulumi.bad.yaml: ibac:platform.database.replicas: expected integer >= 1, found "two"');
    expect(run.stderr).toMatch(/at line \d+, column \d+/);
    expect(run.stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(run.stdout).toBe("");
  });

  it("rejects a YAML syntax error with its line and column, exit code 2", () => {
    const dir = projectWith("config:\n  ibac:platform:\n    site: [unclosed\n");
    const run = ibac(["plan", "--stack", "bad"], { IBAC_PROJECT_DIR: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^stacks\/Pulumi\.bad\.yaml: YAML syntax error at line \d+, column \d+: /);
  });

  it("names the stacks there are when the stack does not exist, exit code 2", () => {
    const run = ibac(["plan", "--stack", "nosuch"]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe("stacks/Pulumi.nosuch.yaml: no such stack; expected one of lab, prod, staging");
  });

  it("refuses a missing --stack with exit code 2 and the usage", () => {
    const run = ibac(["plan"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("required option '-s, --stack <name>' not specified");
  });
});

describe("ibac flows (the command CI and an auditor run)", () => {
  it("prints the prod flow matrix and an empty difference, exit 0", () => {
    const r = ibac(["flows", "--stack", "prod"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+api-to-database-mysql\s+tier-api\s+tier-database\s+tcp\/3306\s+API reads and writes/m);
    expect(r.stdout).toContain("Differences: none");
  });

  it("gives the same as JSON for machines", () => {
    const r = ibac(["flows", "--stack", "prod", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout) as { differences: string[]; flows: { id: string }[] };
    expect(parsed.differences).toEqual([]);
    expect(parsed.flows.map((f) => f.id)).toContain("replica-to-primary-mysql");
  });

  it("rejects a stack that does not exist with exit code 2", () => {
    const r = ibac(["flows", "--stack", "nope"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("stacks/Pulumi.nope.yaml: no such stack");
  });
});

describe("a bad input file: one error layout, exit code 2, no stack trace, whichever command reads it", () => {
  /** A throw-away file with the given text. */
  function fileWith(name: string, text: string): string {
    const file = path.join(testTempDir("ibac-input-"), name);
    fs.writeFileSync(file, text);
    return file;
  }

  /** Every line of standard error is a problem (`file: field: detail`) or its position, and nothing else. */
  function expectInputErrorLayout(run: { status: number | null; stdout: string; stderr: string }, first: string): void {
    expect(run.status, run.stderr).toBe(2);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(first);
    expect(lines[1]).toMatch(/^ {4}at line \d+, column \d+$/);
    for (const [i, line] of lines.entries()) expect(line).toMatch(i % 2 === 0 ? /^\S+: \S+: expected / : /^ {4}at line \d+, column \d+$/);
    expect(run.stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
  }

  it("ibac plan with a bad stack", () => {
    const dir = projectWith(prodText.replace("rotation: hanoi", "rotation: hanio"));
    const run = ibac(["plan", "--stack", "bad"], { IBAC_PROJECT_DIR: dir });
    expectInputErrorLayout(run, 'stacks/Pulumi.bad.yaml: ibac:platform.backupPolicy.photos.rotation: expected one of "hanoi", found "hanio"; did you mean "hanoi"?');
    expect(run.stdout).toBe("");
  });

  it("ibac check --waivers with a bad waiver file", () => {
    const file = fileWith("waivers.yaml", "waivers:\n  - policy: tls-cipher-suites\n    stack: prod\n    resource: '*'\n    justification: because\n    approver: me me\n    approved: 2026-11-01\n    expires: next week\n");
    const run = ibac(["check", "--stack", "prod", "--waivers", file]);
    expectInputErrorLayout(run, `${file}: waivers[0].expires: expected a date YYYY-MM-DD, found "next week"`);
  });

  it("ibac runbook with the audit log pointed at /dev/null: exit 2 before anything connects", () => {
    const run = ibac(["runbook", "db-switchover", "--stack", "lab", "--audit-log", "/dev/null", "--dry-run"]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toBe("ibac runbook: --audit-log /dev/null: expected a regular file the audit log can be appended to, found a character device\nNothing was changed.\n");
    const fromEnv = ibac(["runbook", "db-switchover", "--stack", "lab", "--dry-run"], { IBAC_AUDIT_LOG: "/dev/null" });
    expect(fromEnv.status, fromEnv.stderr).toBe(2);
    expect(fromEnv.stderr).toContain("ibac runbook: IBAC_AUDIT_LOG /dev/null: expected a regular file the audit log can be appended to, found a character device");
  });

  it("ibac check --waivers with an unbounded waiver: a wildcard for a critical requirement, an expiry beyond a year", () => {
    const file = fileWith("waivers.yaml", "waivers:\n  - requirement: IBAC-ACC-001\n    stack: prod\n    resource: '*'\n    justification: because\n    approver: me me\n    approved: 2026-11-01\n    expires: 2028-01-01\n");
    const run = ibac(["check", "--stack", "prod", "--waivers", file]);
    expectInputErrorLayout(run, `${file}: waivers[0].resource: expected the URN or name of a resource: IBAC-ACC-001 is critical, a wildcard would waive every resource, found "*"`);
    expect(run.stderr).toContain(`${file}: waivers[0].expires: expected a date at most 12 months after approved (2026-11-01), so 2027-11-01 or earlier, found 2028-01-01`);
  });

  it("ibac runbook --inventory with a bad inventory", () => {
    const file = fileWith("inventory.json", '{\n  "stack": "lab",\n  "mariadbPort": "3306",\n  "maxLagSeconds": 5,\n  "semiSync": true,\n  "hosts": []\n}\n');
    const run = ibac(["runbook", "db-switchover", "--stack", "lab", "--inventory", file, "--dry-run"]);
    expectInputErrorLayout(run, `${file}: mariadbPort: expected integer, found "3306"`);
    expect(run.stderr).toContain(`${file}: hosts: expected a list of at least 1 mapping, found an empty list`);
  });
});
