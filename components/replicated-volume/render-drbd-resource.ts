import type { DrbdResourcePlan, ReplicatedPeer } from "./plan";

// DRBD 8.4 syntax: Debian builds drbd.ko 8.4.11 in-tree and has no DRBD 9 module, so the file is read by
// drbdadm's 8.4 flavour (/usr/lib/drbd/drbdadm-84). 9-only keys (quorum, connection-mesh, node-id) are refused there.

/** The handlers Pacemaker's DRBD integration ships with drbd-utils (the paths are Debian's). */
export const DRBD_FENCE_PEER_HANDLER = "/usr/lib/drbd/crm-fence-peer.sh";
export const DRBD_UNFENCE_PEER_HANDLER = "/usr/lib/drbd/crm-unfence-peer.sh";
export const DRBD_SPLIT_BRAIN_HANDLER = "/usr/lib/drbd/notify-split-brain.sh root";

const WHERE = "DRBD resource plan";

function refuse(field: string, expected: string, found: unknown): never {
  // JSON.stringify escapes line breaks and control characters: a hostile value cannot reach a terminal raw.
  throw new Error(`${WHERE}: ${field}: expected ${expected}, found ${found === undefined ? "nothing" : JSON.stringify(found)}`);
}

const RESOURCE_NAME = /^[a-z][a-z0-9-]{0,31}$/;
// A host name label as `uname -n` returns it; DRBD compares the `on` name with it literally.
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
// A block device path: no spaces, quotes, semicolons or braces (the file's own syntax), no `..` segment.
const DEVICE_PATH = /^\/dev\/[A-Za-z0-9._:+-]+(?:\/[A-Za-z0-9._:+-]+)*$/;
// drbd 8.4 minors are below 2^20.
const MAX_MINOR = (1 << 20) - 1;

function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) refuse(field, `an integer from ${min} to ${max}`, value);
  return value;
}

function checkPattern(field: string, value: unknown, pattern: RegExp, expected: string): string {
  if (typeof value !== "string" || !pattern.test(value)) refuse(field, expected, value);
  return value;
}

function checkPeer(peer: ReplicatedPeer, index: number): void {
  checkPattern(`peers[${index}].vm`, peer.vm, HOST_NAME, "a host name label such as s3-1 (lower-case letters, digits and inner hyphens)");
  checkPattern(`peers[${index}].storageAddress`, peer.storageAddress, IPV4, "an IPv4 address such as 10.20.3.11");
}

/** Checks every value the file takes from the plan; the spec loader validates first, this is defence in depth. */
export function validateDrbdResourcePlan(plan: DrbdResourcePlan): void {
  checkPattern("name", plan.name, RESOURCE_NAME, "a resource name such as ibac-s3 (a lower-case letter, then letters, digits or hyphens, at most 32)");
  checkInteger("port", plan.port, 1024, 65535);
  const minor = checkInteger("minor", plan.minor, 0, MAX_MINOR);
  if (plan.device !== `/dev/drbd${minor}`) refuse("device", `/dev/drbd${minor} (the device of minor ${minor})`, plan.device);
  checkPattern("backingDisk", plan.backingDisk, DEVICE_PATH, "a block device path below /dev such as /dev/disk/by-id/virtio-data");
  if (plan.backingDisk.split("/").some((segment) => segment === "." || segment === "..")) refuse("backingDisk", "a path without . or .. segments", plan.backingDisk);
  if (plan.protocol !== "C") refuse("protocol", '"C" (synchronous: the only protocol that loses no acknowledged write)', plan.protocol);
  if (!Array.isArray(plan.peers) || plan.peers.length !== 2) refuse("peers", "exactly two peers", Array.isArray(plan.peers) ? `${plan.peers.length} peers` : plan.peers);
  plan.peers.forEach(checkPeer);
  if (plan.peers[0].vm === plan.peers[1].vm) refuse("peers[1].vm", `a host name other than peers[0].vm`, plan.peers[1].vm);
  if (plan.peers[0].storageAddress === plan.peers[1].storageAddress) refuse("peers[1].storageAddress", "an address other than peers[0].storageAddress", plan.peers[1].storageAddress);
}

function onSection(plan: DrbdResourcePlan, peer: ReplicatedPeer): string {
  return `  on ${peer.vm} {
    device ${plan.device} minor ${plan.minor};
    disk ${plan.backingDisk};
    address ipv4 ${peer.storageAddress}:${plan.port};
    meta-disk internal;
  }`;
}

/** What the file's comments say the volume is, which flow opens its port, and which runbook settles a split brain. */
export interface DrbdResourceText {
  /** `the object store's volume`. */
  volume: string;
  /** The platform flow that opens the DRBD port between the peers: `object-store-drbd`. */
  flowId: string;
  /** `storage-split-brain`; absent for a volume no runbook is typed for yet (the operator settles it by hand). */
  splitBrainRunbook?: string;
}

/**
 * The resource file `/etc/drbd.d/<name>.res`, the same on both peers (each finds its own `on` section by
 * `uname -n`). It holds no secret: the file can be world-readable like the rest of /etc/drbd.d.
 */
export function renderReplicatedDrbdResource(plan: DrbdResourcePlan, text: DrbdResourceText): string {
  validateDrbdResourcePlan(plan);
  // Code's own words, not spec text; a line break would still end the comment and start configuration.
  for (const [field, value] of Object.entries(text)) {
    if (typeof value !== "string" || !/^[A-Za-z0-9' ._-]+$/.test(value)) refuse(`text.${field}`, "a few words for a comment (letters, digits, spaces, . _ - ')", value);
  }
  const [first, second] = plan.peers;
  return `# Rendered by the iBac toolkit; do not edit: the next deployment overwrites it.
# DRBD 8.4 resource ${plan.name}: ${text.volume}, replicated between ${first.vm} and ${second.vm}.
# Pacemaker (promotable ocf:linbit:drbd) decides which side is Primary; nothing here promotes by itself.
#
# No cram-hmac-alg/shared-secret: the peers authenticate by network, not by a secret in this file. The DRBD port
# is open on the storage network between these two addresses only (the platform firewall's ${text.flowId} flow),
# so the file stays free of secrets and needs no owner-only mode.
resource ${plan.name} {
  disk {
    # 8.4 keeps fencing in this section (DRBD 9 moved it to the net section). When the peer is lost, a Primary freezes I/O and a
    # promotion waits until fence-peer reports the peer outdated or shot: no two Primaries, no lost writes.
    fencing resource-and-stonith;
  }
  handlers {
    # Puts a constraint in the CIB that keeps the Promoted role off the peer until it has resynced.
    fence-peer "${DRBD_FENCE_PEER_HANDLER}";
    # Takes that constraint away once this side is UpToDate again.
    after-resync-target "${DRBD_UNFENCE_PEER_HANDLER}";
    # A split brain is reported to root by mail; ${text.splitBrainRunbook ? `the ${text.splitBrainRunbook} runbook settles it with the operator` : "the operator settles it by hand (docs/design.md, Backups)"}.
    split-brain "${DRBD_SPLIT_BRAIN_HANDLER}";
  }
  net {
    # Synchronous: a write is acknowledged once it is on both disks.
    protocol ${plan.protocol};
    # Split-brain recovery never discards data silently. With no Primary, the one side that wrote nothing since
    # the split is resynced from the other (nothing is lost); if both sides wrote, they stay disconnected.
    after-sb-0pri discard-zero-changes;
    # With one or two Primaries, picking a victim would throw away acknowledged writes: stay disconnected and
    # let the operator choose (${text.splitBrainRunbook ? `${text.splitBrainRunbook} keeps` : "nothing is discarded:"} both sides' data ${text.splitBrainRunbook ? "until then" : "stay as they are"}).
    after-sb-1pri disconnect;
    after-sb-2pri disconnect;
  }
${onSection(plan, first)}
${onSection(plan, second)}
}
`;
}
