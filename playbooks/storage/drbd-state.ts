import { UnsafeStateError } from "../engine/errors";

// DRBD 8.4's words for its states (drbd_strings.c of the 8.4 module Debian's kernels build in-tree). Every
// value read from a host is one of these or the read refuses: nothing else reaches a decision or a terminal.
export const CONNECTION_STATES = [
  "StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe", "NetworkFailure", "ProtocolError", "TearDown",
  "WFConnection", "WFReportParams", "Connected", "StartingSyncS", "StartingSyncT", "WFBitMapS", "WFBitMapT", "WFSyncUUID",
  "SyncSource", "SyncTarget", "VerifyS", "VerifyT", "PausedSyncS", "PausedSyncT", "Ahead", "Behind",
] as const;
export const ROLES = ["Primary", "Secondary", "Unknown"] as const;
export const DISK_STATES = ["Diskless", "Attaching", "Failed", "Negotiating", "Inconsistent", "Outdated", "DUnknown", "Consistent", "UpToDate"] as const;

export type ConnectionState = (typeof CONNECTION_STATES)[number];
export type Role = (typeof ROLES)[number];
export type DiskState = (typeof DISK_STATES)[number];

/** One minor of /proc/drbd. */
export interface DrbdDevice {
  minor: number;
  /** `Unconfigured` when the minor exists but nothing is attached or connected. */
  connection: ConnectionState | "Unconfigured";
  role?: Role;
  peerRole?: Role;
  disk?: DiskState;
  peerDisk?: DiskState;
  /** The wire protocol (A, B, C) while a connection is configured. */
  protocol?: "A" | "B" | "C";
  /** KiB this side knows to be out of sync with its peer (while disconnected: what it changed since). */
  outOfSyncKiB?: number;
  /** While syncing: the share done, in percent. */
  syncedPercent?: number;
}

/** /proc/drbd as DRBD 8.4 writes it. */
export interface ProcDrbd {
  /** `8.4.11`. */
  version: string;
  devices: DrbdDevice[];
}

function oneOf<T extends string>(values: readonly T[], value: string, where: string, what: string): T {
  const found = values.find((v) => v === value);
  if (found === undefined) throw new UnsafeStateError(`${where}: expected ${what} (one of ${values.join(", ")}), found ${JSON.stringify(value)}`);
  return found;
}

const DEVICE_LINE = /^ ?(\d{1,5}): cs:(\S+)(?: ro:(\S+)\/(\S+) ds:(\S+)\/(\S+) ([ABC ]) [rs][a-][p-][u-][a-zA-Z-][s-])?\s*$/;

/**
 * Parses /proc/drbd of DRBD 8.4 (drbd_proc.c): the version line, then per minor
 * ` 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----`, the counters line ending in
 * `oos:<KiB>`, and while syncing a progress line with `sync'ed: 12.4%`. Refuses DRBD 9's format (which has
 * no per-minor lines there) and anything it cannot read.
 */
export function parseProcDrbd(text: string, where: string): ProcDrbd {
  const lines = text.split("\n");
  const version = /^version: (8\.4\.\d{1,3})\b/.exec(lines[0] ?? "")?.[1];
  if (!version) throw new UnsafeStateError(`${where}: expected DRBD 8.4's /proc/drbd (first line "version: 8.4.x ..."), found ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
  const devices: DrbdDevice[] = [];
  for (const [n, line] of lines.entries()) {
    if (n === 0) continue;
    const device = DEVICE_LINE.exec(line);
    if (device) {
      const minor = Number(device[1]);
      const cs = device[2];
      if (cs === "Unconfigured") {
        devices.push({ minor, connection: "Unconfigured" });
        continue;
      }
      if (device[3] === undefined) throw new UnsafeStateError(`${where}: line ${n + 1}: expected "cs:... ro:.../... ds:.../...", found ${JSON.stringify(line.slice(0, 120))}`);
      const protocol = device[7] === " " ? undefined : (device[7] as "A" | "B" | "C");
      devices.push({
        minor,
        connection: oneOf(CONNECTION_STATES, cs, `${where}: minor ${minor} cs`, "a DRBD 8.4 connection state"),
        role: oneOf(ROLES, device[3], `${where}: minor ${minor} ro`, "a DRBD role"),
        peerRole: oneOf(ROLES, device[4] ?? "", `${where}: minor ${minor} ro (peer)`, "a DRBD role"),
        disk: oneOf(DISK_STATES, device[5] ?? "", `${where}: minor ${minor} ds`, "a DRBD disk state"),
        peerDisk: oneOf(DISK_STATES, device[6] ?? "", `${where}: minor ${minor} ds (peer)`, "a DRBD disk state"),
        ...(protocol ? { protocol } : {}),
      });
      continue;
    }
    const current = devices[devices.length - 1];
    const oos = /\soos:(\d{1,20})\s*$/.exec(line);
    if (current && /^\s+ns:\d+ /.test(line)) {
      if (!oos) throw new UnsafeStateError(`${where}: minor ${current.minor}: expected the counters line to end in oos:<KiB>, found ${JSON.stringify(line.slice(0, 160))}`);
      current.outOfSyncKiB = Number(oos[1]);
      continue;
    }
    const synced = /sync'ed:\s*(\d{1,3}(?:\.\d)?)%/.exec(line);
    if (current && synced) current.syncedPercent = Number(synced[1]);
  }
  return { version, devices };
}

/** The device of one minor (`/dev/drbd0` -> 0), or a refusal naming what /proc/drbd has. */
export function deviceOfMinor(proc: ProcDrbd, device: string, where: string): DrbdDevice {
  const minor = Number(/^\/dev\/drbd(\d+)$/.exec(device)?.[1]);
  const found = proc.devices.find((d) => d.minor === minor);
  if (!found) throw new UnsafeStateError(`${where}: /proc/drbd has no minor ${minor} (${device}); it lists ${proc.devices.map((d) => d.minor).join(", ") || "none"}: is the resource up (drbdadm up)?`);
  return found;
}

/**
 * `drbdadm role/cstate/dstate RES` of 8.4, printed one after the other: `Primary/Secondary`, `Connected`,
 * `UpToDate/UpToDate`. A cross-check of /proc/drbd by another path (drbdsetup's netlink answers).
 */
export interface DrbdadmState {
  role: Role;
  peerRole: Role;
  connection: ConnectionState;
  disk: DiskState;
  peerDisk: DiskState;
}

export function parseDrbdadmState(text: string, where: string): DrbdadmState {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines.length !== 3) throw new UnsafeStateError(`${where}: expected three lines (role, cstate, dstate), found ${lines.length}`);
  const [roles, cstate, dstates] = lines;
  const [role, peerRole] = roles.split("/");
  const [disk, peerDisk] = dstates.split("/");
  return {
    role: oneOf(ROLES, role, `${where}: role`, "a DRBD role"),
    peerRole: oneOf(ROLES, peerRole ?? "", `${where}: role (peer)`, "a DRBD role"),
    connection: oneOf(CONNECTION_STATES, cstate, `${where}: cstate`, "a DRBD 8.4 connection state"),
    disk: oneOf(DISK_STATES, disk, `${where}: dstate`, "a DRBD disk state"),
    peerDisk: oneOf(DISK_STATES, peerDisk ?? "", `${where}: dstate (peer)`, "a DRBD disk state"),
  };
}

/** Where /proc/drbd and drbdadm disagree about a device (they read the same kernel state by two paths). */
export function stateDisagreement(proc: DrbdDevice, adm: DrbdadmState): string | undefined {
  const pairs: [string, string | undefined, string][] = [
    ["role", proc.role, adm.role], ["peer role", proc.peerRole, adm.peerRole], ["connection", proc.connection, adm.connection],
    ["disk", proc.disk, adm.disk], ["peer disk", proc.peerDisk, adm.peerDisk],
  ];
  const differ = pairs.filter(([, a, b]) => a !== b).map(([what, a, b]) => `${what} ${a ?? "none"} in /proc/drbd, ${b} from drbdadm`);
  return differ.length ? differ.join("; ") : undefined;
}

/** The data generation identifiers of one side (`drbdadm get-gi RES` of 8.4). */
export interface GenerationIds {
  current: string;
  bitmap: string;
  history: [string, string];
  /** The flags after the UUIDs: consistent, was up to date, primary, connected, full sync, peer outdated[, crashed primary]. */
  flags: { consistent: boolean; wasUpToDate: boolean; primary: boolean; connected: boolean };
}

/** Parses `drbdadm get-gi` (8.4): `CURRENT:BITMAP:HISTORY1:HISTORY2:` then 5 to 7 flags, each 0 or 1. */
export function parseGenerationIds(text: string, where: string): GenerationIds {
  const line = text.trim();
  const m = /^([0-9A-F]{16}):([0-9A-F]{16}):([0-9A-F]{16}):([0-9A-F]{16}):([01](?::[01]){4,6})$/.exec(line);
  if (!m) throw new UnsafeStateError(`${where}: expected DRBD 8.4 generation identifiers (four 16-digit hex UUIDs and 5 to 7 flags, colon-separated), found ${JSON.stringify(line.slice(0, 120))}`);
  const flags = m[5].split(":").map((f) => f === "1");
  return { current: m[1], bitmap: m[2], history: [m[3], m[4]], flags: { consistent: flags[0], wasUpToDate: flags[1], primary: flags[2], connected: flags[3] } };
}

/** How two sides' data relate, as DRBD 8.4's drbd_uuid_compare decides it at connect time. */
export type DataRelation = "same" | "first-ahead" | "second-ahead" | "diverged" | "unrelated";

// The lowest bit of a UUID is a flag (it says the node was primary), not part of the identity.
const identity = (uuid: string): bigint => BigInt(`0x${uuid}`) & ~1n;
/** The current UUID of a device whose meta data was just created (UUID_JUST_CREATED). */
const JUST_CREATED = 4n;

/**
 * DRBD 8.4's drbd_uuid_compare (drbd_receiver.c), its rule numbers in the comments, on the generations
 * `drbdadm get-gi` shows, as `first` would see `second` when they connect. Left out: the corrections for a
 * resync whose last packet was lost (rules 34-37, 51, 71), which need the kernel's in-memory flags; they
 * decide between "ahead" answers, never for or against a split brain. `diverged` is DRBD's split brain
 * (rule 90: the same non-zero bitmap base; rule 100: a shared history generation): both sides changed data
 * since they parted. The fixtures of the tests include the generations of a real split brain of the 8.4.11
 * module, which the kernel found by rule 100.
 */
export function compareGenerations(first: GenerationIds, second: GenerationIds): DataRelation {
  const self = { current: identity(first.current), bitmap: identity(first.bitmap), history: first.history.map(identity) };
  const peer = { current: identity(second.current), bitmap: identity(second.bitmap), history: second.history.map(identity) };
  if (self.current === JUST_CREATED && peer.current === JUST_CREATED) return "same"; // rule 10
  if ((self.current === JUST_CREATED || self.current === 0n) && peer.current !== JUST_CREATED) return "second-ahead"; // rule 20
  if (self.current !== JUST_CREATED && (peer.current === JUST_CREATED || peer.current === 0n)) return "first-ahead"; // rule 30
  if (self.current === peer.current) return "same"; // rule 40
  if (peer.bitmap === self.current) return "second-ahead"; // rule 50
  if (peer.history.includes(self.current)) return "second-ahead"; // rule 60
  if (self.bitmap === peer.current) return "first-ahead"; // rule 70
  if (self.history.includes(peer.current)) return "first-ahead"; // rule 80
  if (self.bitmap === peer.bitmap && self.bitmap !== 0n) return "diverged"; // rule 90
  if (self.history.some((h) => peer.history.includes(h))) return "diverged"; // rule 100
  return "unrelated";
}

/** The kernel's last word on a split brain of this resource, from the journal (time and which message). */
export interface SplitBrainLogLine {
  time: string;
  /** `unresolved`: the connection was dropped (manual recovery needed); `solved`: an after-sb policy resolved it. */
  outcome: "unresolved" | "solved";
}

/**
 * The last `Split-Brain detected` kernel line for the resource (or its minor) in `journalctl -k -o short-iso` output.
 * Only the time and the fixed outcome are kept: the rest of a log line is host text and stays out.
 */
export function lastSplitBrainLine(text: string, resource: string, minor: number): SplitBrainLogLine | undefined {
  let found: SplitBrainLogLine | undefined;
  for (const line of text.split("\n")) {
    // 8.4 logs it per device (`block drbd0: `); other builds name the resource (`drbd ibac-s3/0 drbd0: `).
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:?\d{2}|Z)) \S+ kernel: (?:block drbd(\d+)|drbd ([A-Za-z0-9_-]+)(?:\/\d+ drbd\d+)?): Split-Brain detected(.*)$/.exec(line);
    if (!m || (m[2] !== undefined && Number(m[2]) !== minor) || (m[3] !== undefined && m[3] !== resource)) continue;
    found = { time: m[1], outcome: /unresolved/.test(m[4]) ? "unresolved" : "solved" };
  }
  return found;
}

/**
 * The ext4 superblock's `Last write time` from `dumpe2fs -h` (read from the backing disk, which a Secondary
 * can still read): when the file system's superblock was last written (mount, unmount, journal commits of
 * the superblock), an upper bound of the side's last activity, not the time of its last object write.
 */
export function lastWriteTime(dumpe2fs: string): string | undefined {
  const m = /^Last write time:\s+([A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4})\s*$/m.exec(dumpe2fs);
  return m?.[1];
}
