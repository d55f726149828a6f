import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runRunbook, type RunRunbookArgs } from "../engine/run-runbook";
import { AuditLog } from "../engine/audit-log";
import type { StorageInventory } from "./inventory";
import { makeStorageSplitBrain } from "./storage-split-brain";
import { healthyPair, splitBrainPair, StoragePair, storageInventory, type VmState } from "../../test/support/storage-pair";
import { GET_GI } from "../../test/fixtures/storage/proc-drbd";
import { testTempDir } from "../../test/support/test-temp-dir";

const runbook = makeStorageSplitBrain({ timeoutMs: 300, pollMs: 20 });
const COPY = "umask 077 && dd if=/dev/vdb of=/var/tmp/ibac-s3-s3-2.img bs=4M conv=sparse,fsync status=none";
const RESOLVE = ["s3-2: drbdadm disconnect ibac-s3", "s3-2: drbdadm secondary ibac-s3", "s3-2: drbdadm connect --discard-my-data ibac-s3", "s3-1: drbdadm connect ibac-s3"];
const keepS3_1 = { keep: "s3-1", "copy-to": "/var/tmp/ibac-s3-s3-2.img" };

// Engine-level: the real engine and runbook, a scripted transport. Unproven here: DRBD 8.4's manual
// split-brain recovery on a live pair (the qemu guests of issue 12 item 4 can show it; not run by this test).
describe("storage-split-brain (engine, scripted pair)", () => {
  let lines: string[];
  let args: (pair: StoragePair, extra?: Partial<RunRunbookArgs<StorageInventory>>) => RunRunbookArgs<StorageInventory>;

  beforeEach(() => {
    const dir = testTempDir("ibac-storage-split-brain-");
    lines = [];
    args = (pair, extra = {}) => ({
      runbook, inventory: storageInventory, transport: pair, options: {}, dryRun: false, yes: true,
      audit: new AuditLog(path.join(dir, "audit.jsonl")), operator: "tester", commandLine: "ibac runbook storage-split-brain --stack lab",
      say: (line) => lines.push(line), ...extra,
    });
  });

  /** What the run changed (or, in a dry run, printed as changes), host first. */
  const changes = (pair: StoragePair): string[] => pair.ran.filter((r) => /^(drbdadm (disconnect|secondary|connect)|umask)/.test(r.command)).map((r) => `${r.host}: ${r.command}`);

  describe("without --keep: a report, probes only", () => {
    it("shows each side's role, generations, changes, last write, kernel line, and which to keep", async () => {
      const pair = new StoragePair(splitBrainPair());
      const outcome = await runRunbook(args(pair));
      expect(outcome.status, lines.join("\n")).toBe("completed");
      expect(outcome.commands.every((c) => c.kind === "probe")).toBe(true);
      expect(lines).toEqual(expect.arrayContaining([
        "    split brain on ibac-s3: each side changed data since they parted",
        "      s3-1: Primary, StandAlone, disk UpToDate; generation 6404BF38299C49E9 (bitmap base 68692695ED1636EB, history DFA02763775A5CF1 0000000000000004)",
        "        changed since the split: 3292 KiB; file system last written: Tue Dec  1 20:58:40 2026; kernel: Split-Brain detected (unresolved) at 2026-12-01T22:27:05+0000",
        "        Pacemaker: Promoted, runs storage-service",
        "      s3-2: Secondary, StandAlone, disk UpToDate; generation C75C6FD24A6D05C8 (bitmap base C1A6730041B9A79B, history DFA02763775A5CF0 0000000000000004)",
        "        changed since the split: 340 KiB; file system last written: Tue Dec  1 20:58:40 2026; kernel: Split-Brain detected (unresolved) at 2026-12-01T22:27:05+0000",
        "        Pacemaker: not Promoted",
        "    keep s3-1: Pacemaker promoted it and it runs storage-service: MinIO's clients were served from it. s3-2's changes since the split are then overwritten: copy its volume first.",
      ]));
      expect(outcome.report).toMatchObject({
        keep: "s3-1",
        next: "ibac runbook storage-split-brain --stack lab --keep s3-1 --copy-to /var/tmp/ibac-s3-s3-2.img (asks before it discards anything)",
        byHand: `on s3-2: ${COPY}; on s3-2: drbdadm disconnect ibac-s3; on s3-2: drbdadm secondary ibac-s3; on s3-2: drbdadm connect --discard-my-data ibac-s3; on s3-1: drbdadm connect ibac-s3`,
      });
    });

    it("with nothing Promoted, advises the side that changed more", async () => {
      const vms = splitBrainPair();
      for (const v of Object.values(vms)) v.crmMon = "nothing-promoted";
      vms["s3-1"].drbd = "standAloneSecondary";
      vms["s3-2"].drbd = "standAlonePrimary";
      const outcome = await runRunbook(args(new StoragePair(vms)));
      expect(outcome.report.keep).toBe("s3-2");
      expect(outcome.report.why).toBe("no side is Promoted; it changed more since the split (3292 KiB)");
    });

    it("with nothing Promoted, advises the side DRBD's fence handler kept promotable", async () => {
      const vms = splitBrainPair();
      for (const v of Object.values(vms)) v.crmMon = "nothing-promoted";
      const pair = new StoragePair(vms);
      pair.fencedFor = "s3-2";
      const outcome = await runRunbook(args(pair));
      expect(outcome.report).toMatchObject({ keep: "s3-2", why: "no side is Promoted; DRBD's fence handler left the Promoted role to it when the peer went" });
      expect(lines).toContain("        Pacemaker: not Promoted; the only side DRBD's fence handler lets be Promoted");
    });

    it.each([
      ["the peers are connected", (vms: Record<string, VmState>) => Object.assign(vms, healthyPair()), "no split brain: s3-1 is Connected, s3-2 is Connected with its peer, so DRBD replicates; storage-status shows the details"],
      ["the peers are disconnected but one only lags", (vms: Record<string, VmState>) => { vms["s3-2"].gi = GET_GI.laggingS3_2; }, "no split brain: the peers are disconnected (s3-1 StandAlone, s3-2 StandAlone) but only s3-1 changed data since they parted; s3-2 just lags and resyncs from it on `drbdadm connect ibac-s3` on each"],
      ["the peers hold the same generation", (vms: Record<string, VmState>) => { vms["s3-1"].gi = GET_GI.sameS3_1; vms["s3-2"].gi = GET_GI.sameS3_2; }, "no split brain: the peers are disconnected (s3-1 StandAlone, s3-2 StandAlone) but hold the same data generation (68692695ED1636EB); reconnect them with `drbdadm connect ibac-s3` on each"],
      ["the data are unrelated", (vms: Record<string, VmState>) => { vms["s3-2"].gi = GET_GI.unrelated; }, "the peers' data generations are unrelated (s3-1 6404BF38299C49E9, s3-2 0123456789ABCDEF): no common history, not a split brain this runbook resolves; a full resync from the side to keep is a manual decision"],
    ])("stops and says why when %s", async (_, mutate, reason) => {
      const vms = splitBrainPair();
      mutate(vms);
      const outcome = await runRunbook(args(new StoragePair(vms)));
      expect(outcome).toMatchObject({ status: "refused", stoppedAt: 1, reason });
    });
  });

  describe("--keep", () => {
    it("a dry run probes, and prints the copy and the recovery with their hosts", async () => {
      const pair = new StoragePair(splitBrainPair());
      const outcome = await runRunbook(args(pair, { options: keepS3_1, dryRun: true, yes: false }));
      expect(outcome.status, lines.join("\n")).toBe("dry-run");
      expect(changes(pair)).toEqual([]);
      expect(outcome.commands.filter((c) => c.kind === "change").map((c) => `${c.host}: ${c.command}`)).toEqual([`s3-2: ${COPY}`, ...RESOLVE]);
      expect(lines).toContain("    would run on s3-2 (10.30.0.22): drbdadm connect --discard-my-data ibac-s3");
      expect(lines).toContain("    would run on s3-1 (10.30.0.21): drbdadm connect ibac-s3");
    });

    it("copies the victim's volume, discards its changes and reconnects both: the resync starts", async () => {
      const pair = new StoragePair(splitBrainPair());
      const outcome = await runRunbook(args(pair, { options: keepS3_1 }));
      expect(outcome.status, lines.join("\n")).toBe("completed");
      expect(changes(pair)).toEqual([`s3-2: ${COPY}`, ...RESOLVE]);
      expect(outcome.report).toMatchObject({
        copy: "s3-2:/var/tmp/ibac-s3-s3-2.img (raw image of /dev/vdb; read it with mount -o ro,loop)",
        resync: "25% (13860 KiB to go); storage-status shows the progress",
      });
      expect(pair.vms["s3-2"].files.get("/var/tmp/ibac-s3-s3-2.img")).toBe(pair.vms["s3-2"].diskBytes);
    });

    it("is destructive: it asks before discarding, and a no leaves the data alone", async () => {
      const pair = new StoragePair(splitBrainPair());
      const questions: string[] = [];
      const outcome = await runRunbook(args(pair, { options: keepS3_1, yes: false, confirm: async (q) => (questions.push(q), false) }));
      expect(outcome).toMatchObject({ status: "aborted", stoppedAt: 4 });
      expect(questions).toEqual(["Step 4 (Discard s3-2's changes: reconnect it as the sync target) changes s3-2 and is hard to undo. Go on?"]);
      expect(changes(pair)).toEqual([`s3-2: ${COPY}`]);
    });

    describe("refuses, nothing discarded, when", () => {
      const refusal = async (mutate: (vms: Record<string, VmState>) => void, options: Record<string, string | boolean>): Promise<string | undefined> => {
        const vms = splitBrainPair();
        mutate(vms);
        const pair = new StoragePair(vms);
        const outcome = await runRunbook(args(pair, { options }));
        expect(outcome.status).toBe("refused");
        expect(changes(pair)).toEqual([]);
        return outcome.reason;
      };

      it("the side kept is not the one Pacemaker promoted", async () => {
        expect(await refusal(() => undefined, { keep: "s3-2", "no-copy": true })).toBe("s3-1 holds the Promoted role in Pacemaker and would be promoted again: move storage-service off it first (for instance `crm_resource --resource storage-service --ban --node s3-1`), then run this again");
        expect(await refusal((vms) => { for (const v of Object.values(vms)) v.crmMon = "nothing-promoted"; }, { keep: "s3-2", "no-copy": true }))
          .toBe("s3-2 is not the side Pacemaker promoted (no side is Promoted): keeping it discards what s3-1 changed since the split (3292 KiB); pass --keep-unpromoted to confirm that choice");
      });

      it("the side kept is not UpToDate", async () => {
        expect(await refusal((vms) => { vms["s3-2"].drbd = "standAloneOutdated"; for (const v of Object.values(vms)) v.crmMon = "nothing-promoted"; }, { keep: "s3-2", "no-copy": true, "keep-unpromoted": true }))
          .toBe("s3-2's disk is Outdated, not UpToDate: it is not a side to keep (its peer would resync from incomplete data)");
      });

      it("the victim still runs MinIO, even with --keep-unpromoted", async () => {
        expect(await refusal((vms) => { for (const v of Object.values(vms)) v.crmMon = "fails"; }, { keep: "s3-2", "no-copy": true, "keep-unpromoted": true }))
          .toBe('s3-1 still runs MinIO (systemctl is-active minio.service: "active"): it serves from the data this would discard; stop it there first');
      });

      it("it cannot tell whether the victim runs MinIO or has the volume mounted", async () => {
        expect(await refusal((vms) => { vms["s3-2"].minio = "unknown"; }, keepS3_1)).toBe("s3-2: cannot tell whether MinIO runs (systemctl is-active minio.service exited 127): find out before its data is discarded");
        expect(await refusal((vms) => { vms["s3-2"].mounted = "unknown"; }, keepS3_1)).toBe("s3-2: cannot tell whether /dev/drbd0 is mounted (findmnt exited 127): find out before its data is discarded");
      });

      it("the victim has the volume mounted", async () => {
        expect(await refusal((vms) => { vms["s3-2"].mounted = "/srv/minio"; }, keepS3_1)).toBe('s3-2 has /dev/drbd0 mounted (on "/srv/minio"): unmount it (stop storage-service there) first');
      });

      it("the copy would not fit, or its file exists", async () => {
        expect(await refusal((vms) => { vms["s3-2"].freeBytes = 1024; }, keepS3_1)).toBe("s3-2: /var/tmp has 1024 bytes free, the copy of /dev/vdb needs 8589934592: name a place with room (or copy it elsewhere yourself and pass --no-copy)");
        expect(await refusal((vms) => { vms["s3-2"].files.set("/var/tmp/ibac-s3-s3-2.img", 1); }, keepS3_1)).toBe("s3-2: /var/tmp/ibac-s3-s3-2.img exists already: name a new file for the copy");
      });
    });

    it.each([
      [{ keep: "s3-1" }, "--keep discards the other side's changes since the split: pass --copy-to <file> to keep a copy of its volume first, or --no-copy if you saved it yourself"],
      [{ keep: "s3-1", "copy-to": "/var/tmp/x.img", "no-copy": true }, "--keep discards the other side's changes since the split: pass --copy-to <file> to keep a copy of its volume first, or --no-copy if you saved it yourself"],
      [{ keep: "s3-1", "copy-to": "/dev/sda" }, '--copy-to: expected an absolute file path outside /dev, /proc and /sys (letters, digits, _ . + -), found "/dev/sda"'],
      [{ keep: "s3-1", "copy-to": "/var/tmp/$(id).img" }, '--copy-to: expected an absolute file path outside /dev, /proc and /sys (letters, digits, _ . + -), found "/var/tmp/$(id).img"'],
      [{ keep: "s3-3", "no-copy": true }, '--keep: expected one of s3-1, s3-2, found "s3-3"'],
      [{ "copy-to": "/var/tmp/x.img" }, "--copy-to only goes with --keep <host>"],
    ])("bad options %j: input error before anything connects", async (options, message) => {
      const pair = new StoragePair(splitBrainPair());
      await expect(runRunbook(args(pair, { options }))).rejects.toThrow(message);
      expect(pair.ran).toEqual([]);
    });

    describe("--from-step", () => {
      /** The state after step 4: the copy taken, s3-2 Secondary waiting with --discard-my-data, s3-1 still StandAlone. */
      const afterStep4 = (): StoragePair => {
        const vms = splitBrainPair();
        vms["s3-2"].drbd = "wfConnectionSecondary";
        vms["s3-2"].files.set("/var/tmp/ibac-s3-s3-2.img", vms["s3-2"].diskBytes);
        return new StoragePair(vms);
      };

      it("5 after the discard: every check passes again and only the survivor reconnects", async () => {
        const pair = afterStep4();
        const outcome = await runRunbook(args(pair, { options: keepS3_1, fromStep: 5 }));
        expect(outcome.status, lines.join("\n")).toBe("completed");
        expect(changes(pair)).toEqual(["s3-1: drbdadm connect ibac-s3"]);
        expect(lines).toContain("[4/5] Discard s3-2's changes: reconnect it as the sync target: checked again before resuming at step 5");
      });

      it("5 when the discard had not happened refuses at step 4", async () => {
        const pair = afterStep4();
        pair.vms["s3-2"].drbd = "standAloneSecondary";
        const outcome = await runRunbook(args(pair, { options: keepS3_1, fromStep: 5 }));
        expect(outcome).toMatchObject({ status: "refused", stoppedAt: 4, reason: "s3-2 is StandAlone: it is not waiting to reconnect: its data was not discarded yet; resume from step 4" });
        expect(changes(pair)).toEqual([]);
      });

      it("4 when the copy is incomplete refuses at step 3", async () => {
        const pair = afterStep4();
        pair.vms["s3-2"].drbd = "standAloneSecondary";
        pair.vms["s3-2"].files.set("/var/tmp/ibac-s3-s3-2.img", 4096);
        const outcome = await runRunbook(args(pair, { options: keepS3_1, fromStep: 4 }));
        expect(outcome).toMatchObject({ status: "refused", stoppedAt: 3, reason: "s3-2: the copy /var/tmp/ibac-s3-s3-2.img is missing or incomplete: resume from step 3" });
      });
    });
  });
});
