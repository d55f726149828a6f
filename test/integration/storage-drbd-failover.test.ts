// Proof on real DRBD: two qemu guests (TCG) with Debian bookworm's kernel (linux-image-amd64's current ABI,
// 6.1) and its in-tree DRBD 8.4.11, drbd-utils 9.22's 8.4 tools, built by scripts/build-drbd-guest.sh. Both load
// the resource file renderDrbdResource renders (peers s3-1 and s3-2, the guests' host names; addresses from
// TEST-NET-1 that exist only inside the guests; the link between them is qemu's `-netdev socket` on 127.0.0.1).
// Steps: create-md, up, initial sync (primary --force on s3-1), mkfs.ext4 and mount, a steady stream of
// acknowledged writes, kill -9 of s3-1's qemu by PID, then on s3-2: loss of the peer detected, promotion, mount,
// every acknowledged record present, fsck -fn clean. Each phase's time is printed.
//
// In place of MinIO (no MinIO binary can be had here) the Primary runs a writer of numbered 64-byte records:
// each is appended with O_APPEND and fsynced (busybox dd conv=fsync) before its number is printed as acknowledged,
// which is what the volume owes any service on it: data a program fsynced survives the loss of the Primary.
// Whether MinIO fsyncs everything before it answers a PUT is MinIO's part and is not shown here.
//
// Fencing: promoting with the peer unknown makes the kernel call the rendered fence-peer handler
// (/usr/lib/drbd/crm-fence-peer.sh). crm-fence-peer.sh cannot reach a CIB in the guest (no Pacemaker there), so
// the image puts a stand-in at that path: it asks the harness on the console, and the harness plays STONITH —
// it confirms only once the killed peer's qemu process has exited, and the handler then answers "peer was
// stonithed" (exit 7). The test asserts that the promotion waited for that answer.
//
// Left unproven here: Pacemaker driving the promotion live (corosync membership, the ocf:linbit:drbd agent, the
// CIB constraint crm-fence-peer.sh writes — the decisions are proven offline with crm_simulate); fence_pve
// against a real Proxmox API (the kill -9 stands for its "off"); MinIO's own behaviour on the volume (its
// metadata layout, its recovery after an unclean stop); and DRBD under production's timings and disks.
import { beforeAll, describe, expect, it } from "vitest";
import { runFailoverDrill, type DrillResult } from "../lab/drbd/failover-drill";

const WRITE_SECONDS = 8;

describe("DRBD 8.4 failover on two qemu guests with the rendered resource file (fsynced record writer in place of MinIO)", () => {
  let result: DrillResult;
  let wallMs = 0;

  beforeAll(async () => {
    const started = performance.now();
    result = await runFailoverDrill({
      writeSeconds: WRITE_SECONDS,
      onPhase: (name, ms) => console.log(`storage-drbd-failover: ${(ms / 1000).toFixed(1)} s  ${name}`),
    });
    wallMs = performance.now() - started;
    const f = result.failover;
    console.log(`storage-drbd-failover: failover ${(f.totalMs / 1000).toFixed(1)} s = detection ${(f.detectionMs / 1000).toFixed(1)} s` +
      ` + fence (stand-in) ${(f.fenceMs / 1000).toFixed(1)} s + promote ${(f.promoteMs / 1000).toFixed(1)} s + mount ${(f.mountMs / 1000).toFixed(1)} s;` +
      ` acknowledged ${result.acknowledged}, present ${result.present}, lost ${result.lost.length}; whole drill ${(wallMs / 1000).toFixed(1)} s`);
  }, 300_000);

  it("the primary's qemu was killed with SIGKILL, and the survivor saw its peer gone with its own disk UpToDate", () => {
    expect(result.killedBy).toBe("SIGKILL");
    expect(result.stateAtLoss).toMatch(/^(WFConnection|NetworkFailure|BrokenPipe|Timeout|Unconnected) UpToDate\/DUnknown$/);
  });

  it("the writer got a steady stream of acknowledgements before the kill", () => {
    expect(result.acknowledged).toBeGreaterThanOrEqual(10);
  });

  it("every acknowledged record is on the promoted survivor, in order (no acknowledged write lost)", () => {
    expect(result.lost).toEqual([]);
    expect(result.present).toBeGreaterThanOrEqual(result.acknowledged);
    expect(result.contiguous).toBe(true);
  });

  it("promotion called the rendered fence-peer handler and waited for the fence (stand-in for Pacemaker's STONITH)", () => {
    expect(result.fenceHandlerCalled).toBe(true);
    expect(result.promotionWaitedForFence).toBe(true);
  });

  it("the file system is clean after the failover (fsck.ext4 -fn exits 0)", () => {
    expect(result.fsckStatus, result.fsckOutput).toBe(0);
    expect(result.fsckOutput).toMatch(/Pass 5: Checking group summary information/);
  });

  it("the whole drill stays under 5 minutes here", () => {
    expect(wallMs).toBeLessThan(300_000);
  });
});
