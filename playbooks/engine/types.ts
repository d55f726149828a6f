import type { Inventory } from "./inventory";

/**
 * What the engine and the SSH transport need of a host: its name, where SSH answers and how to log in. Each
 * tier's inventory adds what its runbooks need (the database's paths and server ids, the storage tier's DRBD
 * resource), and a runbook is typed by the inventory it reads (`Runbook<StorageInventory>`).
 */
export interface EngineHost {
  name: string;
  address: string;
  ssh: { port: number; user: string; sudo: boolean };
}

/** What the engine needs of an inventory: the stack it describes and its hosts. */
export interface EngineInventory {
  stack: string;
  hosts: readonly EngineHost[];
}

/** What a command returned on a host. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs shell commands on inventory hosts (over SSH in production and in the lab). */
export interface HostTransport {
  /** Opens the connection, or fails with a RunbookInputError naming the host and the reason. */
  connect(host: EngineHost): Promise<void>;
  exec(host: EngineHost, command: string, options?: { stdin?: string }): Promise<CommandResult>;
  /** Streams one command's output into another command's input on another host, through this machine. */
  pipe(from: EngineHost, fromCommand: string, to: EngineHost, toCommand: string): Promise<{ from: CommandResult; to: CommandResult }>;
  close(): Promise<void>;
}

/** A host of inventory I (the database's InventoryHost, the storage tier's StorageHost). */
export type HostOf<I extends EngineInventory> = I["hosts"][number];

/** What a step does on hosts, through the engine, which logs, dry-runs and audits every command. */
export interface StepContext<I extends EngineInventory = Inventory> {
  inventory: I;
  /** The runbook's own options (e.g. `to` for a restore), already validated. */
  options: Readonly<Record<string, string | boolean | undefined>>;
  host(name: string): HostOf<I>;
  /** A read-only command: it runs even in a dry run, because later commands depend on what it finds. */
  probe(host: EngineHost, command: string, options?: { stdin?: string; allowFailure?: boolean }): Promise<CommandResult>;
  /** A command that changes something: printed and not run in a dry run. */
  run(host: EngineHost, command: string, options?: { stdin?: string; allowFailure?: boolean; auditAs?: string }): Promise<CommandResult>;
  /** A change that streams `fromCommand`'s output on one host into `toCommand` on another. */
  pipe(from: EngineHost, fromCommand: string, to: EngineHost, toCommand: string, options?: { auditAs?: string }): Promise<void>;
  /**
   * Registers a command the engine runs on the host when the run ends, whether it completed, failed or was
   * refused (a temporary server to stop); the last registered runs first. In a dry run it is printed.
   */
  atEnd(host: EngineHost, command: string, options?: { auditAs?: string }): void;
  /** A line for the operator (and the audit log). */
  note(message: string): void;
  /**
   * What a probing runbook found wrong (storage-status: a peer disconnected, a failed action): noted, and
   * the run ends `degraded` (still serving, redundancy lost) or `down` (not serving, or a split brain)
   * instead of completed, even in a dry run, since only probes found it. The worst finding wins.
   */
  finding(severity: "degraded" | "down", message: string): void;
  /** True in a dry run: steps skip waits that only make sense after their changes. */
  dryRun: boolean;
  /** Values a step leaves for the report at the end (last GTID, downtime, ...). */
  report: Record<string, string>;
  /** Millisecond clock the engine started at (for measured durations). */
  startedAt: number;
}

export interface Step<I extends EngineInventory = Inventory> {
  /** Short imperative name, shown in progress and the audit log. */
  name: string;
  /** The host(s) the step acts on, for display before it runs. */
  hosts(ctx: StepContext<I>): string[];
  /** Changes that are hard to undo (promotion, wiping a datadir): confirmed unless --yes. */
  destructive?: boolean;
  /**
   * Checks that it is safe to act; throws UnsafeStateError (nothing changed) if not. Only probes: the
   * engine refuses a change made from a check.
   */
  precondition?(ctx: StepContext<I>): Promise<void>;
  /**
   * A run resumed (`--from-step`) after this step: checks again what this step's precondition and action
   * guaranteed, in the state its action leaves (the primary read-only, the replica caught up), and
   * recovers what the step learnt (the pair of servers, the errant transactions). Throws UnsafeStateError
   * when the state is not what the later steps rely on. Without it the engine re-runs the precondition,
   * which must then hold both before and after the action.
   */
  resumeCheck?(ctx: StepContext<I>): Promise<void>;
  action(ctx: StepContext<I>): Promise<void>;
  /** Checks that the action had its effect; throws if not. Skipped in a dry run. */
  verify?(ctx: StepContext<I>): Promise<void>;
}

export interface RunbookOption {
  flag: string;
  description: string;
  required?: boolean;
}

export interface Runbook<I extends EngineInventory = Inventory> {
  name: string;
  summary: string;
  /** Extra command-line options, e.g. `--to <time|gtid>` for db-restore-pitr. */
  options?: RunbookOption[];
  /** Hosts that may be unreachable when the run starts (the lost primary of a failover). */
  mayBeDown?(inventory: I): string[];
  /** Validates the options before anything connects; throws RunbookInputError. */
  validate?(options: Record<string, string | boolean | undefined>, inventory: I): void;
  steps(inventory: I, options: Record<string, string | boolean | undefined>): Step<I>[];
}
