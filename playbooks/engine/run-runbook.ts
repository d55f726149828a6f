import * as crypto from "node:crypto";
import type { Inventory } from "./inventory";
import type { CommandResult, EngineHost, EngineInventory, HostOf, HostTransport, Runbook, Step, StepContext } from "./types";
import type { AuditEntry, AuditLog } from "./audit-log";
import { RunbookInputError, UnsafeStateError } from "./errors";

/** A command a step ran (or, in a dry run, would run). */
export interface PlannedCommand {
  step: number;
  host: string;
  address: string;
  command: string;
  kind: "probe" | "change";
}

export interface RunRunbookArgs<I extends EngineInventory = Inventory> {
  runbook: Runbook<I>;
  inventory: I;
  transport: HostTransport;
  options: Record<string, string | boolean | undefined>;
  dryRun: boolean;
  /** Destructive steps run without asking. */
  yes: boolean;
  /** 1-based step to start at, after a failed run was fixed. */
  fromStep?: number;
  audit: AuditLog;
  operator: string;
  /** The command line that started this run, to print how to resume. */
  commandLine: string;
  /** Lines for the operator (stdout). */
  say(line: string): void;
  /** Asks the operator; undefined when nobody can answer (no terminal). */
  confirm?(question: string): Promise<boolean>;
}

export interface RunOutcome {
  /**
   * `invalid`: what the operator asked for cannot be done (e.g. a restore target outside the backups).
   * `degraded` / `down`: every step ran, and a step reported findings of that severity (ctx.finding).
   */
  status: "completed" | "dry-run" | "failed" | "refused" | "invalid" | "aborted" | "degraded" | "down";
  /** 1-based step that failed, refused or was declined. */
  stoppedAt?: number;
  reason?: string;
  report: Record<string, string>;
  commands: PlannedCommand[];
  runId: string;
}

/** A command that exited non-zero where the step needed it to succeed. */
export class CommandFailedError extends Error {
  constructor(host: EngineHost, command: string, result: CommandResult) {
    const output = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-5).join("\n");
    super(`on ${host.name}: \`${command}\` exited ${result.code}${output ? `:\n${output}` : ""}`);
    this.name = "CommandFailedError";
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Runs a runbook's steps in order: precondition, action, verification. Every command is audited; a dry run
 * runs only probes and prints the changes; a failed step stops the run and says how to resume; a
 * precondition that finds an unsafe state stops it before that step changes anything.
 */
export async function runRunbook<I extends EngineInventory>(args: RunRunbookArgs<I>): Promise<RunOutcome> {
  const { runbook, inventory, transport, dryRun } = args;
  const runId = crypto.randomUUID();
  const report: Record<string, string> = {};
  const commands: PlannedCommand[] = [];
  const startedAt = Date.now();
  let currentStep = 0;
  let worstFinding: "degraded" | "down" | undefined;

  const audit = (entry: Omit<AuditEntry, "time" | "operator" | "runbook" | "runId" | "stack">): void => {
    args.audit.append({ time: new Date().toISOString(), operator: args.operator, runbook: runbook.name, runId, stack: inventory.stack, ...entry });
  };

  runbook.validate?.(args.options, inventory);
  const steps: Step<I>[] = runbook.steps(inventory, args.options);
  const from = args.fromStep ?? 1;
  if (!Number.isInteger(from) || from < 1 || from > steps.length) {
    throw new RunbookInputError(`--from-step: expected a step number from 1 to ${steps.length}, found ${String(args.fromStep)}`);
  }
  const destructive = steps.map((s, i) => ({ s, n: i + 1 })).filter(({ s, n }) => s.destructive && n >= from);
  if (!dryRun && !args.yes && destructive.length && !args.confirm) {
    throw new RunbookInputError(
      `${runbook.name} has destructive steps (${destructive.map(({ s, n }) => `${n}. ${s.name}`).join("; ")}) and there is no terminal to confirm them: pass --yes, or run it from a terminal`,
    );
  }

  const hostByName = new Map<string, HostOf<I>>(inventory.hosts.map((h) => [h.name, h]));
  const host = (name: string): HostOf<I> => {
    const h = hostByName.get(name);
    if (!h) throw new RunbookInputError(`no host "${name}" in the ${inventory.stack} inventory (${[...hostByName.keys()].join(", ")})`);
    return h;
  };

  // Every host the run needs must answer before anything changes; those allowed to be down are tried too.
  const mayBeDown = new Set(runbook.mayBeDown?.(inventory) ?? []);
  for (const h of inventory.hosts) {
    try {
      await transport.connect(h);
    } catch (e) {
      if (!mayBeDown.has(h.name)) {
        audit({ step: null, stepName: null, host: h.name, command: null, result: "refused", detail: (e as Error).message });
        throw e;
      }
      args.say(`note: ${(e as Error).message} (allowed for ${runbook.name})`);
    }
  }

  // True while a precondition or resume check runs: checks only probe, so a refusal changes nothing.
  let checking = false;
  const refuseChange = (command: string): void => {
    if (checking) throw new Error(`step ${currentStep} tried to change something from its check (${command}): checks may only probe`);
  };

  const exec = async (kind: "probe" | "change", h: EngineHost, command: string, options: { stdin?: string; allowFailure?: boolean; auditAs?: string }): Promise<CommandResult> => {
    const shown = options.auditAs ?? command;
    if (kind === "change") refuseChange(shown);
    commands.push({ step: currentStep, host: h.name, address: h.address, command: shown, kind });
    // The audit log keeps the command as it was sent (every value substituted), and what it was shown as.
    const sent = { command, ...(options.auditAs ? { as: options.auditAs } : {}), ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) };
    if (dryRun && kind === "change") {
      args.say(`    would run on ${h.name} (${h.address}): ${shown}`);
      audit({ step: currentStep, stepName: steps[currentStep - 1]?.name ?? null, host: h.name, ...sent, result: "dry-run" });
      return { code: 0, stdout: "", stderr: "" };
    }
    const t0 = Date.now();
    let result: CommandResult;
    try {
      result = await transport.exec(h, command, options.stdin !== undefined ? { stdin: options.stdin } : {});
    } catch (e) {
      // An unreachable host is an answer for a check that allows failure ("does the old primary answer?").
      if (!(e instanceof RunbookInputError) || !options.allowFailure) throw e;
      result = { code: 255, stdout: "", stderr: e.message };
    }
    const ok = result.code === 0;
    audit({
      step: currentStep, stepName: steps[currentStep - 1]?.name ?? null, host: h.name, ...sent,
      result: ok ? "ok" : "failed", exitCode: result.code, durationMs: Date.now() - t0,
      ...(ok ? {} : { detail: (result.stderr || result.stdout).slice(-2000) }),
    });
    if (dryRun) args.say(`    probed ${h.name}: ${shown}`);
    if (!ok && !options.allowFailure) throw new CommandFailedError(h, shown, result);
    return result;
  };

  /** Commands that run when the run ends, however it ends (temporary servers to stop). */
  const atEnd: { step: number; host: EngineHost; command: string; auditAs?: string }[] = [];

  const ctx: StepContext<I> = {
    inventory,
    options: args.options,
    host,
    probe: (h, command, options = {}) => exec("probe", h, command, options),
    run: (h, command, options = {}) => exec("change", h, command, options),
    pipe: async (from, fromCommand, to, toCommand, options = {}) => {
      const shown = options.auditAs ?? `${fromCommand} | (on ${to.name}) ${toCommand}`;
      refuseChange(shown);
      const sent = { command: `${fromCommand} | (on ${to.name}) ${toCommand}`, ...(options.auditAs ? { as: options.auditAs } : {}) };
      commands.push({ step: currentStep, host: `${from.name}->${to.name}`, address: `${from.address}->${to.address}`, command: shown, kind: "change" });
      if (dryRun) {
        args.say(`    would stream from ${from.name} (${from.address}) to ${to.name} (${to.address}): ${shown}`);
        audit({ step: currentStep, stepName: steps[currentStep - 1]?.name ?? null, host: `${from.name}->${to.name}`, ...sent, result: "dry-run" });
        return;
      }
      const t0 = Date.now();
      const result = await transport.pipe(from, fromCommand, to, toCommand);
      const ok = result.from.code === 0 && result.to.code === 0;
      audit({
        step: currentStep, stepName: steps[currentStep - 1]?.name ?? null, host: `${from.name}->${to.name}`, ...sent,
        result: ok ? "ok" : "failed", exitCode: ok ? 0 : result.from.code || result.to.code, durationMs: Date.now() - t0,
        ...(ok ? {} : { detail: `${from.name}: ${result.from.stderr.slice(-1000)}\n${to.name}: ${result.to.stderr.slice(-1000)}` }),
      });
      if (!ok) throw new CommandFailedError(result.from.code !== 0 ? from : to, shown, result.from.code !== 0 ? result.from : result.to);
    },
    atEnd: (h, command, options = {}) => {
      atEnd.push({ step: currentStep, host: h, command, ...(options.auditAs ? { auditAs: options.auditAs } : {}) });
    },
    note: (message) => {
      args.say(`    ${message}`);
      audit({ step: currentStep || null, stepName: steps[currentStep - 1]?.name ?? null, host: null, command: null, result: "note", detail: message });
    },
    finding: (severity, message) => {
      if (severity === "down" || worstFinding === undefined) worstFinding = severity;
      args.say(`    ${severity.toUpperCase()}: ${message}`);
      audit({ step: currentStep || null, stepName: steps[currentStep - 1]?.name ?? null, host: null, command: null, result: "note", detail: `${severity}: ${message}` });
    },
    dryRun,
    report,
    startedAt,
  };

  audit({ step: null, stepName: null, host: null, command: null, result: "started", detail: `${args.commandLine}${dryRun ? " (dry run)" : ""}` });
  args.say(`${dryRun ? "Dry run of" : "Running"} ${runbook.name} on stack ${inventory.stack} (run ${runId})`);

  const stop = (status: RunOutcome["status"], reason: string): RunOutcome => {
    audit({ step: currentStep, stepName: steps[currentStep - 1]?.name ?? null, host: null, command: null, result: status === "failed" ? "failed" : status === "refused" || status === "invalid" ? "refused" : "aborted", detail: reason });
    return { status, stoppedAt: currentStep, reason, report, commands, runId };
  };

  try {
    return await runSteps();
  } finally {
    await runAtEnd();
  }

  /** The end-of-run commands, newest first; a failure is reported and does not hide the run's outcome. */
  async function runAtEnd(): Promise<void> {
    checking = false;
    for (const end of atEnd.reverse()) {
      currentStep = end.step;
      try {
        await exec("change", end.host, end.command, { ...(end.auditAs ? { auditAs: end.auditAs } : {}), allowFailure: true }).then((r) => {
          if (r.code !== 0) args.say(`    WARNING: at the end of the run, \`${end.auditAs ?? end.command}\` on ${end.host.name} exited ${r.code}: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ")}`);
        });
      } catch (e) {
        args.say(`    WARNING: at the end of the run, \`${end.auditAs ?? end.command}\` on ${end.host.name} failed: ${(e as Error).message}`);
      }
    }
  }

  async function runSteps(): Promise<RunOutcome> {
    // A resume must not skip a safety check: every earlier step's check runs again, against the state now.
    for (let i = 0; i < from - 1; i++) {
      const step = steps[i];
      const check = step.resumeCheck ?? step.precondition;
      if (!check) continue;
      currentStep = i + 1;
      args.say(`[${currentStep}/${steps.length}] ${step.name}: checked again before resuming at step ${from}`);
      checking = true;
      try {
        await check.call(step, ctx);
      } catch (e) {
        const message = (e as Error).message;
        const safety = e instanceof UnsafeStateError || e instanceof RunbookInputError;
        args.say(`    ${safety ? "STOP" : "FAILED while checking"}: ${message}`);
        args.say(`    Nothing was changed. Resuming at step ${from} would skip step ${currentStep}, whose check ${safety ? "refuses" : "failed"}: fix the state, or resume from step ${currentStep} (${args.commandLine} --from-step ${currentStep}).`);
        return stop(e instanceof UnsafeStateError ? "refused" : e instanceof RunbookInputError ? "invalid" : "failed", message);
      } finally {
        checking = false;
      }
    }

    for (let i = from - 1; i < steps.length; i++) {
      const step = steps[i];
      currentStep = i + 1;
      const where = step.hosts(ctx).join(", ");
      const t0 = Date.now();
      args.say(`[${currentStep}/${steps.length}] ${step.name}${where ? ` (${where})` : ""}${step.destructive ? " [destructive]" : ""}`);
      checking = true;
      try {
        await step.precondition?.(ctx);
      } catch (e) {
        if (e instanceof UnsafeStateError || e instanceof RunbookInputError) {
          args.say(`    STOP: ${e.message}`);
          args.say(`    Nothing was changed by step ${currentStep}.${currentStep > from ? ` Steps ${from} to ${currentStep - 1} completed.` : ""}`);
          return stop(e instanceof UnsafeStateError ? "refused" : "invalid", e.message);
        }
        args.say(`    FAILED while checking: ${(e as Error).message}`);
        args.say(`    Nothing was changed by step ${currentStep}. Fix the cause, then resume with: ${args.commandLine} --from-step ${currentStep}`);
        return stop("failed", (e as Error).message);
      } finally {
        checking = false;
      }
      if (step.destructive && !dryRun && !args.yes) {
        const agreed = await args.confirm?.(`Step ${currentStep} (${step.name}) changes ${where} and is hard to undo. Go on?`);
        if (!agreed) {
          args.say(`    Declined. Nothing was changed by step ${currentStep}. Resume with: ${args.commandLine} --from-step ${currentStep}`);
          return stop("aborted", "declined by the operator");
        }
      }
      try {
        await step.action(ctx);
        if (!dryRun) await step.verify?.(ctx);
      } catch (e) {
        const message = (e as Error).message;
        args.say(`    FAILED: ${message}`);
        if (e instanceof UnsafeStateError) return stop("refused", message);
        args.say(`    Fix the cause, then resume with: ${args.commandLine} --from-step ${currentStep}`);
        return stop("failed", message);
      }
      args.say(`    ${dryRun ? "planned" : "done"} in ${seconds(Date.now() - t0)}`);
    }

    for (const [key, value] of Object.entries(report)) args.say(`${key}: ${value}`);
    audit({ step: null, stepName: null, host: null, command: null, result: "finished", detail: JSON.stringify(report) });
    return { status: worstFinding ?? (dryRun ? "dry-run" : "completed"), report, commands, runId };
  }
}
