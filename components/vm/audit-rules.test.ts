// The audit rules under the real programs that read them, as far as they run without a kernel of their own:
// augenrules (auditd 3.0.9, bookworm) merges them with Debian's packaged rules in a private mount namespace,
// and auditctl parses every line (syscall names against its per-architecture tables, fields, permissions)
// inside an unprivileged user and network namespace, where it stops short of loading them ("The audit system
// is disabled"). Not proven here: that the kernel accepts the rules and logs the events (that needs a qemu
// guest with auditd running; see ARCHITECTURE.md).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_RULES_PATH, renderAuditRules } from "./render-audit-rules";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";

let workDir = "";
const rules = renderAuditRules();
const ruleLines = rules.split("\n").filter((l) => l && !l.startsWith("#"));

/** What auditctl says about one rule when it cannot load it: nothing but "disabled" means it parsed. */
function auditctlVerdict(rule: string): { parsed: boolean; output: string } {
  const auditctl = requireTool("auditctl", "auditd");
  const run = runTool(requireTool("unshare", "util-linux"), ["-Urn", auditctl, ...rule.split(" ")]);
  const output = (run.stdout + run.stderr).trim();
  return { parsed: output === "The audit system is disabled", output };
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-audit-rules-"));
});

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe("the audit rules (auditd 3.0, bookworm)", () => {
  it("auditctl parses every rule", () => {
    expect(ruleLines.length).toBeGreaterThan(20);
    for (const rule of ruleLines) expect(auditctlVerdict(rule), rule).toEqual({ parsed: true, output: "The audit system is disabled" });
  });

  it.each([
    ["a syscall that does not exist", "-a always,exit -F arch=b64 -S execvee -k x", "Syscall name unknown: execvee"],
    ["an unknown field", "-a always,exit -F arch=b64 -S execve -F auidd!=unset -k x", "-F unknown field: auidd"],
    ["a watch permission that does not exist", "-w /etc/passwd -p wz -k identity", "Permission z isn't supported"],
  ])("auditctl refuses %s, so the check can fail", (_what, rule, message) => {
    expect(auditctlVerdict(rule)).toEqual({ parsed: false, output: expect.stringContaining(message) });
  });

  it("augenrules merges them with Debian's packaged rules: -D first, every rule kept, -e 2 last", () => {
    const packaged = "/etc/audit/rules.d/audit.rules";
    if (!fs.existsSync(packaged)) throw new Error(`${packaged} is missing: apt-get install --reinstall auditd`);
    const source = path.join(workDir, "rules.d");
    fs.mkdirSync(source);
    fs.copyFileSync(packaged, path.join(source, "audit.rules"));
    fs.writeFileSync(path.join(source, path.basename(AUDIT_RULES_PATH)), rules);
    const script = `mount -t tmpfs tmpfs /etc/audit && mkdir /etc/audit/rules.d && cp ${source}/*.rules /etc/audit/rules.d/ && ${requireTool("augenrules", "auditd")} && cat /etc/audit/audit.rules`;
    const run = runTool(requireTool("unshare", "util-linux"), ["-Urm", "sh", "-c", script]);
    expect(run.status, describeRun(run)).toBe(0);
    const merged = run.stdout.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(merged[0]).toBe("-D");
    expect(merged[merged.length - 1]).toBe("-e 2");
    for (const rule of ruleLines) expect(merged, rule).toContain(rule);
  });

  it("logs every command an administrator runs as another user, for 64- and 32-bit programs (CIS Debian 12)", () => {
    expect(ruleLines).toContain("-a always,exit -F arch=b64 -S execve -C euid!=uid -F auid!=unset -k admin-commands");
    expect(ruleLines).toContain("-a always,exit -F arch=b32 -S execve -C euid!=uid -F auid!=unset -k admin-commands");
  });

  it("every syscall rule has its other-architecture twin, and -e 2 is the last rule", () => {
    const syscallRules = ruleLines.filter((l) => l.startsWith("-a "));
    for (const rule of syscallRules) {
      const twin = rule.includes("arch=b64") ? rule.replace("arch=b64", "arch=b32") : rule.replace("arch=b32", "arch=b64");
      expect(syscallRules, rule).toContain(twin);
    }
    expect(ruleLines.filter((l) => l.startsWith("-e "))).toEqual(["-e 2"]);
    expect(ruleLines[ruleLines.length - 1]).toBe("-e 2");
  });

  it("watches identity, sudoers, sshd configuration and time", () => {
    for (const watched of ["/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d", "/etc/localtime"]) {
      expect(ruleLines.some((l) => l.startsWith(`-w ${watched} -p wa -k `)), watched).toBe(true);
    }
    expect(ruleLines).toContain("-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change");
  });
});
