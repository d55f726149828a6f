import type { StepContext } from "../engine/types";
import { UnsafeStateError } from "../engine/errors";
import { shellQuote } from "../engine/shell-quote";
import { DRBD_CLONE_ID } from "../../components/storage/cib-resource-ids";
import type { StorageHost, StorageInventory } from "./inventory";
import { deviceOfMinor, parseDrbdadmState, parseProcDrbd, stateDisagreement, type DrbdadmState, type DrbdDevice } from "./drbd-state";
import { fenceHandlerPin, leftoverMoveConstraints, parseCrmMon, type ClusterView } from "./crm-mon";

export type StorageContext = StepContext<StorageInventory>;

/** The commands the storage runbooks send, said once (the tests assert on them). */
export const commands = {
  procDrbd: "cat /proc/drbd",
  drbdadmState: (res: string): string => `drbdadm role ${shellQuote(res)} && drbdadm cstate ${shellQuote(res)} && drbdadm dstate ${shellQuote(res)}`,
  getGi: (res: string): string => `drbdadm get-gi ${shellQuote(res)}`,
  crmMon: "crm_mon --one-shot --output-as=xml",
  constraints: "cibadmin --query --scope constraints",
  move: (node: string): string => `crm_resource --resource ${DRBD_CLONE_ID} --move --promoted --node ${shellQuote(node)}`,
  clear: `crm_resource --resource ${DRBD_CLONE_ID} --clear`,
};

/** One side's DRBD state, read twice: /proc/drbd and drbdadm. */
export interface DrbdSide {
  host: StorageHost;
  device: DrbdDevice;
  adm: DrbdadmState;
  /** Where the two readings differ (they should not). */
  disagreement?: string;
}

/** Reads one side's DRBD state; throws UnsafeStateError when it cannot be read. */
export async function readDrbdSide(ctx: StorageContext, host: StorageHost): Promise<DrbdSide> {
  const { resource, device: devicePath } = ctx.inventory.drbd;
  const proc = parseProcDrbd((await ctx.probe(host, commands.procDrbd)).stdout, `${host.name}: /proc/drbd`);
  const device = deviceOfMinor(proc, devicePath, `${host.name}: /proc/drbd`);
  const adm = parseDrbdadmState((await ctx.probe(host, commands.drbdadmState(resource))).stdout, `${host.name}: drbdadm ${resource}`);
  const disagreement = stateDisagreement(device, adm);
  return { host, device, adm, ...(disagreement ? { disagreement } : {}) };
}

/** Both sides; refuses when /proc/drbd and drbdadm disagree on either (the state is not what it seems). */
export async function readBothSides(ctx: StorageContext): Promise<[DrbdSide, DrbdSide]> {
  const [a, b] = ctx.inventory.hosts;
  const sides: [DrbdSide, DrbdSide] = [await readDrbdSide(ctx, a), await readDrbdSide(ctx, b)];
  for (const side of sides) {
    if (side.disagreement) throw new UnsafeStateError(`${side.host.name}: /proc/drbd and drbdadm disagree about ${ctx.inventory.drbd.resource} (${side.disagreement}): the state is changing or misread; look again in a moment`);
  }
  return sides;
}

/** What one node's crm_mon says, or why it said nothing. */
export type ClusterReading = { host: StorageHost; view: ClusterView } | { host: StorageHost; problem: string };

export async function readCluster(ctx: StorageContext, host: StorageHost): Promise<ClusterReading> {
  const result = await ctx.probe(host, commands.crmMon, { allowFailure: true });
  if (result.code !== 0) {
    const why = result.code === 255 ? "unreachable" : `crm_mon exited ${result.code}`;
    return { host, problem: why };
  }
  return { host, view: parseCrmMon(result.stdout, `${host.name}: crm_mon`) };
}

/**
 * The cluster as its quorate partition sees it: the first node whose crm_mon answers with quorum. Refuses
 * when no node answers, or none has quorum (Pacemaker acts on nothing then, and neither may a runbook).
 */
export async function quorateView(ctx: StorageContext): Promise<{ host: StorageHost; view: ClusterView }> {
  const readings: ClusterReading[] = [];
  for (const host of ctx.inventory.hosts) {
    const reading = await readCluster(ctx, host);
    if ("view" in reading && reading.view.quorate) return reading;
    readings.push(reading);
  }
  const said = readings.map((r) => ("view" in r ? `${r.host.name}: no quorum` : `${r.host.name}: ${r.problem}`)).join("; ");
  throw new UnsafeStateError(`the storage cluster is not quorate (${said}): Pacemaker promotes nothing without quorum, and this runbook acts on nothing either`);
}

/** The constraints that pin the Promoted role: crm_resource's move/ban leftovers, DRBD's fence handler's. */
export interface Pins {
  moves: string[];
  fenceHandler?: { id: string; onlyOn: string };
}

export async function readPins(ctx: StorageContext, host: StorageHost): Promise<Pins> {
  const xml = (await ctx.probe(host, commands.constraints)).stdout;
  const where = `${host.name}: cibadmin constraints`;
  const fenceHandler = fenceHandlerPin(xml, where);
  return { moves: leftoverMoveConstraints(xml, where), ...(fenceHandler ? { fenceHandler } : {}) };
}

/** How to remove the fence handler's constraint by hand, when crm-unfence-peer.sh did not. */
export function removeFencePin(id: string): string {
  return `cibadmin --delete --xml-text '<rsc_location id="${id}"/>'`;
}

/** The other VM of the pair. */
export function peerOf(ctx: StorageContext, name: string): StorageHost {
  const peer = ctx.inventory.hosts.find((h) => h.name !== name);
  if (!peer) throw new Error(`the ${ctx.inventory.stack} storage inventory has no peer of ${name}`);
  return peer;
}

/** The connection states in which the two sides replicate or are about to (not a split brain). */
export const CONNECTED_STATES: readonly string[] = ["Connected", "StartingSyncS", "StartingSyncT", "WFBitMapS", "WFBitMapT", "WFSyncUUID", "SyncSource", "SyncTarget", "VerifyS", "VerifyT", "PausedSyncS", "PausedSyncT", "Ahead", "Behind", "WFReportParams"];

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One side in words: `Primary, Connected, UpToDate/UpToDate, 0 KiB out of sync`. */
export function describeSide(side: DrbdSide): string {
  const d = side.device;
  const sync = d.syncedPercent !== undefined ? `, sync'ed ${d.syncedPercent}%` : "";
  return `${d.role ?? "?"}, ${d.connection}, ${d.disk ?? "?"}/${d.peerDisk ?? "?"}, ${d.outOfSyncKiB ?? "?"} KiB out of sync${sync}`;
}
