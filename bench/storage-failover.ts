// Storage failover drill: real DRBD 8.4 in two qemu guests (TCG), the resource file renderDrbdResource renders,
// a writer of fsynced numbered records on the Primary in place of MinIO (no MinIO binary can be had here),
// kill -9 of the Primary's qemu, the survivor promoted and mounted as Pacemaker would (test/lab/drbd). Every
// figure comes from this one run.
//
//   npm run bench:storage      (root; needs out/drbd-guest from scripts/build-drbd-guest.sh;
//                               IBAC_STORAGE_WRITE_SECONDS=N: how long the writer runs before the kill, default 10)
//
// Phases from the kill: detection (the survivor's DRBD leaves Connected: its ping-int, 10 s by default, bounds it),
// fence (the rendered fence-peer handler is called by the promotion; a stand-in for crm-fence-peer.sh waits for
// the harness, which plays STONITH and confirms once the killed qemu has exited — fence_pve's API call and
// Pacemaker's own node-loss detection are not in this figure), promote (drbdadm primary returns), mount (ext4
// journal replay). Lost: acknowledged records missing on the survivor (target 0). TCG is slow and this machine
// is shared: the absolute times are this machine's; the shares of the total say where the time goes.
import { runFailoverDrill } from "../test/lab/drbd/failover-drill";

const writeSeconds = Number(process.env.IBAC_STORAGE_WRITE_SECONDS ?? 10);
const DRBD_DEFAULT_PING_INT_MS = 10_000;

async function main(): Promise<void> {
  if (!Number.isInteger(writeSeconds) || writeSeconds < 1 || writeSeconds > 600) {
    console.error(`IBAC_STORAGE_WRITE_SECONDS: expected an integer from 1 to 600, found ${JSON.stringify(process.env.IBAC_STORAGE_WRITE_SECONDS)}`);
    process.exit(2);
  }
  const r = await runFailoverDrill({ writeSeconds });
  const f = r.failover;
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`.padStart(8);
  const share = (ms: number): string => `${((ms / f.totalMs) * 100).toFixed(1)}%`.padStart(6);
  const ratio = (n: number, of: number): string => (of === 0 ? "n/a" : `${((n / of) * 100).toFixed(2)}%`);
  console.log("Storage failover drill (2 qemu TCG guests, Debian kernel with DRBD 8.4.11, protocol C, fencing resource-and-stonith)");
  console.log("setup");
  for (const p of r.setup) console.log(`  ${s(p.ms)}  ${p.name}`);
  console.log("kill -9 of the Primary's qemu to promoted-and-mounted on the survivor");
  console.log(`  detection   ${s(f.detectionMs)}  ${share(f.detectionMs)}  survivor's DRBD left Connected (${r.stateAtLoss}); ${(f.detectionMs / DRBD_DEFAULT_PING_INT_MS).toFixed(2)}x DRBD's default ping-int`);
  console.log(`              DRBD said: ${r.lossReason || "(nothing in dmesg)"}`);
  console.log(`  fence       ${s(f.fenceMs)}  ${share(f.fenceMs)}  fence-peer handler called ${r.fenceHandlerCalled ? "yes" : "NO"} (after ${s(f.fenceRequestMs).trim()}); stand-in: harness confirms the killed qemu exited`);
  console.log(`  promote     ${s(f.promoteMs)}  ${share(f.promoteMs)}  drbdadm primary returned 0 ${r.promotionWaitedForFence ? "after" : "WITHOUT WAITING FOR"} the fence`);
  console.log(`  mount       ${s(f.mountMs)}  ${share(f.mountMs)}  mount of the ext4 volume (journal replay)`);
  console.log(`  total       ${s(f.totalMs)}  100.0%`);
  const unacked = r.present - r.acknowledged;
  console.log("writes");
  console.log(`  acknowledged before the kill         ${r.acknowledged} (${(r.acknowledged / writeSeconds).toFixed(1)} per second for ${writeSeconds} s)`);
  console.log(`  acknowledged and lost                ${r.lost.length} of ${r.acknowledged} = ${ratio(r.lost.length, r.acknowledged)} (target 0)`);
  console.log(`  on the survivor                      ${r.present} records, in order: ${r.contiguous ? "yes" : "NO"}; written but not yet acknowledged at the kill: ${unacked}`);
  console.log(`  fsck.ext4 -fn after the failover     exit ${r.fsckStatus}${r.fsckStatus === 0 ? " (clean)" : ""}`);
  if (r.lost.length > 0 || !r.contiguous || r.fsckStatus !== 0 || !r.promotionWaitedForFence) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
