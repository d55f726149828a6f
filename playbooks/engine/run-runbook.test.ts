import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runRunbook, type RunRunbookArgs } from "./run-runbook";
import { AuditLog, type AuditEntry } from "./audit-log";
import { RunbookInputError, UnsafeStateError } from "./errors";
import type { Inventory, InventoryHost } from "./inventory";
import type { CommandResult, HostTransport, Runbook } from "./types";
import { PRODUCTION_DATABASE_PATHS } from "../../components/database/paths";
import { testTempDir } from "../../test/support/test-temp-dir";

// The engine's own logic with a recording transport; real SSH into real hosts is in test/integration.
class RecordingTransport implements HostTransport {
  readonly ran: { host: string; command: string }[] = [];
  unreachable = new Set<string>();
  failing = new Set<string>();
  async connect(host: InventoryHost): Promise<void> {
    if (this.unreachable.has(host.name)) throw new RunbookInputError(`${host.name} (root@${host.address}:22): unreachable (ECONNREFUSED)`);
    await Promise.resolve();
  }
  async exec(host: InventoryHost, command: string): Promise<CommandResult> {
    await this.connect(host);
    this.ran.push({ host: host.name, command });
    return this.failing.has(command) ? { code: 1, stdout: "", stderr: "boom" } : { code: 0, stdout: `out of ${command}`, stderr: "" };
  }
  async pipe(from: InventoryHost, fromCommand: string, to: InventoryHost, toCommand: string): Promise<{ from: CommandResult; to: CommandResult }> {
    return { from: await this.exec(from, fromCommand), to: await this.exec(to, toCommand) };
  }
  async close(): Promise<void> {
    await Promise.resolve();
  }
}

function host(name: string, address: string): InventoryHost {
  return { name, address, role: name === "db-1" ? "primary" : "replica", serverId: 1, ssh: { port: 22, user: "root", sudo: false }, paths: PRODUCTION_DATABASE_PATHS, service: { start: "start", stop: "stop" } };
}

const inventory: Inventory = { stack: "lab", mariadbPort: 3306, maxLagSeconds: 5, semiSync: true, hosts: [host("db-1", "10.0.0.1"), host("db-2", "10.0.0.2")] };

/** Three steps: a probe, a destructive change, a change with a verification. */
const sample: Runbook = {
  name: "sample",
  summary: "test runbook",
  steps: () => [
    { name: "look", hosts: () => ["db-1"], action: async (ctx) => void (await ctx.probe(ctx.host("db-1"), "check-state")) },
    { name: "change", hosts: () => ["db-2"], destructive: true, action: async (ctx) => void (await ctx.run(ctx.host("db-2"), "promote")) },
    {
      name: "finish",
      hosts: () => ["db-1"],
      action: async (ctx) => void (await ctx.run(ctx.host("db-1"), "repoint")),
      verify: async (ctx) => void (await ctx.probe(ctx.host("db-1"), "verify-repoint")),
    },
  ],
};

describe("runRunbook (engine logic, recording transport)", () => {
  let dir: string;
  let transport: RecordingTransport;
  let lines: string[];
  let args: RunRunbookArgs;

  const auditEntries = (): AuditEntry[] => fs.readFileSync(path.join(dir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as AuditEntry);

  beforeEach(() => {
    dir = testTempDir("ibac-engine-");
    transport = new RecordingTransport();
    lines = [];
    args = {
      runbook: sample, inventory, transport, options: {}, dryRun: false, yes: true,
      audit: new AuditLog(path.join(dir, "audit.jsonl")), operator: "tester", commandLine: "ibac runbook sample --stack lab --yes",
      say: (line) => lines.push(line),
    };
  });

  it("runs every step's commands in order and audits each one", async () => {
    const outcome = await runRunbook(args);
    expect(outcome.status).toBe("completed");
    expect(transport.ran.map((r) => `${r.host}:${r.command}`)).toEqual(["db-1:check-state", "db-2:promote", "db-1:repoint", "db-1:verify-repoint"]);
    const commands = auditEntries().filter((e) => e.command).map((e) => [e.host, e.command, e.result, e.operator]);
    expect(commands).toEqual([
      ["db-1", "check-state", "ok", "tester"], ["db-2", "promote", "ok", "tester"], ["db-1", "repoint", "ok", "tester"], ["db-1", "verify-repoint", "ok", "tester"],
    ]);
  });

  it("a dry run runs the probes only and prints every change with its host", async () => {
    const outcome = await runRunbook({ ...args, dryRun: true, yes: false });
    expect(outcome.status).toBe("dry-run");
    expect(transport.ran.map((r) => r.command)).toEqual(["check-state"]);
    expect(lines).toContain("    would run on db-2 (10.0.0.2): promote");
    expect(lines).toContain("    would run on db-1 (10.0.0.1): repoint");
    expect(auditEntries().filter((e) => e.result === "dry-run").map((e) => e.command)).toEqual(["promote", "repoint"]);
  });

  it("a failed step stops the run and says how to resume", async () => {
    transport.failing.add("promote");
    const outcome = await runRunbook(args);
    expect(outcome).toMatchObject({ status: "failed", stoppedAt: 2 });
    expect(transport.ran.map((r) => r.command)).not.toContain("repoint");
    expect(lines.join("\n")).toContain("resume with: ibac runbook sample --stack lab --yes --from-step 2");
    const resumed = await runRunbook({ ...args, fromStep: 3 });
    expect(resumed.status).toBe("completed");
  });

  it("an unsafe precondition stops before the step changes anything", async () => {
    const guarded: Runbook = {
      ...sample,
      steps: (inv, o) => sample.steps(inv, o).map((s, i) => (i === 1 ? { ...s, precondition: () => Promise.reject(new UnsafeStateError("replica lags 40 s")) } : s)),
    };
    const outcome = await runRunbook({ ...args, runbook: guarded });
    expect(outcome).toMatchObject({ status: "refused", stoppedAt: 2, reason: "replica lags 40 s" });
    expect(transport.ran.map((r) => r.command)).toEqual(["check-state"]);
    expect(lines).toContain("    Nothing was changed by step 2. Steps 1 to 1 completed.");
  });

  it("refuses destructive steps without --yes when nobody can confirm, before connecting", async () => {
    await expect(runRunbook({ ...args, yes: false })).rejects.toThrow(/destructive steps \(2\. change\).*pass --yes/);
    expect(transport.ran).toEqual([]);
  });

  it("asks before a destructive step and stops when the operator declines", async () => {
    const questions: string[] = [];
    const outcome = await runRunbook({ ...args, yes: false, confirm: async (q) => (questions.push(q), false) });
    expect(outcome).toMatchObject({ status: "aborted", stoppedAt: 2 });
    expect(questions).toHaveLength(1);
    expect(transport.ran.map((r) => r.command)).toEqual(["check-state"]);
  });

  it("an unreachable host stops the run before anything runs", async () => {
    transport.unreachable.add("db-2");
    await expect(runRunbook(args)).rejects.toThrow("db-2 (root@10.0.0.2:22): unreachable (ECONNREFUSED)");
    expect(transport.ran).toEqual([]);
    expect(auditEntries().map((e) => e.result)).toEqual(["refused"]);
  });

  it("rejects a step number outside the runbook", async () => {
    await expect(runRunbook({ ...args, fromStep: 9 })).rejects.toThrow("--from-step: expected a step number from 1 to 3, found 9");
  });

  describe("--from-step re-runs the checks of the steps it skips", () => {
    /** Step 1 guards with a precondition; step 2's resume check differs from its precondition. */
    const guarded = (state: { safe: boolean; resumable: boolean }): Runbook => ({
      ...sample,
      steps: (inv, o) => sample.steps(inv, o).map((s, i) => {
        if (i === 0) return { ...s, precondition: async (ctx) => {
          await ctx.probe(ctx.host("db-1"), "probe-safety");
          if (!state.safe) throw new UnsafeStateError("db-1 still answers");
        } };
        if (i === 1) return { ...s, precondition: () => Promise.reject(new Error("the precondition must not run on a resume past it")), resumeCheck: async (ctx) => {
          await ctx.probe(ctx.host("db-2"), "probe-promoted");
          if (!state.resumable) throw new UnsafeStateError("db-2 has not been promoted");
        } };
        return s;
      }),
    });

    it("runs every earlier check (the resume check where a step has one), then resumes", async () => {
      const outcome = await runRunbook({ ...args, runbook: guarded({ safe: true, resumable: true }), fromStep: 3 });
      expect(outcome.status).toBe("completed");
      expect(transport.ran.map((r) => r.command)).toEqual(["probe-safety", "probe-promoted", "repoint", "verify-repoint"]);
      expect(lines).toContain("[1/3] look: checked again before resuming at step 3");
    });

    it("refuses with exit status refused, nothing changed, when a skipped step's precondition refuses", async () => {
      const outcome = await runRunbook({ ...args, runbook: guarded({ safe: false, resumable: true }), fromStep: 3 });
      expect(outcome).toMatchObject({ status: "refused", stoppedAt: 1, reason: "db-1 still answers" });
      expect(transport.ran.map((r) => r.command)).toEqual(["probe-safety"]);
      expect(lines).toContain("    STOP: db-1 still answers");
      expect(lines).toContain("    Nothing was changed. Resuming at step 3 would skip step 1, whose check refuses: fix the state, or resume from step 1 (ibac runbook sample --stack lab --yes --from-step 1).");
    });

    it("refuses when a skipped step's resume check refuses", async () => {
      const outcome = await runRunbook({ ...args, runbook: guarded({ safe: true, resumable: false }), fromStep: 3 });
      expect(outcome).toMatchObject({ status: "refused", stoppedAt: 2, reason: "db-2 has not been promoted" });
      expect(transport.ran.map((r) => r.command)).toEqual(["probe-safety", "probe-promoted"]);
    });

    it("also in a dry run", async () => {
      const outcome = await runRunbook({ ...args, dryRun: true, yes: false, runbook: guarded({ safe: false, resumable: true }), fromStep: 2 });
      expect(outcome).toMatchObject({ status: "refused", stoppedAt: 1 });
    });
  });

  it("a check that tries to change something fails the run before the change runs", async () => {
    const sneaky: Runbook = { ...sample, steps: (inv, o) => sample.steps(inv, o).map((s, i) => (i === 1 ? { ...s, precondition: async (ctx) => void (await ctx.run(ctx.host("db-2"), "promote-early")) } : s)) };
    const outcome = await runRunbook({ ...args, runbook: sneaky });
    expect(outcome).toMatchObject({ status: "failed", stoppedAt: 2, reason: "step 2 tried to change something from its check (promote-early): checks may only probe" });
    expect(transport.ran.map((r) => r.command)).toEqual(["check-state"]);
  });

  describe("commands registered for the end of the run", () => {
    const withServer = (fail: boolean): Runbook => ({
      ...sample,
      steps: (inv, o) => sample.steps(inv, o).map((s, i) => (i === 1 ? { ...s, action: async (ctx) => {
        ctx.atEnd(ctx.host("db-2"), "stop-temporary-server", { auditAs: "stop the temporary server" });
        await ctx.run(ctx.host("db-2"), "start-temporary-server");
        if (fail) throw new Error("replay failed");
      } } : s)),
    });

    it("run after the last step", async () => {
      expect((await runRunbook({ ...args, runbook: withServer(false) })).status).toBe("completed");
      expect(transport.ran.map((r) => r.command)).toEqual(["check-state", "start-temporary-server", "repoint", "verify-repoint", "stop-temporary-server"]);
      expect(auditEntries().find((e) => e.command === "stop-temporary-server")).toMatchObject({ as: "stop the temporary server", result: "ok", step: 2 });
    });

    it("run when a step fails", async () => {
      expect((await runRunbook({ ...args, runbook: withServer(true) })).status).toBe("failed");
      expect(transport.ran.map((r) => r.command)).toEqual(["check-state", "start-temporary-server", "stop-temporary-server"]);
    });

    it("are printed, not run, in a dry run", async () => {
      await runRunbook({ ...args, dryRun: true, yes: false, runbook: withServer(false) });
      expect(lines).toContain("    would run on db-2 (10.0.0.2): stop the temporary server");
      expect(transport.ran.map((r) => r.command)).toEqual(["check-state"]);
    });
  });

  describe("findings of a probing runbook", () => {
    const probing = (findings: ["degraded" | "down", string][]): Runbook => ({
      ...sample,
      steps: () => [{ name: "look", hosts: () => ["db-1"], action: async (ctx) => {
        await ctx.probe(ctx.host("db-1"), "check-state");
        for (const [severity, message] of findings) ctx.finding(severity, message);
      } }],
    });

    it("end the run degraded, printed and audited", async () => {
      const outcome = await runRunbook({ ...args, runbook: probing([["degraded", "db-2 is disconnected"]]) });
      expect(outcome.status).toBe("degraded");
      expect(lines).toContain("    DEGRADED: db-2 is disconnected");
      expect(auditEntries().find((e) => e.result === "note")).toMatchObject({ detail: "degraded: db-2 is disconnected", step: 1 });
    });

    it("the worst one wins, in whatever order they came", async () => {
      expect((await runRunbook({ ...args, runbook: probing([["down", "nothing serves"], ["degraded", "a failed action"]]) })).status).toBe("down");
    });

    it("count in a dry run too: only probes found them", async () => {
      expect((await runRunbook({ ...args, dryRun: true, runbook: probing([["degraded", "x"]]) })).status).toBe("degraded");
      expect((await runRunbook({ ...args, dryRun: true, runbook: probing([]) })).status).toBe("dry-run");
    });
  });

  it("audits the command as sent, with what it was shown as and its standard input", async () => {
    const shown: Runbook = { ...sample, steps: () => [{ name: "write", hosts: () => ["db-1"], action: async (ctx) => void (await ctx.run(ctx.host("db-1"), "cat > /etc/x.new && mv /etc/x.new /etc/x", { stdin: "role = replica\n", auditAs: "write /etc/x" })) }] };
    await runRunbook({ ...args, runbook: shown });
    expect(auditEntries().find((e) => e.host === "db-1")).toMatchObject({ command: "cat > /etc/x.new && mv /etc/x.new /etc/x", as: "write /etc/x", stdin: "role = replica\n", result: "ok" });
  });
});
