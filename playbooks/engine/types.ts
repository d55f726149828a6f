import type { Inventory, InventoryHost } from "./inventory";

/** What a command returned on a host. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs shell commands on inventory hosts (over SSH in production and in the lab). */
export interface HostTransport {
  /** Opens the connection, or fails with a RunbookInputError naming the host and the reason. */
  connect(host: InventoryHost): Promise<void>;
  exec(host: InventoryHost, command: string, options?: { stdin?: string }): Promise<CommandResult>;
  /** Streams one command's output into another command's input on another host, through this machine. */
  pipe(from: InventoryHost, fromCommand: string, to: InventoryHost, toCommand: string): Promise<{ from: CommandResult; to: CommandResult }>;
  close(): Promise<void>;
}

/** What a step does on hosts, through the engine, which logs, dry-runs and audits every command. */
export interface StepContext {
  inventory: Inventory;
  /** The runbook's own options (e.g. `to` for a restore), already validated. */
  options: Readonly<Record<string, string | boolean | undefined>>;
  host(name: string): InventoryHost;
  /** A read-only command: it runs even in a dry run, because later commands depend on what it finds. */
  probe(host: InventoryHost, command: string, options?: { stdin?: string; allowFailure?: boolean }): Promise<CommandResult>;
  /** A command that changes something: printed and not run in a dry run. */
  run(host: InventoryHost, command: string, options?: { stdin?: string; allowFailure?: boolean; auditAs?: string }): Promise<CommandResult>;
  /** A change that streams `fromCommand`'s output on one host into `toCommand` on another. */
  pipe(from: InventoryHost, fromCommand: string, to: InventoryHost, toCommand: string, options?: { auditAs?: string }): Promise<void>;
  /**
   * Registers a command the engine runs on the host when the run ends, whether it completed, failed or was
   * refused (a temporary server to stop); the last registered runs first. In a dry run it is printed.
   */
  atEnd(host: InventoryHost, command: string, options?: { auditAs?: string }): void;
  /** A line for the operator (and the audit log). */
  note(message: string): void;
  /** True in a dry run: steps skip waits that only make sense after their changes. */
  dryRun: boolean;
  /** Values a step leaves for the report at the end (last GTID, downtime, ...). */
  report: Record<string, string>;
  /** Millisecond clock the engine started at (for measured durations). */
  startedAt: number;
}

export interface Step {
  /** Short imperative name, shown in progress and the audit log. */
  name: string;
  /** The host(s) the step acts on, for display before it runs. */
  hosts(ctx: StepContext): string[];
  /** Changes that are hard to undo (promotion, wiping a datadir): confirmed unless --yes. */
  destructive?: boolean;
  /**
   * Checks that it is safe to act; throws UnsafeStateError (nothing changed) if not. Only probes: the
   * engine refuses a change made from a check.
   */
  precondition?(ctx: StepContext): Promise<void>;
  /**
   * A run resumed (`--from-step`) after this step: checks again what this step's precondition and action
   * guaranteed, in the state its action leaves (the primary read-only, the replica caught up), and
   * recovers what the step learnt (the pair of servers, the errant transactions). Throws UnsafeStateError
   * when the state is not what the later steps rely on. Without it the engine re-runs the precondition,
   * which must then hold both before and after the action.
   */
  resumeCheck?(ctx: StepContext): Promise<void>;
  action(ctx: StepContext): Promise<void>;
  /** Checks that the action had its effect; throws if not. Skipped in a dry run. */
  verify?(ctx: StepContext): Promise<void>;
}

export interface RunbookOption {
  flag: string;
  description: string;
  required?: boolean;
}

export interface Runbook {
  name: string;
  summary: string;
  /** Extra command-line options, e.g. `--to <time|gtid>` for db-restore-pitr. */
  options?: RunbookOption[];
  /** Hosts that may be unreachable when the run starts (the lost primary of a failover). */
  mayBeDown?(inventory: Inventory): string[];
  /** Validates the options before anything connects; throws RunbookInputError. */
  validate?(options: Record<string, string | boolean | undefined>, inventory: Inventory): void;
  steps(inventory: Inventory, options: Record<string, string | boolean | undefined>): Step[];
}
