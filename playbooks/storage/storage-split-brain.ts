import type { Runbook } from "../engine/types";
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { hostByteCount } from "../engine/host-values";
import { shellQuote } from "../engine/shell-quote";
import { SERVICE_GROUP_ID } from "../../components/storage/cib-resource-ids";
import { MINIO_UNIT } from "../../components/storage/minio-paths";
import type { StorageHost, StorageInventory } from "./inventory";
import { compareGenerations, lastSplitBrainLine, lastWriteTime, parseGenerationIds, type GenerationIds } from "./drbd-state";
import { commands, CONNECTED_STATES, peerOf, quorateView, readBothSides, readDrbdSide, readPins, sleep, type DrbdSide, type StorageContext } from "./pair";

/** One side of a split brain, as the operator needs it to choose. */
interface SideEvidence {
  side: DrbdSide;
  gi: GenerationIds;
  /** The kernel's last split-brain line for this resource, if the journal has one. */
  logged?: { time: string; outcome: string };
  lastWrite?: string;
}

/** Pacemaker's view: its Promoted node and where the service runs, when a quorate partition answered. */
interface Roles {
  promoted?: string;
  serviceOn?: string;
  /** The node DRBD's fence handler left the Promoted role to (crm-fence-peer.sh's constraint). */
  fencedFor?: string;
}

interface Evidence extends Roles {
  sides: [SideEvidence, SideEvidence];
}

const SAFE_COPY_PATH = /^(\/[A-Za-z0-9_.+-]+)+$/;

export const splitBrainCommands = {
  // Kernel messages of every boot the journal kept (-k alone means this boot only).
  journal: "journalctl _TRANSPORT=kernel -o short-iso --no-pager | grep -F 'Split-Brain detected' | tail -n 20",
  dumpe2fs: (disk: string): string => `dumpe2fs -h ${shellQuote(disk)} 2>/dev/null`,
  minioActive: `systemctl is-active ${MINIO_UNIT}`,
  mounted: (device: string): string => `findmnt -rn -S ${shellQuote(device)} -o TARGET`,
  size: (disk: string): string => `blockdev --getsize64 ${shellQuote(disk)}`,
  free: (dir: string): string => `df --output=avail -B1 ${shellQuote(dir)} | tail -n 1`,
  absent: (file: string): string => `test ! -e ${shellQuote(file)}`,
  copy: (disk: string, file: string): string => `umask 077 && dd if=${shellQuote(disk)} of=${shellQuote(file)} bs=4M conv=sparse,fsync status=none`,
  copySize: (file: string): string => `stat -c %s ${shellQuote(file)}`,
  disconnect: (res: string): string => `drbdadm disconnect ${shellQuote(res)}`,
  secondary: (res: string): string => `drbdadm secondary ${shellQuote(res)}`,
  discard: (res: string): string => `drbdadm connect --discard-my-data ${shellQuote(res)}`,
  connect: (res: string): string => `drbdadm connect ${shellQuote(res)}`,
};

async function gatherSide(ctx: StorageContext, side: DrbdSide): Promise<SideEvidence> {
  const { resource, backingDisk } = ctx.inventory.drbd;
  const gi = parseGenerationIds((await ctx.probe(side.host, commands.getGi(resource))).stdout, `${side.host.name}: drbdadm get-gi ${resource}`);
  const journal = await ctx.probe(side.host, splitBrainCommands.journal, { allowFailure: true });
  const logged = lastSplitBrainLine(journal.stdout, resource, side.device.minor);
  const fs = await ctx.probe(side.host, splitBrainCommands.dumpe2fs(backingDisk), { allowFailure: true });
  const lastWrite = fs.code === 0 ? lastWriteTime(fs.stdout) : undefined;
  return { side, gi, ...(logged ? { logged } : {}), ...(lastWrite ? { lastWrite } : {}) };
}

/**
 * Refuses unless the two sides are in a split brain: neither connected, and each changed the data since the
 * generation they last shared (DRBD's own rule: the same bitmap UUID, different current UUIDs).
 */
async function findSplitBrain(ctx: StorageContext): Promise<Evidence> {
  const { resource } = ctx.inventory.drbd;
  const [a, b] = await readBothSides(ctx);
  const connected = [a, b].filter((s) => CONNECTED_STATES.includes(s.device.connection));
  if (connected.length) {
    throw new UnsafeStateError(`no split brain: ${connected.map((s) => `${s.host.name} is ${s.device.connection}`).join(", ")} with its peer, so DRBD replicates; storage-status shows the details`);
  }
  const sides: [SideEvidence, SideEvidence] = [await gatherSide(ctx, a), await gatherSide(ctx, b)];
  const relation = compareGenerations(sides[0].gi, sides[1].gi);
  const names = `${a.host.name} ${a.device.connection}, ${b.host.name} ${b.device.connection}`;
  if (relation === "same") throw new UnsafeStateError(`no split brain: the peers are disconnected (${names}) but hold the same data generation (${sides[0].gi.current}); reconnect them with \`${splitBrainCommands.connect(resource)}\` on each`);
  if (relation === "first-ahead" || relation === "second-ahead") {
    const [ahead, behind] = relation === "first-ahead" ? [a, b] : [b, a];
    throw new UnsafeStateError(`no split brain: the peers are disconnected (${names}) but only ${ahead.host.name} changed data since they parted; ${behind.host.name} just lags and resyncs from it on \`drbdadm connect ${resource}\` on each`);
  }
  if (relation === "unrelated") throw new UnsafeStateError(`the peers' data generations are unrelated (${a.host.name} ${sides[0].gi.current}, ${b.host.name} ${sides[1].gi.current}): no common history, not a split brain this runbook resolves; a full resync from the side to keep is a manual decision`);
  return { sides, ...(await pacemakerRoles(ctx)) };
}

/** Pacemaker's Promoted node and where the service runs; nothing when no partition is quorate. */
async function pacemakerRoles(ctx: StorageContext): Promise<Roles> {
  try {
    const { host, view } = await quorateView(ctx);
    const pins = await readPins(ctx, host);
    return {
      ...(view.promoted.length === 1 ? { promoted: view.promoted[0] } : {}),
      ...(view.serviceOn ? { serviceOn: view.serviceOn } : {}),
      ...(pins.fenceHandler ? { fencedFor: pins.fenceHandler.onlyOn } : {}),
    };
  } catch (e) {
    if (!(e instanceof UnsafeStateError)) throw e;
    ctx.note(`Pacemaker: ${e.message}`);
    return {};
  }
}

/**
 * Which side to keep, and why: the one clients were served from, else the one DRBD's fence handler kept
 * promotable (it stayed UpToDate when the peer went), else the one that changed more.
 */
function advice(evidence: Evidence): { keep: string; why: string } {
  const [a, b] = evidence.sides;
  if (evidence.promoted) return { keep: evidence.promoted, why: `Pacemaker promoted it${evidence.serviceOn === evidence.promoted ? ` and it runs ${SERVICE_GROUP_ID}` : ""}: MinIO's clients were served from it` };
  if (evidence.fencedFor) return { keep: evidence.fencedFor, why: "no side is Promoted; DRBD's fence handler left the Promoted role to it when the peer went" };
  const changed = (s: SideEvidence): number => s.side.device.outOfSyncKiB ?? 0;
  const more = changed(a) >= changed(b) ? a : b;
  return { keep: more.side.host.name, why: `no side is Promoted; it changed more since the split (${changed(more)} KiB)` };
}

function recoveryCommands(inventory: StorageInventory, keep: string, victim: string, copyTo: string | undefined): string[] {
  const { resource, backingDisk } = inventory.drbd;
  return [
    ...(copyTo ? [`on ${victim}: ${splitBrainCommands.copy(backingDisk, copyTo)}`] : []),
    `on ${victim}: ${splitBrainCommands.disconnect(resource)}`,
    `on ${victim}: ${splitBrainCommands.secondary(resource)}`,
    `on ${victim}: ${splitBrainCommands.discard(resource)}`,
    `on ${keep}: ${splitBrainCommands.connect(resource)}`,
  ];
}

interface Choice {
  keep: StorageHost;
  victim: StorageHost;
  copyTo?: string;
}

function choice(ctx: StorageContext): Choice | undefined {
  if (typeof ctx.options.keep !== "string") return undefined;
  const keep = ctx.host(ctx.options.keep);
  const copyTo = typeof ctx.options["copy-to"] === "string" ? ctx.options["copy-to"] : undefined;
  return { keep, victim: peerOf(ctx, keep.name), ...(copyTo ? { copyTo } : {}) };
}

/**
 * Before the victim's changes are discarded: the kept side is the one Pacemaker promoted (unless the
 * operator said otherwise), the victim serves nothing from the volume, and the copy has room.
 */
async function checkVictim(ctx: StorageContext, roles: Roles, victimChangedKiB: number | undefined, chosen: Choice, resumed: boolean): Promise<void> {
  const { keep, victim, copyTo } = chosen;
  const { device, backingDisk } = ctx.inventory.drbd;
  if (roles.promoted === victim.name) {
    throw new UnsafeStateError(`${victim.name} holds the Promoted role in Pacemaker and would be promoted again: move ${SERVICE_GROUP_ID} off it first (for instance \`crm_resource --resource ${SERVICE_GROUP_ID} --ban --node ${victim.name}\`), then run this again`);
  }
  const kept = await readDrbdSide(ctx, keep);
  if (kept.device.disk !== "UpToDate") {
    throw new UnsafeStateError(`${keep.name}'s disk is ${kept.device.disk ?? "unknown"}, not UpToDate: it is not a side to keep (its peer would resync from incomplete data)`);
  }
  if (roles.promoted !== keep.name && ctx.options["keep-unpromoted"] !== true) {
    throw new UnsafeStateError(`${keep.name} is not the side Pacemaker promoted (${roles.promoted ?? "no side is Promoted"}): keeping it discards what ${victim.name} changed since the split (${victimChangedKiB ?? "?"} KiB); pass --keep-unpromoted to confirm that choice`);
  }
  // Only a clear "no" lets the run go on: systemctl says inactive (3) or no such unit (4), findmnt found nothing (1).
  const minio = await ctx.probe(victim, splitBrainCommands.minioActive, { allowFailure: true });
  if (minio.code === 0) throw new UnsafeStateError(`${victim.name} still runs MinIO (systemctl is-active ${MINIO_UNIT}: ${JSON.stringify(minio.stdout.trim().slice(0, 40))}): it serves from the data this would discard; stop it there first`);
  if (minio.code !== 3 && minio.code !== 4) throw new UnsafeStateError(`${victim.name}: cannot tell whether MinIO runs (systemctl is-active ${MINIO_UNIT} exited ${minio.code}): find out before its data is discarded`);
  const mounted = await ctx.probe(victim, splitBrainCommands.mounted(device), { allowFailure: true });
  if (mounted.code === 0) throw new UnsafeStateError(`${victim.name} has ${device} mounted (on ${JSON.stringify(mounted.stdout.trim().slice(0, 100))}): unmount it (stop ${SERVICE_GROUP_ID} there) first`);
  if (mounted.code !== 1) throw new UnsafeStateError(`${victim.name}: cannot tell whether ${device} is mounted (findmnt exited ${mounted.code}): find out before its data is discarded`);
  if (!copyTo || resumed) return;
  if ((await ctx.probe(victim, splitBrainCommands.absent(copyTo), { allowFailure: true })).code !== 0) {
    throw new UnsafeStateError(`${victim.name}: ${copyTo} exists already: name a new file for the copy`);
  }
  const size = hostByteCount((await ctx.probe(victim, splitBrainCommands.size(backingDisk))).stdout, `${victim.name}: size of ${backingDisk}`);
  const dir = copyTo.slice(0, copyTo.lastIndexOf("/")) || "/";
  const free = hostByteCount((await ctx.probe(victim, splitBrainCommands.free(dir))).stdout, `${victim.name}: free space in ${dir}`);
  if (free < size) throw new UnsafeStateError(`${victim.name}: ${dir} has ${free} bytes free, the copy of ${backingDisk} needs ${size}: name a place with room (or copy it elsewhere yourself and pass --no-copy)`);
}

/** The victim after `connect --discard-my-data`: Secondary and connecting or syncing, not StandAlone. */
async function victimReconnecting(ctx: StorageContext, victim: StorageHost): Promise<string | undefined> {
  const side = await readDrbdSide(ctx, victim);
  if (side.device.role !== "Secondary") return `${victim.name} is ${side.device.role ?? "unknown"}, not Secondary`;
  if (side.device.connection === "StandAlone") return `${victim.name} is StandAlone: it is not waiting to reconnect`;
  return undefined;
}

export interface SplitBrainTiming {
  /** How long the survivor's reconnection may take to become a resync. */
  timeoutMs: number;
  pollMs: number;
}

/** Detects a split brain, reports both sides and which to keep; with --keep, copies the victim and resolves it. */
export function makeStorageSplitBrain(timing: SplitBrainTiming): Runbook<StorageInventory> {
  return {
    name: "storage-split-brain",
    summary: "detect a DRBD split brain, report both sides (role, generations, changes, last write) and which to keep; with --keep, copy the other side's volume and resolve it",
    options: [
      { flag: "--keep <host>", description: "the side whose data survives (destructive for the other side; asks unless --yes)" },
      { flag: "--copy-to <file>", description: "with --keep: a raw copy of the other side's backing disk, a new file on that VM" },
      { flag: "--no-copy", description: "with --keep: take no copy (you saved the other side's data yourself)" },
      { flag: "--keep-unpromoted", description: "with --keep: keep a side Pacemaker did not promote" },
    ],
    validate: (options, inventory) => {
      const keep = options.keep;
      const names = inventory.hosts.map((h) => h.name);
      const withKeep = ["copy-to", "no-copy", "keep-unpromoted"].filter((o) => options[o] !== undefined && options[o] !== false);
      if (keep === undefined) {
        if (withKeep.length) throw new RunbookInputError(`--${withKeep[0]} only goes with --keep <host>`);
        return;
      }
      if (typeof keep !== "string" || !names.includes(keep)) throw new RunbookInputError(`--keep: expected one of ${names.join(", ")}, found ${JSON.stringify(keep)}`);
      const copyTo = options["copy-to"];
      if ((copyTo === undefined) === (options["no-copy"] !== true)) {
        throw new RunbookInputError("--keep discards the other side's changes since the split: pass --copy-to <file> to keep a copy of its volume first, or --no-copy if you saved it yourself");
      }
      if (copyTo !== undefined && (typeof copyTo !== "string" || !SAFE_COPY_PATH.test(copyTo) || /^\/(dev|proc|sys)(\/|$)/.test(copyTo))) {
        throw new RunbookInputError(`--copy-to: expected an absolute file path outside /dev, /proc and /sys (letters, digits, _ . + -), found ${JSON.stringify(copyTo)}`);
      }
    },
    steps: (inventory, options) => {
      let evidence: Evidence | undefined;
      /** Set by a resume after step 4: the victim discarded its data already, so there is no split brain left. */
      let discarded: Roles | undefined;
      const found = async (ctx: StorageContext): Promise<Evidence> => (evidence ??= await findSplitBrain(ctx));
      const chosen = (ctx: StorageContext): Choice => {
        const c = choice(ctx);
        if (!c) throw new Error("no --keep");
        return c;
      };
      const resolving = typeof options.keep === "string";
      const keepName = resolving ? String(options.keep) : "the kept side";
      const victimName = resolving ? (inventory.hosts.find((h) => h.name !== options.keep)?.name ?? "the other side") : "the other side";
      const report = {
        name: "Detect the split brain and report both sides",
        hosts: () => inventory.hosts.map((h) => h.name),
        precondition: async (ctx: StorageContext) => void (await found(ctx)),
        // After the victim discarded its data the split brain is gone: a resume checks that this is why.
        resumeCheck: async (ctx: StorageContext) => {
          try {
            evidence = await findSplitBrain(ctx);
          } catch (e) {
            if (!(e instanceof UnsafeStateError) || !resolving) throw e;
            const { victim } = chosen(ctx);
            const problem = await victimReconnecting(ctx, victim);
            if (problem) throw new UnsafeStateError(`neither a split brain nor ${victim.name} discarding its data: ${problem} (${e.message})`);
            discarded = await pacemakerRoles(ctx);
            ctx.note(`${victim.name} discarded its data already and reconnects as SyncTarget`);
          }
        },
        action: async (ctx: StorageContext) => {
          const ev = await found(ctx);
          ctx.note(`split brain on ${ctx.inventory.drbd.resource}: each side changed data since they parted`);
          for (const s of ev.sides) {
            const d = s.side.device;
            ctx.note(`  ${s.side.host.name}: ${d.role ?? "?"}, ${d.connection}, disk ${d.disk ?? "?"}; generation ${s.gi.current} (bitmap base ${s.gi.bitmap}, history ${s.gi.history.join(" ")})`);
            ctx.note(`    changed since the split: ${d.outOfSyncKiB ?? "?"} KiB; file system last written: ${s.lastWrite ?? "not readable"}; kernel: ${s.logged ? `Split-Brain detected (${s.logged.outcome}) at ${s.logged.time}` : "no Split-Brain line in the journal"}`);
            ctx.note(`    Pacemaker: ${ev.promoted === s.side.host.name ? "Promoted" : "not Promoted"}${ev.serviceOn === s.side.host.name ? `, runs ${SERVICE_GROUP_ID}` : ""}${ev.fencedFor === s.side.host.name ? "; the only side DRBD's fence handler lets be Promoted" : ""}`);
          }
          const a = advice(ev);
          const victim = peerOf(ctx, a.keep).name;
          ctx.note(`keep ${a.keep}: ${a.why}. ${victim}'s changes since the split are then overwritten: copy its volume first.`);
          ctx.report.keep = a.keep;
          ctx.report.why = a.why;
          if (!resolving) {
            ctx.report.next = `ibac runbook storage-split-brain --stack ${ctx.inventory.stack} --keep ${a.keep} --copy-to /var/tmp/${ctx.inventory.drbd.resource}-${victim}.img (asks before it discards anything)`;
            ctx.report.byHand = recoveryCommands(ctx.inventory, a.keep, victim, `/var/tmp/${ctx.inventory.drbd.resource}-${victim}.img`).join("; ");
          }
        },
      };
      if (!resolving) return [report];
      return [
        report,
        {
          name: `Check that ${victimName} can give up its data`,
          hosts: () => [victimName],
          precondition: async (ctx) => {
            const ev = await found(ctx);
            const c = chosen(ctx);
            await checkVictim(ctx, ev, ev.sides.find((s) => s.side.host.name === c.victim.name)?.side.device.outOfSyncKiB, c, false);
          },
          resumeCheck: async (ctx) => {
            const c = chosen(ctx);
            const ev = discarded ?? (await found(ctx));
            await checkVictim(ctx, ev, evidence?.sides.find((s) => s.side.host.name === c.victim.name)?.side.device.outOfSyncKiB, c, true);
          },
          action: async (ctx) => {
            const { keep, victim, copyTo } = chosen(ctx);
            ctx.note(`keeping ${keep.name}; ${victim.name} will discard its changes${copyTo ? ` after a copy to ${copyTo}` : " (no copy: --no-copy)"}`);
          },
        },
        {
          name: `Copy ${victimName}'s volume before anything is discarded`,
          hosts: () => [victimName],
          resumeCheck: async (ctx) => {
            const { victim, copyTo } = chosen(ctx);
            if (!copyTo) return;
            const size = hostByteCount((await ctx.probe(victim, splitBrainCommands.size(ctx.inventory.drbd.backingDisk))).stdout, `${victim.name}: size of the backing disk`);
            const copied = await ctx.probe(victim, splitBrainCommands.copySize(copyTo), { allowFailure: true });
            if (copied.code !== 0 || hostByteCount(copied.stdout, `${victim.name}: size of ${copyTo}`) !== size) {
              throw new UnsafeStateError(`${victim.name}: the copy ${copyTo} is missing or incomplete: resume from step 3`);
            }
          },
          action: async (ctx) => {
            const { victim, copyTo } = chosen(ctx);
            const { backingDisk } = ctx.inventory.drbd;
            if (!copyTo) {
              ctx.note(`no copy taken (--no-copy): ${victim.name}'s changes since the split will be overwritten`);
              return;
            }
            await ctx.run(victim, splitBrainCommands.copy(backingDisk, copyTo));
            if (!ctx.dryRun) ctx.report.copy = `${victim.name}:${copyTo} (raw image of ${backingDisk}; read it with mount -o ro,loop)`;
          },
          verify: async (ctx) => {
            const { victim, copyTo } = chosen(ctx);
            if (!copyTo) return;
            const size = hostByteCount((await ctx.probe(victim, splitBrainCommands.size(ctx.inventory.drbd.backingDisk))).stdout, `${victim.name}: size of the backing disk`);
            const copied = hostByteCount((await ctx.probe(victim, splitBrainCommands.copySize(copyTo))).stdout, `${victim.name}: size of ${copyTo}`);
            if (copied !== size) throw new Error(`${victim.name}: ${copyTo} has ${copied} bytes, the backing disk ${size}`);
          },
        },
        {
          name: `Discard ${victimName}'s changes: reconnect it as the sync target`,
          hosts: () => [victimName],
          destructive: true,
          resumeCheck: async (ctx) => {
            const problem = await victimReconnecting(ctx, chosen(ctx).victim);
            if (problem) throw new UnsafeStateError(`${problem}: its data was not discarded yet; resume from step 4`);
          },
          action: async (ctx) => {
            const { victim } = chosen(ctx);
            const { resource } = ctx.inventory.drbd;
            // Already StandAlone after a split brain, the disconnect has nothing to do: 8.4.11 answers exit 10
            // "unknown connection" (seen on the qemu guests), which is fine; the verification reads the state.
            await ctx.run(victim, splitBrainCommands.disconnect(resource), { allowFailure: true });
            await ctx.run(victim, splitBrainCommands.secondary(resource));
            await ctx.run(victim, splitBrainCommands.discard(resource));
          },
          verify: async (ctx) => {
            const problem = await victimReconnecting(ctx, chosen(ctx).victim);
            if (problem) throw new Error(`after connect --discard-my-data: ${problem}`);
          },
        },
        {
          name: `Reconnect ${keepName} and let it resync the other side`,
          hosts: () => [keepName],
          action: async (ctx) => {
            const { keep } = chosen(ctx);
            const side = await readDrbdSide(ctx, keep);
            if (side.device.connection === "StandAlone") await ctx.run(keep, splitBrainCommands.connect(ctx.inventory.drbd.resource));
            else ctx.note(`${keep.name} is ${side.device.connection} already: it waits for its peer`);
          },
          verify: async (ctx) => {
            const { keep, victim } = chosen(ctx);
            const t0 = Date.now();
            for (;;) {
              const [k, v] = [await readDrbdSide(ctx, keep), await readDrbdSide(ctx, victim)];
              const syncing = ["SyncSource", "Connected", "PausedSyncS"].includes(k.device.connection) && ["SyncTarget", "Connected", "PausedSyncT"].includes(v.device.connection);
              if (syncing) {
                ctx.report.resync = k.device.connection === "Connected" ? "done" : `${k.device.syncedPercent ?? 0}% (${k.device.outOfSyncKiB ?? "?"} KiB to go); storage-status shows the progress`;
                return;
              }
              if (k.device.connection === "StandAlone" && Date.now() - t0 > timing.pollMs) {
                throw new Error(`${keep.name} dropped the connection again (StandAlone): see the kernel log on both sides; DRBD may have found a split brain again`);
              }
              if (Date.now() - t0 > timing.timeoutMs) throw new Error(`no resync after ${Math.round(timing.timeoutMs / 1000)} s (${keep.name} ${k.device.connection}, ${victim.name} ${v.device.connection})`);
              await sleep(timing.pollMs);
            }
          },
        },
      ];
    },
  };
}

export const storageSplitBrain = makeStorageSplitBrain({ timeoutMs: 60_000, pollMs: 2_000 });
