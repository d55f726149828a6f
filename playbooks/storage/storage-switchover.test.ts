import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runRunbook, type RunRunbookArgs } from "../engine/run-runbook";
import { AuditLog } from "../engine/audit-log";
import type { StorageInventory } from "./inventory";
import { makeStorageSwitchover } from "./storage-switchover";
import { healthyPair, StoragePair, storageInventory, type VmState } from "../../test/support/storage-pair";
import { testTempDir } from "../../test/support/test-temp-dir";

const runbook = makeStorageSwitchover({ timeoutMs: 300, pollMs: 20 });
const MOVE = "crm_resource --resource storage-drbd-clone --move --promoted --node s3-2";
const CLEAR = "crm_resource --resource storage-drbd-clone --clear";

// Engine-level: the real engine and runbook, a scripted transport. Unproven here: Pacemaker carrying out the
// move on a live pair (the scripted pair answers as crm_mon did after crm_simulate ran the same move).
describe("storage-switchover (engine, scripted pair)", () => {
  let lines: string[];
  let args: (pair: StoragePair, extra?: Partial<RunRunbookArgs<StorageInventory>>) => RunRunbookArgs<StorageInventory>;

  beforeEach(() => {
    const dir = testTempDir("ibac-storage-switchover-");
    lines = [];
    args = (pair, extra = {}) => ({
      runbook, inventory: storageInventory, transport: pair, options: { to: "s3-2" }, dryRun: false, yes: true,
      audit: new AuditLog(path.join(dir, "audit.jsonl")), operator: "tester", commandLine: "ibac runbook storage-switchover --stack lab --to s3-2 --yes",
      say: (line) => lines.push(line), ...extra,
    });
  });

  const changes = (pair: StoragePair): string[] => pair.ran.filter((r) => r.command.startsWith("crm_resource")).map((r) => `${r.host}: ${r.command}`);

  it("a dry run runs only probes and prints the move and the clear with their hosts", async () => {
    const pair = new StoragePair(healthyPair());
    const outcome = await runRunbook(args(pair, { dryRun: true, yes: false }));
    expect(outcome.status).toBe("dry-run");
    expect(changes(pair)).toEqual([]);
    expect(lines).toContain(`    would run on s3-1 (10.30.0.21): ${MOVE}`);
    expect(lines).toContain(`    would run on s3-2 (10.30.0.22): ${CLEAR}`);
    expect(outcome.commands.filter((c) => c.kind === "change").map((c) => `${c.host}: ${c.command}`)).toEqual([`s3-1: ${MOVE}`, `s3-2: ${CLEAR}`]);
  });

  it("moves the Promoted role, waits for the service on the target, then clears the constraint", async () => {
    const pair = new StoragePair(healthyPair());
    const outcome = await runRunbook(args(pair));
    expect(outcome.status, lines.join("\n")).toBe("completed");
    expect(changes(pair)).toEqual([`s3-1: ${MOVE}`, `s3-2: ${CLEAR}`]);
    expect(outcome.report.promoted).toBe("s3-2");
    expect(pair.constraints).toBe("healthy");
  });

  it("waits through crm_mon answers that fail while the roles change", async () => {
    const pair = new StoragePair(healthyPair());
    pair.flakyAfterMove = 2;
    const outcome = await runRunbook(args(pair));
    expect(outcome.status, lines.join("\n")).toBe("completed");
    // Step 1 once; step 2's first poll on both VMs (both fail), its second on s3-1; step 3's check once.
    expect(pair.ran.filter((r) => r.command === "crm_mon --one-shot --output-as=xml").map((r) => r.host)).toEqual(["s3-1", "s3-1", "s3-2", "s3-1", "s3-1"]);
  });

  it("--to defaults to the VM that is not Promoted", async () => {
    const pair = new StoragePair(healthyPair());
    expect((await runRunbook(args(pair, { options: {} }))).status).toBe("completed");
    expect(changes(pair)[0]).toBe(`s3-1: ${MOVE}`);
  });

  it("a move Pacemaker does not carry out fails after the timeout, naming the constraint left in place", async () => {
    const pair = new StoragePair(healthyPair());
    pair.ineffective.add(MOVE);
    const outcome = await runRunbook(args(pair));
    expect(outcome).toMatchObject({ status: "failed", stoppedAt: 2 });
    expect(outcome.reason).toBe("s3-2 does not run the service after 0 s (Promoted on s3-1, storage-service on s3-1, DRBD on s3-2 Secondary); the move constraint cli-prefer-storage-drbd-clone is still in place: see crm_mon, then resume, or remove it with `crm_resource --resource storage-drbd-clone --clear` to let Pacemaker decide");
    expect(lines).toContain("    Fix the cause, then resume with: ibac runbook storage-switchover --stack lab --to s3-2 --yes --from-step 2");
  });

  describe("refuses, nothing changed, when", () => {
    const refusal = async (mutate: (vms: Record<string, VmState>, pair: StoragePair) => void, options: Record<string, string> = { to: "s3-2" }): Promise<string | undefined> => {
      const vms = healthyPair();
      const pair = new StoragePair(vms);
      mutate(vms, pair);
      const outcome = await runRunbook(args(pair, { options }));
      expect(outcome.status).toBe("refused");
      expect(changes(pair)).toEqual([]);
      return outcome.reason;
    };

    it("the peers are not Connected", async () => {
      expect(await refusal((vms) => { vms["s3-2"].drbd = "wfConnectionSecondary"; vms["s3-1"].drbd = "wfConnectionPrimary"; }))
        .toBe("s3-1: DRBD ibac-s3 is WFConnection, not Connected: the peers do not replicate, and the other side may lack writes; see storage-status");
    });

    it("a resync is running", async () => {
      expect(await refusal((vms) => { vms["s3-1"].drbd = "syncSource"; vms["s3-2"].drbd = "syncTarget"; }))
        .toBe("s3-1: DRBD ibac-s3 is SyncSource, not Connected: the peers do not replicate, and the other side may lack writes; see storage-status");
    });

    it("the cluster has no quorum", async () => {
      expect(await refusal((vms) => { for (const v of Object.values(vms)) v.crmMon = "no-quorum"; }))
        .toBe("the storage cluster is not quorate (s3-1: no quorum; s3-2: no quorum): Pacemaker promotes nothing without quorum, and this runbook acts on nothing either");
    });

    it("there are failed actions", async () => {
      expect(await refusal((vms) => { for (const v of Object.values(vms)) v.crmMon = "minio-monitor-failed"; }))
        .toBe("failed actions in the cluster (storage-minio_monitor_30000 on s3-1): find out why, clear them with crm_resource --cleanup, then switch over");
    });

    it("the target is Promoted already", async () => {
      expect(await refusal(() => undefined, { to: "s3-1" })).toBe("s3-1 is already Promoted and runs storage-service: there is nothing to switch over");
    });

    it("a constraint from an earlier move is left", async () => {
      expect(await refusal((_, pair) => { pair.constraints = "moved-to-s3-2"; }))
        .toBe("move or ban constraints are left from an earlier move (cli-prefer-storage-drbd-clone): they would fight this one; remove them with `crm_resource --resource storage-drbd-clone --clear` once you know why they are there");
    });

    it("DRBD's fence handler's constraint outlived the resync", async () => {
      expect(await refusal((_, pair) => { pair.fencedFor = "s3-1"; }))
        .toBe("DRBD's fence handler still allows the Promoted role only on s3-1 (drbd-fence-by-handler-storage-drbd-clone), though both disks are UpToDate: crm-unfence-peer.sh did not remove it; remove it with `cibadmin --delete --xml-text '<rsc_location id=\"drbd-fence-by-handler-storage-drbd-clone\"/>'` once you know why, then switch over");
    });

    it("/proc/drbd and drbdadm disagree", async () => {
      expect(await refusal((vms) => { vms["s3-2"].adm = "standAloneSecondary"; }))
        .toBe("s3-2: /proc/drbd and drbdadm disagree about ibac-s3 (peer role Primary in /proc/drbd, Unknown from drbdadm; connection Connected in /proc/drbd, StandAlone from drbdadm; peer disk UpToDate in /proc/drbd, Outdated from drbdadm): the state is changing or misread; look again in a moment");
    });
  });

  it("an unknown --to is bad input before anything connects", async () => {
    const pair = new StoragePair(healthyPair());
    await expect(runRunbook(args(pair, { options: { to: "s3-9" } }))).rejects.toThrow('--to: expected one of s3-1, s3-2, found "s3-9"');
    expect(pair.ran).toEqual([]);
  });

  describe("--from-step", () => {
    it("3 after the move: the checks accept the new Promoted side and the run clears the constraint", async () => {
      const pair = new StoragePair(healthyPair());
      pair.constraints = "moved-to-s3-2";
      for (const v of Object.values(pair.vms)) v.crmMon = "moved-to-s3-2";
      pair.vms["s3-1"].drbd = "secondaryConnected";
      pair.vms["s3-2"].drbd = "primaryConnected";
      const outcome = await runRunbook(args(pair, { fromStep: 3 }));
      expect(outcome.status, lines.join("\n")).toBe("completed");
      expect(changes(pair)).toEqual([`s3-2: ${CLEAR}`]);
      expect(lines).toContain("[2/3] Move the Promoted role: checked again before resuming at step 3");
    });

    it("3 when the move had not happened refuses at step 2, nothing changed", async () => {
      const pair = new StoragePair(healthyPair());
      const outcome = await runRunbook(args(pair, { fromStep: 3 }));
      expect(outcome).toMatchObject({ status: "refused", stoppedAt: 2, reason: "the move to s3-2 has not finished (Promoted on s3-1, storage-service on s3-1, DRBD on s3-2 Secondary): resume from step 2" });
      expect(changes(pair)).toEqual([]);
    });
  });
});
