import type { Runbook } from "../engine/types";
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { DRBD_CLONE_ID, SERVICE_GROUP_ID } from "../../components/storage/cib-resource-ids";
import type { StorageHost, StorageInventory } from "./inventory";
import { commands, peerOf, quorateView, readBothSides, readDrbdSide, readPins, removeFencePin, sleep, type StorageContext } from "./pair";

interface Move {
  from: StorageHost;
  to: StorageHost;
}

/**
 * Refuses unless a planned move is safe: both sides Connected and UpToDate with nothing out of sync (the
 * target holds every acknowledged write), the cluster quorate with both nodes online, no failed actions,
 * one Promoted instance that runs the service group. `resumed`: after the move, the target may already be
 * Promoted and our own move constraint may still be there.
 */
async function checkPair(ctx: StorageContext, resumed: boolean): Promise<Move> {
  const { resource } = ctx.inventory.drbd;
  for (const side of await readBothSides(ctx)) {
    const d = side.device;
    const name = side.host.name;
    if (d.connection !== "Connected") throw new UnsafeStateError(`${name}: DRBD ${resource} is ${d.connection}, not Connected: the peers do not replicate, and the other side may lack writes; see storage-status`);
    if (d.disk !== "UpToDate" || d.peerDisk !== "UpToDate") throw new UnsafeStateError(`${name}: DRBD ${resource}'s disks are ${d.disk ?? "?"}/${d.peerDisk ?? "?"}, not UpToDate/UpToDate: wait for the resync to finish`);
    if ((d.outOfSyncKiB ?? 0) !== 0) throw new UnsafeStateError(`${name}: ${d.outOfSyncKiB} KiB of ${resource} are out of sync with the peer: wait for the resync to finish`);
  }
  const { host: seenFrom, view } = await quorateView(ctx);
  for (const h of ctx.inventory.hosts) {
    const node = view.nodes.find((n) => n.name === h.name);
    if (!node?.online || node.standby || node.maintenance) throw new UnsafeStateError(`${h.name} is not an online, active node of the cluster (as ${seenFrom.name} sees it): Pacemaker could not move anything to or from it`);
  }
  if (view.maintenanceMode) throw new UnsafeStateError("the cluster is in maintenance mode: Pacemaker would not move anything");
  if (view.failures.length) {
    throw new UnsafeStateError(`failed actions in the cluster (${view.failures.map((f) => `${f.operation} on ${f.node}`).join(", ")}): find out why, clear them with crm_resource --cleanup, then switch over`);
  }
  if (view.promoted.length !== 1) throw new UnsafeStateError(`the DRBD clone is Promoted on ${view.promoted.length ? view.promoted.join(" and ") : "no node"}: this is not a planned switchover (see storage-status)`);
  const promoted = ctx.host(view.promoted[0]);
  if (view.serviceOn !== promoted.name) throw new UnsafeStateError(`${SERVICE_GROUP_ID} does not run on the Promoted node ${promoted.name} (it runs on ${view.serviceOn ?? "no node"}): see storage-status`);
  const asked = typeof ctx.options.to === "string" ? ctx.host(ctx.options.to) : undefined;
  const to = asked ?? peerOf(ctx, promoted.name);
  if (to.name === promoted.name) {
    if (!resumed) throw new UnsafeStateError(`${to.name} is already Promoted and runs ${SERVICE_GROUP_ID}: there is nothing to switch over`);
    return { from: peerOf(ctx, to.name), to };
  }
  const pins = await readPins(ctx, seenFrom);
  if (pins.fenceHandler) {
    // Both disks are UpToDate (checked above), so the handler's constraint outlived the resync it waited for.
    throw new UnsafeStateError(`DRBD's fence handler still allows the Promoted role only on ${pins.fenceHandler.onlyOn} (${pins.fenceHandler.id}), though both disks are UpToDate: crm-unfence-peer.sh did not remove it; remove it with \`${removeFencePin(pins.fenceHandler.id)}\` once you know why, then switch over`);
  }
  if (pins.moves.length && !resumed) {
    throw new UnsafeStateError(`move or ban constraints are left from an earlier move (${pins.moves.join(", ")}): they would fight this one; remove them with \`${commands.clear}\` once you know why they are there`);
  }
  return { from: promoted, to };
}

/**
 * Where the Promoted role and the service are now, and whether DRBD agrees on the target. `transient`: a
 * reading that fails while roles change (crm_mon between transitions) counts as "not yet", not as a stop.
 */
async function arrived(ctx: StorageContext, to: StorageHost, transient = false): Promise<{ done: boolean; where: string }> {
  if (transient) {
    try {
      return await arrived(ctx, to);
    } catch (e) {
      if (!(e instanceof UnsafeStateError)) throw e;
      return { done: false, where: e.message };
    }
  }
  const { view } = await quorateView(ctx);
  const side = await readDrbdSide(ctx, to);
  const done = view.promoted.length === 1 && view.promoted[0] === to.name && view.serviceOn === to.name && side.device.role === "Primary";
  return { done, where: `Promoted on ${view.promoted.join(", ") || "no node"}, ${SERVICE_GROUP_ID} on ${view.serviceOn ?? "no node"}, DRBD on ${to.name} ${side.device.role ?? "unknown"}` };
}

export interface SwitchoverTiming {
  /** How long the move may take until the service runs on the target. */
  timeoutMs: number;
  pollMs: number;
}

/** A planned move of the Promoted role (and with it the file system, the address and MinIO) to the peer. */
export function makeStorageSwitchover(timing: SwitchoverTiming): Runbook<StorageInventory> {
  return {
    name: "storage-switchover",
    summary: "planned move of the Promoted role (and the file system, the service address and MinIO with it) to the other storage VM",
    options: [{ flag: "--to <host>", description: "the storage VM to promote (default: the one not Promoted)" }],
    validate: (options, inventory) => {
      const to = options.to;
      if (to !== undefined && (typeof to !== "string" || !inventory.hosts.some((h) => h.name === to))) {
        throw new RunbookInputError(`--to: expected one of ${inventory.hosts.map((h) => h.name).join(", ")}, found ${JSON.stringify(to)}`);
      }
    },
    steps: (inventory) => {
      let move: Move | undefined;
      const current = async (ctx: StorageContext): Promise<Move> => (move ??= await checkPair(ctx, false));
      return [
        {
          name: "Check that both sides are in sync and the cluster is healthy",
          hosts: () => inventory.hosts.map((h) => h.name),
          precondition: async (ctx) => void (await current(ctx)),
          resumeCheck: async (ctx) => {
            move = await checkPair(ctx, true);
          },
          action: async (ctx) => {
            const { from, to } = await current(ctx);
            ctx.note(`Promoted now: ${from.name}; moving to: ${to.name}`);
          },
        },
        {
          name: "Move the Promoted role",
          hosts: () => (move ? [move.from.name, move.to.name] : inventory.hosts.map((h) => h.name)),
          destructive: true,
          resumeCheck: async (ctx) => {
            const { to } = await current(ctx);
            const now = await arrived(ctx, to);
            if (!now.done) throw new UnsafeStateError(`the move to ${to.name} has not finished (${now.where}): resume from step 2`);
          },
          action: async (ctx) => {
            const { from, to } = await current(ctx);
            ctx.report.moveStarted = new Date().toISOString();
            await ctx.run(from, commands.move(to.name));
          },
          verify: async (ctx) => {
            const { to } = await current(ctx);
            const t0 = Date.now();
            let now = await arrived(ctx, to, true);
            while (!now.done && Date.now() - t0 < timing.timeoutMs) {
              await sleep(timing.pollMs);
              now = await arrived(ctx, to, true);
            }
            if (!now.done) {
              throw new Error(`${to.name} does not run the service after ${Math.round(timing.timeoutMs / 1000)} s (${now.where}); the move constraint cli-prefer-${DRBD_CLONE_ID} is still in place: see crm_mon, then resume, or remove it with \`${commands.clear}\` to let Pacemaker decide`);
            }
            ctx.report.promoted = to.name;
            ctx.report.moveSeconds = ((Date.now() - t0) / 1000).toFixed(1);
          },
        },
        {
          name: "Clear the move constraint so that it does not pin the role",
          hosts: () => [move?.to.name ?? "the new Promoted VM"],
          action: async (ctx) => {
            const { to } = await current(ctx);
            await ctx.run(to, commands.clear);
          },
          verify: async (ctx) => {
            const { to } = await current(ctx);
            const pins = await readPins(ctx, to);
            if (pins.moves.length) throw new Error(`constraints still in place after \`${commands.clear}\`: ${pins.moves.join(", ")}`);
            // Without its constraint the role must stay (resource-stickiness): a move back would be a second outage.
            await sleep(timing.pollMs);
            const now = await arrived(ctx, to);
            if (!now.done) throw new Error(`after the constraint was cleared the service left ${to.name} (${now.where}): check resource-stickiness in the CIB`);
          },
        },
      ];
    },
  };
}

export const storageSwitchover = makeStorageSwitchover({ timeoutMs: 120_000, pollMs: 2_000 });
