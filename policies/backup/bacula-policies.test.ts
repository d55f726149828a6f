import { describe, expect, it } from "vitest";
import { PRODUCTION_BACULA_PATHS as P } from "../../backup/bacula/paths";
import type { SimulationSummary } from "../../backup/rotation/summary";
import type { BackupJudgeInput, Judgement } from "./backup-judgement";
import { editFile, removeFiles, renderedBackupInput } from "./bacula-policy-fixture";
import { judgeOffsiteEncrypted } from "./backup-offsite-encrypted";
import { judgePhotoBacula } from "./photo-backup-bacula";
import { judgeOffsiteCopy } from "./backup-offsite-copy";
import { judgeRestoreRange } from "./photo-backup-restore-range";
import type { Finding } from "../kit/types";

// The judges on what the backup tier delivers (the Bacula renderers' output for the stack, production paths),
// then on the same files broken one way each.

const prod = renderedBackupInput("prod");

/** The findings of a judgement (a not-applicable one fails the test: it proves nothing). */
function findings(j: Judgement): Finding[] {
  if ("notApplicable" in j) throw new Error(`not applicable: ${j.notApplicable}`);
  return j.findings;
}

/** `text` without the resource `Type { Name = "name" ... }` (and the comment line above it). */
function dropResource(text: string, type: string, name: string): string {
  const re = new RegExp(`(# [^\\n]*\\n)?${type} \\{\\n  Name = "${name}"\\n[\\s\\S]*?\\n\\}\\n`);
  if (!re.test(text)) throw new Error(`dropResource: no ${type} ${name}`);
  return text.replace(re, "");
}

/** Edits the director's file on both backup VMs (they get the same file). */
function editDirector(input: BackupJudgeInput, edit: (text: string) => string): BackupJudgeInput {
  return editFile(editFile(input, "bkp-1", P.directorConf, edit), "bkp-2", P.directorConf, edit);
}

describe("the backup policies on the Bacula files the prod stack's backup tier renders", () => {
  it.each(["prod", "staging", "lab"])("%s passes IBAC-BAK-002, 003, 005 and 007", (stack) => {
    const input = stack === "prod" ? prod : renderedBackupInput(stack);
    for (const judge of [judgeRestoreRange, judgeOffsiteEncrypted, judgePhotoBacula, judgeOffsiteCopy]) expect(findings(judge(input)), judge.name).toEqual([]);
  });

  it("without any Bacula file, every one of them is not applicable (the requirement reads declared, never pass)", () => {
    const none = removeFiles(prod, (f) => f.path.startsWith(P.configDir));
    for (const judge of [judgeRestoreRange, judgeOffsiteEncrypted, judgePhotoBacula, judgeOffsiteCopy]) expect(judge(none), judge.name).toEqual({ notApplicable: expect.stringMatching(/^no (Bacula configuration|bacula-dir\.conf) delivered/) });
  });
});

describe("photo-backup-restore-range (IBAC-BAK-002): the rendered schedule and pools replayed by the simulator", () => {
  it("prod's rendered rotation keeps a restore point at most 1 h old and one at least 183 days old at every hour of two years", () => {
    const simulated = new Map<string, SimulationSummary>();
    expect(findings(judgeRestoreRange(prod, simulated))).toEqual([]);
    const [summary] = [...simulated.values()];
    expect(simulated.size).toBe(1);
    expect(summary.scheduleName).toBe("Photos-Hanoi");
    expect(summary.hours).toBe(731 * 24);
    expect(summary.promises.newest).toMatchObject({ holds: true, broken: 0 });
    expect(summary.promises.newest.worst).toBeLessThanOrEqual(1);
    expect(summary.promises.oldest).toMatchObject({ holds: true, broken: 0 });
    expect(summary.promises.oldest.worst).toBeGreaterThanOrEqual(183);
    expect(summary.promises.chain.holds).toBe(true);
  });

  it("a schedule that leaves a gap (a Run line removed) fails: the newest restore point is up to a day old", () => {
    const input = editDirector(prod, (t) => t.replace(/^ {2}Run = Level=Incremental Pool=Photos-Hourly .*\n/m, ""));
    const found = findings(judgeRestoreRange(input));
    expect(found).toEqual([
      expect.objectContaining({ subject: "newest photo restore point (Photos-Hanoi on bkp-1, simulated 2026-01-01..2028-01-02)", observed: expect.stringMatching(/^up to 24 h old \(\d+ of 17543 hours, first 2026-01-01T\d\d:05:00\.000Z\)$/), expected: "a restore point at most 1 h old at every hour", location: `${P.directorConf}: Schedule Photos-Hanoi` }),
      expect.objectContaining({ subject: "newest photo restore point (Photos-Hanoi on bkp-2, simulated 2026-01-01..2028-01-02)" }),
    ]);
  });

  it("retention shorter than 183 days plus the reuse interval (the top Full pool kept 183 days) fails the oldest restore point", () => {
    const input = editDirector(prod, (t) => t.replace(/(Pool \{\n {2}Name = "Photos-F4"\n[\s\S]*?Volume Retention = )7753 hours/, "$14392 hours"));
    const found = findings(judgeRestoreRange(input)).filter((f) => f.subject.includes("bkp-1"));
    expect(found).toEqual([
      expect.objectContaining({ subject: "oldest photo restore point (Photos-Hanoi on bkp-1, simulated 2026-01-01..2028-01-02)", observed: expect.stringMatching(/^only \d+(\.\d+)? days old at worst \(\d+ of \d+ hours, first 20\d\d-.*checked from 2026-07-03\)$/), expected: "a restore point at least 183 days old at every hour" }),
    ]);
    expect(Number(/only ([\d.]+) days/.exec(found[0].observed)?.[1])).toBeLessThan(183);
  });

  it("a Full pool recycled before the Differentials based on it fails the chain check", () => {
    const input = editFile(prod, "bkp-1", P.directorConf, (t) => t.replace(/(Pool \{\n {2}Name = "Photos-F0"\n[\s\S]*?Volume Retention = )505 hours/, "$124 hours"));
    expect(findings(judgeRestoreRange(input))).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject: "retention of the photo pools (Photos-Hanoi on bkp-1)", observed: expect.stringMatching(/^\d+ jobs outlive a job their restore needs/), expected: "every pool's Volume Retention covers the chains that need its jobs" }),
    ]));
  });

  it("a job that writes to a pool the schedule never names fails, naming the runs (its Differential Backup Pool wins over their Pool=)", () => {
    const input = editFile(prod, "bkp-1", P.directorConf, (t) => t.replace('  Full Backup Pool = "Photos-F4"\n', '  Full Backup Pool = "Photos-F4"\n  Differential Backup Pool = "Cycle-Diff"\n'));
    const found = findings(judgeRestoreRange(input));
    expect(found.map((f) => f.subject)).toEqual(Array(3).fill("pool of a photo run on bkp-1"));
    expect(found.map((f) => f.observed)).toEqual(["D0", "D1", "D2"].map((p) => expect.stringMatching(new RegExp(`^Run = Level=Differential Pool=Photos-${p} .*: the job Backup-Photos's Differential jobs go to Cycle-Diff, which schedule Photos-Hanoi never names$`))));
  });

  it("a Full Backup Pool outside the rotation fails: a job upgraded to Full would be written there", () => {
    const input = editFile(prod, "bkp-2", P.directorConf, (t) => t.replace('  Full Backup Pool = "Photos-F4"\n', '  Full Backup Pool = "Cycle-Full"\n'));
    expect(findings(judgeRestoreRange(input))).toEqual([
      expect.objectContaining({ subject: "Full Backup Pool of the photo job Backup-Photos on bkp-2", observed: "Full Backup Pool = Cycle-Full, which schedule Photos-Hanoi never names: a job upgraded to Full is written outside the rotation", location: `${P.directorConf}: Job Backup-Photos` }),
    ]);
  });

  it("a Run line Bacula 9.6 refuses (`last`) fails with Bacula's reason", () => {
    const input = editFile(prod, "bkp-2", P.directorConf, (t) => t.replace("Pool=Photos-D2 thu at 00:05", "Pool=Photos-D2 last thu at 00:05"));
    expect(findings(judgeRestoreRange(input))).toEqual([
      expect.objectContaining({ subject: "Run line of Photos-Hanoi on bkp-2", observed: "Run = Level=Differential Pool=Photos-D2 last thu at 00:05: last is not accepted by Bacula 9.6", expected: "a Run line Bacula 9.6 accepts" }),
    ]);
  });

  it("a spec that keeps restore points only 90 days fails against the design, whatever is rendered", () => {
    const input = { ...prod, spec: { ...prod.spec, backupPolicy: { ...prod.spec.backupPolicy, photos: { ...prod.spec.backupPolicy.photos, oldestRestorePointDays: 90 } } } };
    expect(findings(judgeRestoreRange(input))).toEqual([
      expect.objectContaining({ subject: "oldest photo restore point", observed: "oldestRestorePointDays: 90", expected: "oldestRestorePointDays at least 183 (restore from 6 months ago)", location: "spec.backupPolicy.photos.oldestRestorePointDays" }),
    ]);
  });
});

describe("backup-offsite-encrypted (IBAC-BAK-003): PKI on every file daemon, the NAS outside the cluster", () => {
  it("a client without PKI encryption fails, naming it", () => {
    const input = editFile(prod, "db-1", P.fileDaemonConf, (t) => t.replace("PKI Encryption = yes", "PKI Encryption = no"));
    expect(findings(judgeOffsiteEncrypted(input))).toEqual([
      expect.objectContaining({ subject: "PKI Encryption of db-1's file daemon db-1-fd", observed: "PKI Encryption = no", expected: expect.stringMatching(/^PKI Encryption = yes \(/), location: `${P.fileDaemonConf}: FileDaemon db-1-fd` }),
    ]);
  });

  it("no master key fails: only the client's own key, kept in the cluster, could decrypt", () => {
    const input = editFile(prod, "s3-2", P.fileDaemonConf, (t) => t.replace(/^ {2}PKI Master Key = .*\n/m, ""));
    expect(findings(judgeOffsiteEncrypted(input))).toEqual([
      expect.objectContaining({ subject: "PKI Master Key of s3-2's file daemon s3-fd", observed: "no PKI Master Key: only the client's own key, kept in the cluster, can decrypt" }),
    ]);
  });

  it("a master key file that holds a private key, or another certificate, fails", () => {
    const withKey = editFile(prod, "frs-1", P.pkiMasterCertificate, (t) => `${t}-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n`);
    expect(findings(judgeOffsiteEncrypted(withKey))).toEqual([
      expect.objectContaining({ subject: "PKI Master Key of frs-1's file daemon frs-1-fd", observed: `${P.pkiMasterCertificate} holds a private key: the master key would be inside the cluster`, location: P.pkiMasterCertificate }),
    ]);
    const other = editFile(prod, "frs-1", P.pkiMasterCertificate, (t) => t.replace(/MII\w/, "MIIX"));
    expect(findings(judgeOffsiteEncrypted(other)).map((f) => f.observed)).toEqual([`${P.pkiMasterCertificate} is not the spec's master certificate`]);
  });

  it("no PKI signatures, and a keypair that is not delivered, fail", () => {
    const input = removeFiles(editFile(prod, "db-2", P.fileDaemonConf, (t) => t.replace("PKI Signatures = yes", "PKI Signatures = no")), (f) => f.vm === "db-2" && f.path === P.pkiKeypair);
    expect(findings(judgeOffsiteEncrypted(input)).map((f) => [f.subject, f.observed])).toEqual([
      ["PKI Signatures of db-2's file daemon db-2-fd", "PKI Signatures = no"],
      ["PKI Keypair of db-2's file daemon db-2-fd", `PKI Keypair = ${P.pkiKeypair}, not delivered to db-2`],
    ]);
  });

  it("a NAS storage on a cluster address (the mount script mounts bkp-2) fails, naming whose address it is", () => {
    const bkp2 = prod.model.vms.find((v) => v.name === "bkp-2")?.nics[0].address ?? "";
    const input = editFile(prod, "bkp-1", P.nasMountCommand, (t) => t.replaceAll("ibacnas@10.20.8.50:", `ibacnas@${bkp2}:`));
    expect(findings(judgeOffsiteEncrypted(input))).toEqual([
      expect.objectContaining({ subject: "off-site NAS device NasVolumes of bkp-1", observed: `mounts ibacnas@${bkp2}:/volume1/ibac-backup, which is VM bkp-2`, expected: "the NAS outside the cluster (spec nasAddress 10.20.8.50)", location: P.nasMountCommand }),
    ]);
  });

  it("a storage daemon without a NAS device, and a mount command that is not delivered, fail", () => {
    const noMount = editFile(prod, "bkp-2", P.storageConf, (t) => t.replace("  Requires Mount = yes\n", ""));
    expect(findings(judgeOffsiteEncrypted(noMount)).map((f) => [f.subject, f.observed])).toEqual([
      ["off-site NAS device of bkp-2's storage daemon", "no Device that mounts a remote directory (Requires Mount = yes, Mount Command)"],
    ]);
    const noScript = removeFiles(prod, (f) => f.vm === "bkp-1" && f.path === P.nasMountCommand);
    expect(findings(judgeOffsiteEncrypted(noScript)).map((f) => f.observed)).toEqual([`its Mount Command ${P.nasMountCommand} is not delivered to bkp-1`]);
  });

  it("a client the director names without any bacula-fd.conf fails: its encryption cannot be shown", () => {
    const input = removeFiles(prod, (f) => f.vm === "frs-2" && f.path === P.fileDaemonConf);
    expect(findings(judgeOffsiteEncrypted(input)).map((f) => [f.subject, f.observed, f.location])).toEqual([
      ["file daemon of client frs-2-fd", "no bacula-fd.conf delivered declares it: its encryption cannot be shown", `${P.directorConf}: Client frs-2-fd`],
      ["file daemon of client frs-2-fd", "no bacula-fd.conf delivered declares it: its encryption cannot be shown", `${P.directorConf}: Client frs-2-fd`],
    ]);
  });

  it("the spec's declaration still counts: an unencrypted copy, or a 'NAS' that is a cluster VM, fails", () => {
    const offsite = prod.spec.backupPolicy.offsite;
    const with_ = (o: Partial<typeof offsite>): BackupJudgeInput => ({ ...prod, spec: { ...prod.spec, backupPolicy: { ...prod.spec.backupPolicy, offsite: { ...offsite, ...o } } } });
    expect(findings(judgeOffsiteEncrypted(with_({ encrypted: false })))).toEqual([
      expect.objectContaining({ subject: "off-site backup copy", observed: "encrypted: false", expected: "encrypted: true (the copy on the NAS is encrypted)", location: "spec.backupPolicy.offsite.encrypted" }),
    ]);
    const bkp1 = prod.model.vms.find((v) => v.name === "bkp-1")?.nics[0].address ?? "";
    expect(findings(judgeOffsiteEncrypted(with_({ nasAddress: bkp1 }))).map((f) => f.observed)).toEqual([
      `nasAddress: ${bkp1}, which is VM bkp-1`,
      // The rendered mount script still mounts 10.20.8.50: it no longer matches the spec.
      "mounts ibacnas@10.20.8.50:/volume1/ibac-backup",
      "mounts ibacnas@10.20.8.50:/volume1/ibac-backup",
    ]);
  });
});

describe("photo-backup-bacula (IBAC-BAK-005): director and storage daemon on the backup tier, the photos' job", () => {
  it("no photo job fails", () => {
    const input = editDirector(prod, (t) => dropResource(t, "Job", "Backup-Photos"));
    expect(findings(judgePhotoBacula(input))).toEqual([
      expect.objectContaining({ subject: "photo backup job in bkp-1's director", observed: "no Backup job for the object store's client (s3-fd)", expected: "a Backup job of the object store's file daemon on the Photos-Hanoi schedule", location: P.directorConf }),
      expect.objectContaining({ subject: "photo backup job in bkp-2's director" }),
    ]);
  });

  it("the photo job on another schedule fails", () => {
    const input = editFile(prod, "bkp-1", P.directorConf, (t) => t.replace('Schedule = "Photos-Hanoi"', 'Schedule = "Cycle-Hourly"'));
    expect(findings(judgePhotoBacula(input))).toEqual([
      expect.objectContaining({ subject: "schedule of the photo job Backup-Photos on bkp-1", observed: "Schedule = Cycle-Hourly", expected: "Schedule = Photos-Hanoi (the Tower-of-Hanoi rotation)", location: `${P.directorConf}: Job Backup-Photos` }),
    ]);
  });

  it("no file daemon on an object-store VM fails", () => {
    const input = removeFiles(prod, (f) => f.vm === "s3-2" && f.path === P.fileDaemonConf);
    expect(findings(judgePhotoBacula(input))).toEqual([
      expect.objectContaining({ subject: "Bacula file daemon on s3-2", observed: `no ${P.fileDaemonConf} with a FileDaemon resource`, urn: expect.stringContaining("DebianVm::s3-2") }),
    ]);
  });

  it("no director or storage daemon on a backup VM fails", () => {
    const input = removeFiles(prod, (f) => f.vm === "bkp-2" && (f.path === P.directorConf || f.path === P.storageConf));
    expect(findings(judgePhotoBacula(input)).map((f) => f.subject)).toEqual(["Bacula director on bkp-2", "Bacula storage daemon on bkp-2"]);
  });

  it("a photo job that does not export the photos first, or saves another directory, fails", () => {
    const input = editFile(prod, "bkp-1", P.directorConf, (t) => t.replace('  ClientRunBeforeJob = "/usr/local/sbin/ibac-photo-export"\n', "").replace('File = "/srv/minio/export/ibac-photos"', 'File = "/srv/minio/data"'));
    expect(findings(judgePhotoBacula(input)).map((f) => [f.subject, f.observed])).toEqual([
      ["what the photo job Backup-Photos saves on bkp-1", "FileSet Photos saves /srv/minio/data"],
      ["photo export before the photo job Backup-Photos on bkp-1", "no Client Run Before Job"],
    ]);
  });
});

describe("backup-offsite-copy (IBAC-BAK-007): a scheduled Copy job per pool, to the NAS", () => {
  const copyJobs = (t: string): string => t.replace(/# Copies every job of [^\n]*\nJob \{\n {2}Name = "Copy-[^"]+"\n[\s\S]*?\n\}\n/g, "");

  it("no copy job fails for every pool a backup job writes to", () => {
    const found = findings(judgeOffsiteCopy(editDirector(prod, copyJobs))).filter((f) => f.subject.endsWith("on bkp-1"));
    expect(found.map((f) => f.subject).sort()).toEqual([
      ...["F0", "F1", "F2", "F3", "F4", "D0", "D1", "D2", "Hourly"].map((p) => `off-site copy of pool Photos-${p} on bkp-1`),
      ...["Full", "Diff", "Inc"].map((p) => `off-site copy of pool Cycle-${p} on bkp-1`),
    ].sort());
    expect(found.find((f) => f.subject.includes("Photos-F0"))).toMatchObject({ observed: "no Type = Copy job reads this pool", expected: "a Copy job with Pool = Photos-F0, Selection Type = PoolUncopiedJobs and a Next Pool on the NAS storage" });
  });

  it("a pool without its copy job fails, naming the pool", () => {
    const input = editFile(prod, "bkp-2", P.directorConf, (t) => dropResource(t, "Job", "Copy-Photos-Hourly"));
    expect(findings(judgeOffsiteCopy(input))).toEqual([
      expect.objectContaining({ subject: "off-site copy of pool Photos-Hourly on bkp-2", observed: "no Type = Copy job reads this pool" }),
    ]);
  });

  it("a copy to a local device (the NAS pool on the DRBD storage) fails", () => {
    const input = editFile(prod, "bkp-1", P.directorConf, (t) => t.replace(/(Name = "Nas-Photos-D1"\n {2}Pool Type = Backup\n {2}Storage = )"Nas"/, '$1"Drbd"'));
    expect(findings(judgeOffsiteCopy(input))).toEqual([
      expect.objectContaining({ subject: "off-site copy of pool Photos-D1 on bkp-1", observed: "the copy job Copy-Photos-D1 writes to Nas-Photos-D1 on storage Drbd (device DrbdVolumes), which is not the NAS", expected: "a Next Pool whose Storage is the NAS's (Nas)", location: `${P.directorConf}: Job Copy-Photos-D1` }),
    ]);
  });

  it("an unscheduled copy job, or one that selects other jobs, fails", () => {
    const input = editFile(prod, "bkp-1", P.directorConf, (t) => t.replace('  Schedule = "Copy-Cycle-Inc"\n', "").replace(/(Job \{\n {2}Name = "Copy-Photos-F3"\n[\s\S]*?Selection Type = )PoolUncopiedJobs/, "$1OldestVolume"));
    expect(findings(judgeOffsiteCopy(input)).map((f) => [f.subject, f.observed])).toEqual([
      ["selection of the copy job Copy-Photos-F3 on bkp-1", "Selection Type = OldestVolume"],
      ["schedule of the copy job Copy-Cycle-Inc on bkp-1", "no Schedule: it runs only when started by hand"],
    ]);
  });
});
