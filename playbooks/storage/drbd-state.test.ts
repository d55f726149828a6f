import { describe, expect, it } from "vitest";
import { compareGenerations, deviceOfMinor, lastSplitBrainLine, lastWriteTime, parseDrbdadmState, parseGenerationIds, parseProcDrbd, stateDisagreement } from "./drbd-state";
import { DRBDADM, DUMPE2FS, GET_GI, JOURNAL, PROC_DRBD } from "../../test/fixtures/storage/proc-drbd";

describe("parseProcDrbd (DRBD 8.4's /proc/drbd)", () => {
  it.each([
    ["primaryConnected", { connection: "Connected", role: "Primary", peerRole: "Secondary", disk: "UpToDate", peerDisk: "UpToDate", protocol: "C", outOfSyncKiB: 0 }],
    ["secondaryConnected", { connection: "Connected", role: "Secondary", peerRole: "Primary", disk: "UpToDate", peerDisk: "UpToDate", protocol: "C", outOfSyncKiB: 0 }],
    ["standAlonePrimary", { connection: "StandAlone", role: "Primary", peerRole: "Unknown", disk: "UpToDate", peerDisk: "Outdated", outOfSyncKiB: 3292 }],
    ["wfConnectionSecondary", { connection: "WFConnection", role: "Secondary", peerRole: "Unknown", disk: "UpToDate", peerDisk: "Outdated", protocol: "C", outOfSyncKiB: 340 }],
    ["syncSource", { connection: "SyncSource", role: "Primary", disk: "UpToDate", peerDisk: "Inconsistent", outOfSyncKiB: 13860, syncedPercent: 25 }],
    ["syncTarget", { connection: "SyncTarget", role: "Secondary", disk: "Inconsistent", peerDisk: "UpToDate", outOfSyncKiB: 13200, syncedPercent: 25 }],
    ["unconfigured", { connection: "Unconfigured" }],
  ] as const)("%s", (sample, expected) => {
    const proc = parseProcDrbd(PROC_DRBD[sample], "s3-1: /proc/drbd");
    expect(proc.version).toBe("8.4.11");
    expect(proc.devices).toHaveLength(1);
    expect(proc.devices[0]).toMatchObject({ minor: 0, ...expected });
  });

  it("a StandAlone device has no wire protocol (the kernel prints a blank)", () => {
    expect(parseProcDrbd(PROC_DRBD.standAlonePrimary, "x").devices[0].protocol).toBeUndefined();
  });

  it.each([
    ["DRBD 9", PROC_DRBD.drbd9, `s3-1: /proc/drbd: expected DRBD 8.4's /proc/drbd (first line "version: 8.4.x ..."), found "version: 9.2.8 (api:2/proto:86-122)"`],
    ["an unknown connection state", PROC_DRBD.primaryConnected.replace("cs:Connected", "cs:Connectd"), 's3-1: /proc/drbd: minor 0 cs: expected a DRBD 8.4 connection state (one of StandAlone, Disconnecting, Unconnected, Timeout, BrokenPipe, NetworkFailure, ProtocolError, TearDown, WFConnection, WFReportParams, Connected, StartingSyncS, StartingSyncT, WFBitMapS, WFBitMapT, WFSyncUUID, SyncSource, SyncTarget, VerifyS, VerifyT, PausedSyncS, PausedSyncT, Ahead, Behind), found "Connectd"'],
    ["a role with a shell in it", PROC_DRBD.primaryConnected.replace("ro:Primary/", "ro:$(reboot)/"), 's3-1: /proc/drbd: minor 0 ro: expected a DRBD role (one of Primary, Secondary, Unknown), found "$(reboot)"'],
    ["a counters line without oos", PROC_DRBD.primaryConnected.replace(" oos:0", ""), 's3-1: /proc/drbd: minor 0: expected the counters line to end in oos:<KiB>, found "    ns:41243 nr:0 dw:45432 dr:41597 al:10 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f"'],
  ])("refuses %s", (_, text, message) => {
    expect(() => parseProcDrbd(text, "s3-1: /proc/drbd")).toThrowError(message);
  });

  it("finds the resource's minor, or says which minors there are", () => {
    const proc = parseProcDrbd(PROC_DRBD.primaryConnected, "s3-1: /proc/drbd");
    expect(deviceOfMinor(proc, "/dev/drbd0", "s3-1").minor).toBe(0);
    expect(() => deviceOfMinor(proc, "/dev/drbd1", "s3-1")).toThrowError("s3-1: /proc/drbd has no minor 1 (/dev/drbd1); it lists 0: is the resource up (drbdadm up)?");
  });
});

describe("parseDrbdadmState and the cross-check with /proc/drbd", () => {
  it.each(["primaryConnected", "standAloneSecondary", "syncTarget"] as const)("%s: both readings agree", (sample) => {
    const adm = parseDrbdadmState(DRBDADM[sample], "s3-1");
    expect(stateDisagreement(parseProcDrbd(PROC_DRBD[sample], "s3-1").devices[0], adm)).toBeUndefined();
  });

  it("names every field where they differ", () => {
    const adm = parseDrbdadmState(DRBDADM.secondaryConnected, "s3-1");
    expect(stateDisagreement(parseProcDrbd(PROC_DRBD.primaryConnected, "s3-1").devices[0], adm)).toBe("role Primary in /proc/drbd, Secondary from drbdadm; peer role Secondary in /proc/drbd, Primary from drbdadm");
  });

  it("refuses output that is not three lines of DRBD words", () => {
    expect(() => parseDrbdadmState("Primary/Secondary\nConnected\n", "s3-1: drbdadm ibac-s3")).toThrowError("s3-1: drbdadm ibac-s3: expected three lines (role, cstate, dstate), found 2");
    expect(() => parseDrbdadmState("Primary/Secondary\nConnected\nUpToDate/`id`\n", "s3-1: drbdadm ibac-s3")).toThrowError('s3-1: drbdadm ibac-s3: dstate (peer): expected a DRBD disk state (one of Diskless, Attaching, Failed, Negotiating, Inconsistent, Outdated, DUnknown, Consistent, UpToDate), found "`id`"');
  });
});

describe("generation identifiers (drbdadm get-gi) and how two sides' data relate", () => {
  it("parses the four UUIDs and the flags", () => {
    expect(parseGenerationIds(GET_GI.splitS3_1, "s3-1")).toEqual({
      current: "6404BF38299C49E9", bitmap: "68692695ED1636EB", history: ["DFA02763775A5CF1", "0000000000000004"],
      flags: { consistent: true, wasUpToDate: true, primary: true, connected: false },
    });
  });

  it("refuses anything else", () => {
    expect(() => parseGenerationIds("8C5E1F27A1D04B3F:6A1B2C3D4E5F6071\n", "s3-1: drbdadm get-gi ibac-s3")).toThrowError(
      's3-1: drbdadm get-gi ibac-s3: expected DRBD 8.4 generation identifiers (four 16-digit hex UUIDs and 5 to 7 flags, colon-separated), found "8C5E1F27A1D04B3F:6A1B2C3D4E5F6071"',
    );
  });

  it.each([
    ["the real split brain: a shared history generation (rule 100, as the kernel decided)", GET_GI.splitS3_1, GET_GI.splitS3_2, "diverged"],
    ["the same, seen from s3-2", GET_GI.splitS3_2, GET_GI.splitS3_1, "diverged"],
    ["split brain by rule 90: the same bitmap base (the primary flag bit ignored), two new current generations", GET_GI.bitmapSplitA, GET_GI.bitmapSplitB, "diverged"],
    ["the same data after the initial sync (the primary flag bit ignored)", GET_GI.sameS3_1, GET_GI.sameS3_2, "same"],
    ["the same data after the recovery's resync", GET_GI.recoveredS3_1, GET_GI.recoveredS3_2, "same"],
    ["the second side only lags (its current is the first's bitmap base)", GET_GI.splitS3_1, GET_GI.laggingS3_2, "first-ahead"],
    ["the same, seen the other way round", GET_GI.laggingS3_2, GET_GI.splitS3_1, "second-ahead"],
    ["no common generation", GET_GI.splitS3_1, GET_GI.unrelated, "unrelated"],
  ])("%s", (_, first, second, relation) => {
    expect(compareGenerations(parseGenerationIds(first, "a"), parseGenerationIds(second, "b"))).toBe(relation);
  });
});

describe("the kernel's split-brain line and the file system's last write", () => {
  it("keeps the time and the outcome of the resource's last line, nothing else", () => {
    expect(lastSplitBrainLine(JOURNAL.solved + JOURNAL.splitBrain, "ibac-s3", 0)).toEqual({ time: "2026-12-01T22:27:05+0000", outcome: "unresolved" });
    expect(lastSplitBrainLine(JOURNAL.splitBrain + JOURNAL.solved, "ibac-s3", 0)).toEqual({ time: "2026-11-30T10:00:00+0000", outcome: "solved" });
  });

  it("ignores another minor's line and anything that is not the kernel's", () => {
    expect(lastSplitBrainLine(JOURNAL.otherMinor, "ibac-s3", 0)).toBeUndefined();
    expect(lastSplitBrainLine("2026-12-01T20:58:12+0000 s3-1 minio[12]: block drbd0: Split-Brain detected\n", "ibac-s3", 0)).toBeUndefined();
  });

  it("reads dumpe2fs's Last write time", () => {
    expect(lastWriteTime(DUMPE2FS)).toBe("Tue Dec  1 20:58:40 2026");
    expect(lastWriteTime("Last write time: $(reboot)\n")).toBeUndefined();
  });
});
