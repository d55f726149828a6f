// The DRBD failover drill on two qemu guests, shared by test/integration/storage-drbd-failover.test.ts and
// bench/storage-failover.ts. Each guest runs Debian's kernel with its in-tree DRBD 8.4.11 and loads the file
// renderDrbdResource renders; a writer on the Primary appends numbered 64-byte records, each fsynced before it
// prints the record's number as acknowledged (it stands in for MinIO: no MinIO binary can be had here). Then
// the Primary's qemu is killed with SIGKILL and the survivor is promoted the way Pacemaker would do it:
//   detection  the survivor's DRBD notices the peer is gone (its connection leaves Connected);
//   fence      `drbdadm primary` makes the kernel call the rendered fence-peer handler. There is no CIB in the
//              guest, so crm-fence-peer.sh is a stand-in that asks the harness, and the harness acts as STONITH:
//              it answers only once the killed peer's qemu process has exited (a fence_pve "off" in production);
//   promote    the survivor becomes Primary (exit 7 "peer was stonithed" lets the kernel outdate the peer);
//   mount      the Filesystem resource's step: mount replays the ext4 journal.
// Then every acknowledged record is looked for on the survivor and the file system is checked with fsck -fn.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { renderDrbdResource } from "../../../components/storage/render-drbd-resource";
import type { DrbdResourcePlan, StoragePeer } from "../../../components/storage/storage-plan";
import { freePort, Guest, listening, requireGuestImage } from "./guest";

/** Addresses from TEST-NET-1 (RFC 5737): they exist only inside the guests and are never routed anywhere. */
function guestPeer(vm: string, nodeId: number): StoragePeer {
  return {
    vm,
    nodeId,
    proxmoxNode: `lab-pve-${nodeId}`,
    proxmoxNodeAddress: `192.0.2.${100 + nodeId}`,
    vmId: 9000 + nodeId,
    storageAddress: `192.0.2.${10 + nodeId}`,
    serviceAddress: `192.0.2.${20 + nodeId}`,
  };
}

/** The plan the guests run: production's names (s3-1, s3-2, ibac-s3, the by-id disk), guest-only addresses. */
export const GUEST_PLAN: DrbdResourcePlan = {
  name: "ibac-s3",
  port: 7789,
  minor: 0,
  device: "/dev/drbd0",
  backingDisk: "/dev/disk/by-id/virtio-ibac-data",
  protocol: "C",
  peers: [guestPeer("s3-1", 1), guestPeer("s3-2", 2)],
};

export interface DrillOptions {
  /** How long the writer runs before the kill. */
  writeSeconds?: number;
  diskMiB?: number;
  /** Called with each phase as it ends, for progress lines. */
  onPhase?: (name: string, ms: number) => void;
}

export interface FailoverPhases {
  /** kill -9 to the survivor's DRBD leaving Connected. */
  detectionMs: number;
  /** `drbdadm primary` to the fence-peer handler's request, then to the harness's confirmation (peer's qemu gone). */
  fenceRequestMs: number;
  fenceMs: number;
  /** Fence confirmed to Primary. */
  promoteMs: number;
  mountMs: number;
  /** kill -9 to promoted and mounted. */
  totalMs: number;
}

export interface DrillResult {
  setup: { name: string; ms: number }[];
  failover: FailoverPhases;
  /** Sequence numbers the writer acknowledged (fsync returned) and the harness read before the kill took effect. */
  acknowledged: number;
  /** Records on the survivor after the failover (acknowledged ones plus any written but not yet acknowledged). */
  present: number;
  lost: number[];
  /** The records on the survivor are exactly 1..present in order. */
  contiguous: boolean;
  fenceHandlerCalled: boolean;
  /** The handler's request, the harness's confirmation and the promotion's result came in that order. */
  promotionWaitedForFence: boolean;
  /** The survivor's DRBD state when it noticed the loss (cstate, then own/peer disk state). */
  stateAtLoss: string;
  /** The survivor's kernel lines about the loss (why DRBD dropped the connection). */
  lossReason: string;
  fsckStatus: number;
  fsckOutput: string;
  killedBy: string | null;
  consoleLogs: string[];
}

const RES = GUEST_PLAN.name;
const cstateIs = (state: string): string => `[ "$(drbdadm cstate ${RES})" = ${state} ]`;

/** Runs the whole drill once; the guests and the run's directory are gone when it returns or throws. */
export async function runFailoverDrill(options: DrillOptions = {}): Promise<DrillResult> {
  const image = requireGuestImage();
  const writeSeconds = options.writeSeconds ?? 8;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-drbd-lab-"));
  const resourceFile = renderDrbdResource(GUEST_PLAN);
  const files = { [`/etc/drbd.d/${RES}.res`]: resourceFile };
  const setup: { name: string; ms: number }[] = [];
  let mark = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    setup.push({ name, ms: now - mark });
    options.onPhase?.(name, now - mark);
    mark = now;
  };
  const guests: Guest[] = [];
  try {
    const port = await freePort();
    const [p1, p2] = GUEST_PLAN.peers;
    const primary = new Guest({ image, dir, hostName: p1.vm, address: `${p1.storageAddress}/24`, mac: "52:54:00:12:0c:01",
      net: { mode: "listen", port }, diskMiB: options.diskMiB ?? 48, files });
    guests.push(primary);
    for (let i = 0; !listening(port); i++) {
      if (i > 300 || !primary.alive) throw new Error(`qemu of ${p1.vm} does not listen on 127.0.0.1:${port}\n${primary.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const survivor = new Guest({ image, dir, hostName: p2.vm, address: `${p2.storageAddress}/24`, mac: "52:54:00:12:0c:02",
      net: { mode: "connect", port }, diskMiB: options.diskMiB ?? 48, files });
    guests.push(survivor);
    for (const g of guests) {
      const ready = await g.waitFor(/@@READY (\S+) version: (\S+) /, 150_000);
      if (ready.match[1] !== g.hostName || ready.match[2] !== "8.4.11") throw new Error(`${g.hostName}: booted as ${ready.match[1]} with DRBD ${ready.match[2]}`);
    }
    phase("boot both guests (Debian kernel, drbd.ko 8.4.11)");

    for (const g of guests) {
      await g.must(`drbdadm create-md --force ${RES} >/dev/null 2>&1 || drbdadm create-md --force ${RES}`);
      await g.must(`drbdadm up ${RES}`);
    }
    for (const g of guests) await g.must(`i=0; until ${cstateIs("Connected")}; do i=$((i+1)); [ $i -gt 600 ] && exit 1; usleep 100000; done`, 90_000);
    phase("create-md, up, connect");

    await primary.must(`drbdadm primary --force ${RES}`);
    await primary.must(`until [ "$(drbdadm dstate ${RES})" = UpToDate/UpToDate ]; do usleep 200000; done`, 180_000);
    phase("initial sync (primary --force on s3-1)");

    await primary.must("mkfs.ext4 -q -F /dev/drbd0 && mkdir -p /mnt/data && mount /dev/drbd0 /mnt/data", 120_000);
    phase("mkfs.ext4 and mount on the Primary");

    // The writer: one record per dd, opened O_APPEND and fsynced (conv=fsync) before its number is printed.
    const ackFrom = primary.output.length;
    await primary.background(
      'i=0; while :; do i=$((i+1)); printf "rec %08d %-50s\\n" "$i" "$(hostname)" | dd of=/mnt/data/records oflag=append conv=notrunc,fsync status=none 2>/dev/null || { echo "@@WRITE-FAILED $i"; break; }; echo "@@ACK $i"; done');
    await primary.waitFor(/@@ACK 1\r?\n/, 60_000, ackFrom);
    await new Promise((r) => setTimeout(r, writeSeconds * 1000));
    // The survivor watches its own connection state from before the kill, so detection is timed in the guest's loop.
    // It reads /proc/drbd (no drbdadm per poll: cheaper under TCG, and a failed drbdadm cannot end the loop early).
    const survivorFrom = survivor.output.length;
    await survivor.background(`while grep -q ' cs:Connected ' /proc/drbd; do usleep 50000; done; echo "@@PEER-LOST $(drbdadm cstate ${RES}) $(drbdadm dstate ${RES})"`);
    phase(`writes for ${writeSeconds} s`);

    const killedAt = performance.now();
    const killed = await primary.kill9();
    const acks = new Set<number>();
    for (const m of primary.output.slice(ackFrom).matchAll(/@@ACK (\d+)\r?\n/g)) acks.add(Number(m[1]));
    if (/@@WRITE-FAILED/.test(primary.output.slice(ackFrom))) throw new Error(`the writer failed before the kill\n${primary.tail()}`);

    const lostPeer = await survivor.waitFor(/@@PEER-LOST (\S+) (\S+)\r?\n/, 120_000, survivorFrom);
    if (lostPeer.atMs < killedAt) throw new Error(`${p2.vm} reported its peer lost before the kill (${lostPeer.match[0].trim()})\n${survivor.tail()}`);
    const promoteFrom = survivor.output.length;
    const promoteAt = performance.now();
    await survivor.background(`drbdadm primary ${RES}; echo "@@PRIMARY-RC $?"`);
    const fenceRequest = await survivor.waitFor(/@@FENCE-REQUEST|@@PRIMARY-RC \d+\r?\n/, 60_000, promoteFrom);
    const fenceHandlerCalled = fenceRequest.match[0].startsWith("@@FENCE-REQUEST");
    let fencedAt = fenceRequest.atMs;
    let fenceDoneIndex = -1;
    if (fenceHandlerCalled) {
      // STONITH's part: the peer's qemu has exited (kill9 resolved on its exit event) before the fence is confirmed.
      if (primary.alive) throw new Error("the killed peer still runs: no fence confirmation");
      fencedAt = performance.now();
      const confirmFrom = survivor.output.length;
      await survivor.must("touch /run/ibac-fence-confirmed");
      fenceDoneIndex = (await survivor.waitFor(/@@FENCE-DONE/, 30_000, confirmFrom)).match.index;
    }
    const promoted = await survivor.waitFor(/@@PRIMARY-RC (\d+)\r?\n/, 60_000, promoteFrom);
    // The promotion waited for the fence: its result comes after the handler's answer, which came after the confirmation.
    const promotionWaitedForFence = fenceHandlerCalled && fenceRequest.match.index < fenceDoneIndex && fenceDoneIndex < promoted.match.index;
    if (promoted.match[1] !== "0") throw new Error(`drbdadm primary exited ${promoted.match[1]}\n${survivor.tail()}`);
    const mounted = await survivor.must("mkdir -p /mnt/data && mount /dev/drbd0 /mnt/data", 60_000);
    const failover: FailoverPhases = {
      detectionMs: lostPeer.atMs - killedAt,
      fenceRequestMs: fenceRequest.atMs - promoteAt,
      fenceMs: fencedAt - promoteAt,
      promoteMs: promoted.atMs - fencedAt,
      mountMs: mounted.atMs - promoted.atMs,
      totalMs: mounted.atMs - killedAt,
    };
    phase("failover: kill -9 to promoted and mounted");

    const listing = await survivor.must("echo @@RECORDS-BEGIN; cut -c5-12 /mnt/data/records; echo @@RECORDS-END", 120_000);
    const block = /@@RECORDS-BEGIN\r?\n([\s\S]*?)@@RECORDS-END/.exec(listing.output);
    if (!block) throw new Error(`no record listing from the survivor\n${survivor.tail()}`);
    const numbers = block[1].split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map(Number);
    const present = new Set(numbers);
    const lost = [...acks].filter((n) => !present.has(n)).sort((a, b) => a - b);
    const contiguous = numbers.every((n, i) => n === i + 1);
    // DRBD's own account of the loss, for the report (kernel lines; control characters dropped before printing).
    const kernel = await survivor.run(`dmesg | grep -E 'drbd ${RES}: (PingAck|.*timed out|.*conn\\( Connected -> )' | head -3`);
    const lossReason = kernel.output.split(/\r?\n/).map((l) => l.replace(/[^\x20-\x7e]/g, "").replace(/^\[\s*[\d.]+\]\s*/, "").trim()).filter(Boolean).join("; ");
    await survivor.must("umount /mnt/data");
    const fsck = await survivor.run("fsck.ext4 -fn /dev/drbd0", 120_000);
    phase("verify records, umount, fsck -fn");

    return {
      setup, failover, acknowledged: acks.size, present: numbers.length, lost, contiguous, fenceHandlerCalled, promotionWaitedForFence,
      stateAtLoss: `${lostPeer.match[1]} ${lostPeer.match[2]}`, lossReason,
      fsckStatus: fsck.status, fsckOutput: fsck.output, killedBy: killed.signal, consoleLogs: guests.map((g) => g.consoleLog),
    };
  } finally {
    for (const g of guests) await g.stop();
    // IBAC_KEEP_LAB=1 keeps the consoles and disks for a post-mortem.
    if (process.env.IBAC_KEEP_LAB === "1") console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}
