// Proof on real DRBD: the storage runbooks, through the real engine, against a real DRBD 8.4.11 split brain on
// two qemu guests (test/lab/drbd: Debian's kernel and its in-tree module, the rendered resource file). The
// transport is the guests' serial consoles instead of SSH; the commands, their exit codes and output are the
// module's and drbd-utils'. Stand-ins: `systemctl` (MinIO is no unit in the guests) and `findmnt` (answers from
// /proc/mounts); there is no Pacemaker, so no side is Promoted and the run needs --keep-unpromoted.
//
// Shown: storage-status reads both sides StandAlone and calls it a split brain from their generations; storage-split-brain's report finds the split
// brain the kernel found (both sides changed data) and advises the side that changed more; `--keep s3-1
// --no-copy --keep-unpromoted --yes` disconnects, demotes and reconnects s3-2 with --discard-my-data and
// reconnects s3-1, and the resync starts; afterwards both backing disks hold the same file system, and the
// runbook, run again, stops with "no split brain". Unproven here: the same under Pacemaker (the Promoted role,
// crm-fence-peer.sh's constraint, fencing), with systemd's MinIO, and the --copy-to step (the guests' busybox
// df has no --output).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRunbook, type RunOutcome } from "../../playbooks/engine/run-runbook";
import { AuditLog } from "../../playbooks/engine/audit-log";
import type { StorageInventory } from "../../playbooks/storage/inventory";
import { makeStorageSplitBrain } from "../../playbooks/storage/storage-split-brain";
import { storageStatus } from "../../playbooks/storage/storage-status";
import { GUEST_PLAN } from "../lab/drbd/failover-drill";
import { GuestTransport } from "../lab/drbd/guest-transport";
import { fileSystemRegionDigest, makeSplitBrain, RES, type SplitBrainPair } from "../lab/drbd/split-brain";

const inventory: StorageInventory = {
  stack: "lab",
  drbd: { resource: RES, device: GUEST_PLAN.device, backingDisk: GUEST_PLAN.backingDisk },
  // Not probed: no service group runs without Pacemaker.
  service: { address: "192.0.2.30", serverName: "s3.lab.example", port: 9000, mountPoint: "/mnt/data" },
  hosts: GUEST_PLAN.peers.map((p) => ({ name: p.vm, address: p.storageAddress, ssh: { port: 22, user: "root", sudo: false } })),
};

describe("storage-split-brain on a real DRBD 8.4 split brain (two qemu guests, console transport)", () => {
  let pair: SplitBrainPair;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-split-brain-runbook-"));
  const runs: Record<string, { outcome: RunOutcome; lines: string[] }> = {};
  let digests: string[] = [];

  beforeAll(async () => {
    const started = performance.now();
    pair = await makeSplitBrain((name) => console.log(`storage-split-brain-runbook: ${((performance.now() - started) / 1000).toFixed(1)} s  ${name}`));
    const transport = new GuestTransport(new Map(pair.guests.map((g) => [g.hostName, g])));
    const run = async (key: string, runbook: typeof storageStatus, options: Record<string, string | boolean>): Promise<void> => {
      const lines: string[] = [];
      const outcome = await runRunbook({
        runbook, inventory, transport, options, dryRun: false, yes: true,
        audit: new AuditLog(path.join(dir, "audit.jsonl")), operator: "test", commandLine: `ibac runbook ${runbook.name} --stack lab`,
        say: (l) => lines.push(l),
      });
      runs[key] = { outcome, lines };
      console.log(`storage-split-brain-runbook: ${((performance.now() - started) / 1000).toFixed(1)} s  ${key}: ${outcome.status}`);
    };
    const splitBrain = makeStorageSplitBrain({ timeoutMs: 120_000, pollMs: 1_000 });
    await run("status", storageStatus, {});
    await run("report", splitBrain, {});
    await run("resolve", splitBrain, { keep: "s3-1", "no-copy": true, "keep-unpromoted": true });
    for (const g of pair.guests) await g.must(`until [ "$(drbdadm dstate ${RES})" = UpToDate/UpToDate ] && [ "$(drbdadm cstate ${RES})" = Connected ]; do usleep 200000; done`, 240_000);
    await run("again", splitBrain, {});
    await pair.guests[0].must("umount /mnt/data && sync");
    digests = await Promise.all(pair.guests.map((g) => fileSystemRegionDigest(g)));
    console.log(`storage-split-brain-runbook: ${((performance.now() - started) / 1000).toFixed(1)} s  in all`);
  }, 300_000);

  afterAll(async () => {
    await pair?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("storage-status: both sides StandAlone, a split brain by their generations, and down", () => {
    const { outcome, lines } = runs.status;
    expect(outcome.status).toBe("down");
    expect(lines.some((l) => /^ {6}s3-1: Primary, StandAlone, UpToDate\/Outdated, \d+ KiB out of sync$/.test(l)), lines.join("\n")).toBe(true);
    expect(lines.some((l) => /^ {6}s3-2: Secondary, StandAlone, UpToDate\/Outdated, \d+ KiB out of sync$/.test(l)), lines.join("\n")).toBe(true);
    expect(lines).toContain("    DOWN: split brain: neither side is connected and both changed data since they parted; storage-split-brain shows both sides and which to keep");
  });

  it("the report finds the split brain the kernel found and advises the side that changed more, changing nothing", () => {
    const { outcome, lines } = runs.report;
    expect(outcome.status, lines.join("\n")).toBe("completed");
    expect(outcome.commands.every((c) => c.kind === "probe")).toBe(true);
    expect(lines).toContain("    split brain on ibac-s3: each side changed data since they parted");
    expect(outcome.report.keep).toBe("s3-1");
    expect(outcome.report.why).toMatch(/^no side is Promoted; it changed more since the split \(\d+ KiB\)$/);
  });

  it("--keep s3-1: s3-2 discards its changes and resyncs from s3-1", () => {
    const { outcome, lines } = runs.resolve;
    expect(outcome.status, lines.join("\n")).toBe("completed");
    expect(outcome.commands.filter((c) => c.kind === "change").map((c) => `${c.host}: ${c.command}`)).toEqual([
      "s3-2: drbdadm disconnect ibac-s3", "s3-2: drbdadm secondary ibac-s3", "s3-2: drbdadm connect --discard-my-data ibac-s3", "s3-1: drbdadm connect ibac-s3",
    ]);
    expect(outcome.report.resync).toMatch(/^(done|[\d.]+% \(\d+ KiB to go\); storage-status shows the progress)$/);
  });

  it("afterwards both sides hold the same file system, and the runbook finds no split brain", () => {
    expect(digests[1]).toBe(digests[0]);
    expect(runs.again.outcome).toMatchObject({ status: "refused", reason: "no split brain: s3-1 is Connected, s3-2 is Connected with its peer, so DRBD replicates; storage-status shows the details" });
  });
});
