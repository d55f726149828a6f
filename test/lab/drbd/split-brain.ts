// A real DRBD 8.4 split brain on two qemu guests, for the storage-split-brain runbook's test: the rendered
// resource file, the initial sync and a file system on s3-1; then both sides disconnect, s3-2 is forced
// Primary (DRBD's resource fencing outdated it, so a plain promotion is refused: the operator's --force is
// what makes a split brain), both write, s3-2 steps back to Secondary keeping its changes, and both reconnect:
// the kernel finds the split brain and drops the connection (StandAlone on both).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderDrbdResource } from "../../../components/storage/render-drbd-resource";
import { GUEST_PLAN } from "./failover-drill";
import { freePort, Guest, listening, requireGuestImage } from "./guest";

export const RES = GUEST_PLAN.name;

export interface SplitBrainPair {
  guests: Guest[];
  /** KiB each side wrote after the split (what the runbook reports as changed). */
  wroteKiB: { "s3-1": number; "s3-2": number };
  /** Stops both guests and removes the run's directory. */
  stop(): Promise<void>;
}

/**
 * Stand-ins for what the busybox guests lack (no systemd, no util-linux findmnt): MinIO is no unit there, and
 * findmnt answers from /proc/mounts with findmnt's exit codes (0 mounted, 1 not).
 */
const STAND_INS = [
  `printf '#!/bin/sh\\necho inactive\\nexit 3\\n' > /bin/systemctl && chmod +x /bin/systemctl`,
  `printf '#!/bin/sh\\nline=$(grep "^$3 " /proc/mounts) || exit 1\\necho "$line" | cut -d" " -f2\\n' > /bin/findmnt && chmod +x /bin/findmnt`,
];

export async function makeSplitBrain(onPhase?: (name: string) => void): Promise<SplitBrainPair> {
  const image = requireGuestImage();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-drbd-split-brain-"));
  const files = { [`/etc/drbd.d/${RES}.res`]: renderDrbdResource(GUEST_PLAN) };
  const guests: Guest[] = [];
  const stop = async (): Promise<void> => {
    for (const g of guests) await g.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const [p1, p2] = GUEST_PLAN.peers;
    const a = new Guest({ image, dir, hostName: p1.vm, address: `${p1.storageAddress}/24`, mac: "52:54:00:12:0e:01", net: { mode: "listen", port }, diskMiB: 48, files });
    guests.push(a);
    for (let i = 0; !listening(port); i++) {
      if (i > 300 || !a.alive) throw new Error(`qemu of ${p1.vm} does not listen on 127.0.0.1:${port}\n${a.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const b = new Guest({ image, dir, hostName: p2.vm, address: `${p2.storageAddress}/24`, mac: "52:54:00:12:0e:02", net: { mode: "connect", port }, diskMiB: 48, files });
    guests.push(b);
    for (const g of guests) await g.waitFor(/@@READY (\S+) version: 8\.4\.11 /, 240_000);
    for (const g of guests) {
      await g.must(`drbdadm create-md --force ${RES} >/dev/null 2>&1 || drbdadm create-md --force ${RES}`);
      await g.must(`drbdadm up ${RES}`);
      for (const line of STAND_INS) await g.must(line);
    }
    for (const g of guests) await g.must(`until [ "$(drbdadm cstate ${RES})" = Connected ]; do usleep 100000; done`, 120_000);
    await a.must(`drbdadm primary --force ${RES}`);
    await a.must(`until [ "$(drbdadm dstate ${RES})" = UpToDate/UpToDate ]; do usleep 200000; done`, 240_000);
    await a.must("mkfs.ext4 -q -F /dev/drbd0 && mkdir -p /mnt/data && mount /dev/drbd0 /mnt/data && echo base > /mnt/data/base && sync", 120_000);
    onPhase?.("boot, initial sync, file system on s3-1");
    for (const g of guests) await g.must(`drbdadm disconnect ${RES}`);
    // s3-2's fence-peer stand-in answers at once (the peer is reachable, it just does not replicate).
    await b.must("touch /run/ibac-fence-confirmed");
    const plain = await b.run(`drbdadm primary ${RES}`, 60_000);
    if (plain.status === 0) throw new Error(`s3-2 became Primary without --force: DRBD's resource fencing did not outdate it\n${plain.output}`);
    await b.must(`drbdadm primary --force ${RES}`, 60_000);
    const wroteKiB = { "s3-1": 8000, "s3-2": 300 };
    await b.must(`mkdir -p /mnt/data && mount /dev/drbd0 /mnt/data && dd if=/dev/urandom of=/mnt/data/from-s3-2 bs=1k count=${wroteKiB["s3-2"]} status=none && sync`, 60_000);
    await a.must(`dd if=/dev/urandom of=/mnt/data/from-s3-1 bs=1k count=${wroteKiB["s3-1"]} status=none && sync`, 60_000);
    await b.must(`umount /mnt/data && drbdadm secondary ${RES}`);
    for (const g of guests) await g.must(`drbdadm connect ${RES}`);
    for (const g of guests) await g.must(`i=0; until [ "$(drbdadm cstate ${RES})" = StandAlone ]; do i=$((i+1)); [ $i -gt 300 ] && exit 1; usleep 100000; done`, 60_000);
    onPhase?.("split brain: both wrote, reconnected, both StandAlone");
    return { guests, wroteKiB, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** md5 of the first 32 MiB of a guest's backing disk (the file system's region, below DRBD's meta data). */
export async function fileSystemRegionDigest(g: Guest): Promise<string> {
  const r = await g.must("dd if=/dev/disk/by-id/virtio-ibac-data bs=1M count=32 status=none | md5sum");
  const digest = /\b([0-9a-f]{32})\b/.exec(r.output)?.[1];
  if (!digest) throw new Error(`${g.hostName}: no md5 in ${JSON.stringify(r.output)}`);
  return digest;
}
