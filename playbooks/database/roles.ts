import type { InventoryHost } from "../engine/inventory";
import type { StepContext } from "../engine/types";
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { isReadOnly, serverAnswers, slaveStatus } from "./mariadb";

/** The servers that answer and accept writes (read_only = OFF). */
export async function writableServers(ctx: StepContext, candidates: InventoryHost[] = ctx.inventory.hosts): Promise<InventoryHost[]> {
  const writable: InventoryHost[] = [];
  for (const host of candidates) {
    if ((await serverAnswers(ctx, host)) && !(await isReadOnly(ctx, host))) writable.push(host);
  }
  return writable;
}

function splitBrain(writable: InventoryHost[]): UnsafeStateError {
  return new UnsafeStateError(`more than one server accepts writes (${writable.map((h) => h.name).join(", ")}): split brain; stop the application and decide which one keeps its data before any runbook acts`);
}

/** Refuses when more than one server accepts writes. */
export async function refuseSplitBrain(ctx: StepContext): Promise<InventoryHost[]> {
  const writable = await writableServers(ctx);
  if (writable.length > 1) throw splitBrain(writable);
  return writable;
}

/** The one server that accepts writes now; refuses when there are none or two. */
export async function livePrimary(ctx: StepContext, candidates: InventoryHost[] = ctx.inventory.hosts): Promise<InventoryHost> {
  const writable = await writableServers(ctx, candidates);
  if (writable.length === 0) throw new UnsafeStateError("no database server accepts writes (every one answering is read_only): there is no primary to act on; if the primary is lost, use db-failover");
  if (writable.length > 1) throw splitBrain(writable);
  return writable[0];
}

/**
 * Before a promotion: refuses when a server other than the one promoted accepts writes, which would leave
 * two writable primaries. `others` are the servers to ask (not one known to be unreachable).
 */
export async function refuseSecondPrimary(ctx: StepContext, promoted: InventoryHost, others: InventoryHost[]): Promise<void> {
  const writable = await writableServers(ctx, others.filter((h) => h.name !== promoted.name));
  if (writable.length) {
    throw new UnsafeStateError(`promoting ${promoted.name} would leave two writable primaries: ${writable.map((h) => h.name).join(", ")} accept${writable.length === 1 ? "s" : ""} writes (read_only = OFF); make ${writable.length === 1 ? "it" : "them"} read-only, or fence ${writable.length === 1 ? "it" : "them"}, first`);
  }
}

/** The host a replica's Master_Host names. */
export function hostByAddress(ctx: StepContext, address: string): InventoryHost | undefined {
  return ctx.inventory.hosts.find((h) => h.address === address || h.name === address);
}

/** The replica to promote: the one named by --to, else the first replica of the inventory. */
export function chooseCandidate(ctx: StepContext, primaryName?: string): InventoryHost {
  const to = ctx.options.to;
  if (typeof to === "string") {
    const host = ctx.inventory.hosts.find((h) => h.name === to);
    if (!host) throw new RunbookInputError(`--to: expected one of ${ctx.inventory.hosts.map((h) => h.name).join(", ")}, found "${to}"`);
    return host;
  }
  const replica = ctx.inventory.hosts.find((h) => h.name !== primaryName && h.role === "replica") ?? ctx.inventory.hosts.find((h) => h.name !== primaryName);
  if (!replica) throw new RunbookInputError(`the ${ctx.inventory.stack} inventory has no replica to promote`);
  return replica;
}

/**
 * Refuses when a replica is further behind than the spec allows or not replicating at all; `lag: false`
 * checks only that it replicates from the primary (once the primary is read-only, catching up is a wait).
 */
export async function requireReplicaCurrent(ctx: StepContext, replica: InventoryHost, primary: InventoryHost, options: { lag?: boolean } = {}): Promise<void> {
  const status = await slaveStatus(ctx, replica);
  if (!status) throw new UnsafeStateError(`${replica.name} replicates from nobody: it has nothing to take over from ${primary.name}`);
  if (status.Master_Host !== primary.address) throw new UnsafeStateError(`${replica.name} replicates from ${status.Master_Host}, not from the primary ${primary.name} (${primary.address})`);
  if (status.Slave_IO_Running !== "Yes" || status.Slave_SQL_Running !== "Yes") {
    throw new UnsafeStateError(`${replica.name}'s replication is not running (IO: ${status.Slave_IO_Running}, SQL: ${status.Slave_SQL_Running}; last error: ${status.Last_Error || status.Last_IO_Error || "none"})`);
  }
  if (options.lag === false) return;
  const lag = Number(status.Seconds_Behind_Master);
  if (!Number.isFinite(lag) || lag > ctx.inventory.maxLagSeconds) {
    throw new UnsafeStateError(`${replica.name} is ${status.Seconds_Behind_Master} s behind ${primary.name}; the stack allows at most ${ctx.inventory.maxLagSeconds} s (database.replication.maxLagSeconds)`);
  }
}

/**
 * The server a rebuild or rejoin acts on, next to the live primary: --host, else the first server that is
 * not the primary. Refuses the primary itself and any server that accepts writes.
 */
export async function serverBesidePrimary(ctx: StepContext, what: string): Promise<{ primary: InventoryHost; replica: InventoryHost }> {
  const primary = await livePrimary(ctx);
  const name = ctx.options.host;
  const replica = typeof name === "string" ? ctx.inventory.hosts.find((h) => h.name === name) : ctx.inventory.hosts.find((h) => h.name !== primary.name);
  if (!replica) throw new RunbookInputError(`--host: expected one of ${ctx.inventory.hosts.map((h) => h.name).join(", ")}, found "${String(name)}"`);
  if (replica.name === primary.name) throw new UnsafeStateError(`${replica.name} is the primary (it accepts writes): name ${what}`);
  if ((await serverAnswers(ctx, replica)) && !(await isReadOnly(ctx, replica))) {
    throw new UnsafeStateError(`${replica.name} accepts writes while ${primary.name} is the primary: two primaries. Stop the application's writes to ${replica.name} before acting on it`);
  }
  return { primary, replica };
}
