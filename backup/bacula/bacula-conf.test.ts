// The Bacula files of the prod, staging and lab stacks, read by Bacula's own programs: `bacula-dir -t`,
// `bacula-sd -t`, `bacula-fd -t` (every client), `bconsole -t`, and bdirjson/bsdjson/bfdjson for what Bacula
// understood. The proof covers bookworm's Bacula 9.6 (the syntax used is also 15.0's). The files are rendered
// with a paths table below a temporary directory (bacula-test-stand.ts), holding throwaway openssl
// certificates, keys and PKI keypairs and an empty SQLite catalog with Debian's schema.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun } from "../../test/support/require-tool";
import type { ScheduleRun } from "../rotation/types";
import { bacula, baculaJson, baculaStand, createCatalog, type BaculaStand } from "./bacula-test-stand";
import { renderBconsoleConf, renderDirectorConf, renderFileDaemonConf, renderStorageDaemonConf } from "./render-files";
import { NAS_STORAGE, nasPool } from "./derive-bacula-plan";
import { fixtureRotation } from "./fixture-rotation";

interface BdirRun { Pool: string; FullPool?: string; Level: string; Hour: number[]; Minute: number; Day: number[]; Month: number[]; DayOfWeek: number[]; WeekOfMonth: number[]; WeekOfYear: number[] }

/**
 * Bacula's reading of a Run line in the plan's terms: the pool a job of that run is written to (for a Full run
 * FullPool=, which wins over the Job's Full Backup Pool and over Pool=).
 */
function runFromBdirjson(r: BdirRun): ScheduleRun {
  const pool = r.Level === "Full" ? (r.FullPool ?? "(no FullPool: the Job's Full Backup Pool would win)") : r.Pool;
  return { level: r.Level as ScheduleRun["level"], pool, hour: r.Hour, minute: r.Minute, day: r.Day, month: r.Month, dayOfWeek: r.DayOfWeek, weekOfMonth: r.WeekOfMonth, weekOfYear: r.WeekOfYear };
}

const CASES = [
  { stack: "prod", label: "prod (its Hanoi rotation)" },
  { stack: "staging", label: "staging (its Hanoi rotation)" },
  { stack: "lab", label: "lab (its Hanoi rotation)" },
  // A rotation narrowing every field a Run line has (weeks of the month, months, days, week 53).
  { stack: "prod", label: "prod with the every-field rotation", rotation: fixtureRotation() },
] as const;

describe.each(CASES)("Bacula 9.6 reads the files of $label", ({ stack, ...rest }) => {
  let stand: BaculaStand;
  let dirConf: string;
  let sdConf: string;
  let bconsoleConf: string;
  const fdConfs = new Map<string, string>();

  beforeAll(() => {
    stand = baculaStand(stack, "rotation" in rest ? rest.rotation : undefined);
    const { plan, secrets, paths } = stand;
    createCatalog(plan.director.catalogFile);
    dirConf = stand.write("bacula-dir.conf", renderDirectorConf(plan, secrets, paths));
    sdConf = stand.write("bacula-sd.conf", renderStorageDaemonConf(plan, secrets, paths));
    bconsoleConf = stand.write("bconsole.conf", renderBconsoleConf(plan, secrets, paths));
    for (const c of plan.clients) fdConfs.set(c.name, stand.write(`${c.name}.conf`, renderFileDaemonConf(plan, c.name, secrets, paths)));
  });
  afterAll(() => stand?.remove());

  it("bacula-dir -t accepts bacula-dir.conf", () => {
    const result = bacula("bacula-dir", ["-t"], dirConf);
    expect(result.status, describeRun(result)).toBe(0);
  });

  it("bacula-sd -t accepts bacula-sd.conf", () => {
    const result = bacula("bacula-sd", ["-t"], sdConf);
    expect(result.status, describeRun(result)).toBe(0);
  });

  it("bacula-fd -t accepts every client's bacula-fd.conf", () => {
    expect([...fdConfs.keys()]).toEqual(stand.plan.clients.map((c) => c.name));
    for (const conf of fdConfs.values()) {
      const result = bacula("bacula-fd", ["-t"], conf);
      expect(result.status, describeRun(result)).toBe(0);
    }
  });

  it("bconsole -t accepts bconsole.conf", () => {
    const result = bacula("bconsole", ["-t"], bconsoleConf);
    expect(result.status, describeRun(result)).toBe(0);
  });

  it("the checks fail on a damaged file (green means checked)", () => {
    const damaged = stand.write("damaged-dir.conf", fs.readFileSync(dirConf, "utf8").replace("Maximum Volume Jobs = 1", "Maximum Volume Jobz = 1"));
    const result = bacula("bacula-dir", ["-t"], damaged);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('Keyword "MaximumVolumeJobz" not permitted in this resource');
    const noMaster = stand.write("no-master-fd.conf", fs.readFileSync(fdConfs.get("s3-fd") as string, "utf8").replaceAll(stand.paths.pkiMasterCertificate, `${stand.dir}/missing.pem`));
    const fd = bacula("bacula-fd", ["-t"], noMaster);
    expect(fd.status).not.toBe(0);
    expect(fd.stdout + fd.stderr).toContain("Failed to load master key certificate");
  });

  it("bdirjson reads every schedule as the plan's runs, field by field", () => {
    expect(stand.plan.schedules.map((s) => s.name)).toContain(stand.plan.rotation.scheduleName);
    for (const schedule of stand.plan.schedules) {
      const json = baculaJson("bdirjson", ["-r", "Schedule", "-n", schedule.name], dirConf) as { Name: string; Run: BdirRun[] };
      expect(json.Name).toBe(schedule.name);
      expect(json.Run.map(runFromBdirjson), `schedule ${schedule.name}`).toEqual(schedule.runs);
    }
  });

  it("bdirjson: every pool keeps one job per volume for its retention, and each source pool has its NAS copy pool", () => {
    for (const pool of stand.plan.pools) {
      const json = baculaJson("bdirjson", ["-r", "Pool", "-n", pool.name], dirConf) as Record<string, unknown>;
      expect(json).toMatchObject({ Name: pool.name, MaximumVolumeJobs: pool.jobsPerVolume, VolumeRetention: pool.retentionHours * 3600, LabelFormat: pool.labelFormat, Recycle: true, AutoPrune: true, ActionOnPurge: "Truncate", Storage: [pool.storage] });
      if (pool.storage === NAS_STORAGE) expect(json.NextPool).toBeUndefined();
      else expect(json.NextPool).toBe(nasPool(pool.name));
    }
  });

  it("bdirjson: one Copy job per source pool (PoolUncopiedJobs), after the backups", () => {
    const sources = stand.plan.pools.filter((p) => p.nextPool).map((p) => p.name);
    expect(stand.plan.copyJobs.map((c) => c.pool).sort()).toEqual([...sources].sort());
    for (const copy of stand.plan.copyJobs) {
      const json = baculaJson("bdirjson", ["-r", "Job", "-n", copy.name], dirConf) as Record<string, unknown>;
      expect(json).toMatchObject({ Type: "Copy", Pool: copy.pool, SelectionType: "PoolUncopiedJobs", Schedule: copy.schedule, Priority: 20 });
    }
    for (const job of stand.plan.backupJobs) {
      const json = baculaJson("bdirjson", ["-r", "Job", "-n", job.name], dirConf) as Record<string, unknown>;
      expect(json).toMatchObject({ Type: "Backup", Client: job.client, Fileset: job.fileSet, Schedule: job.schedule, FullBackupPool: job.fullPool, Priority: 10 });
    }
  });

  it("bdirjson: the director dials its storage daemon on the loopback (same VM, no TLS), one job at a time per device; file daemons get the service address", () => {
    for (const s of stand.plan.storages) {
      const json = (baculaJson("bdirjson", ["-r", "Storage", "-n", s.name], dirConf) as { Storage: Record<string, unknown> }[])[0]?.Storage
        ?? (baculaJson("bdirjson", ["-r", "Storage", "-n", s.name], dirConf) as Record<string, unknown>);
      expect(json).toMatchObject({ Name: s.name, Address: "127.0.0.1", FdStorageAddress: s.address, MaximumConcurrentJobs: 1 });
      expect(json.TlsEnable).toBeFalsy();
    }
    expect(baculaJson("bdirjson", ["-r", "Job", "-n", "Backup-Photos"], dirConf)).toMatchObject({ Accurate: true });
    // bdirjson 9.6 does not print Rerun Failed Levels; bacula-dir -t above accepted it, the text says it is there.
    expect(/Job \{\n {2}Name = "Backup-Photos"\n[^}]*\n {2}Rerun Failed Levels = yes\n/.test(fs.readFileSync(dirConf, "utf8"))).toBe(true);
  });

  it("bdirjson: the client resources keep catalog records as long as their longest pool", () => {
    for (const c of stand.plan.clients) {
      const json = baculaJson("bdirjson", ["-r", "Client", "-n", c.name], dirConf) as Record<string, unknown>;
      const poolNames = new Set(stand.plan.backupJobs.filter((j) => j.client === c.name).flatMap((j) => stand.plan.schedules.find((s) => s.name === j.schedule)?.runs.map((r) => r.pool) ?? []));
      const longestHours = Math.max(...stand.plan.pools.filter((p) => poolNames.has(p.name) || poolNames.has(p.name.replace(/^Nas-/, ""))).map((p) => p.retentionHours));
      expect(json).toMatchObject({ Name: c.name, Address: c.address, TlsEnable: true, TlsRequire: true, TlsAllowedCn: [c.tlsName] });
      expect(json.FileRetention as number).toBeGreaterThanOrEqual(longestHours * 3600);
      expect(json.JobRetention as number).toBeGreaterThanOrEqual(longestHours * 3600);
    }
  });

  it("bfdjson: every file daemon encrypts and signs (PKI) for its keypair and the master certificate, TLS only from the director", () => {
    for (const [client, conf] of fdConfs) {
      const json = baculaJson("bfdjson", [], conf) as Record<string, Record<string, unknown>>[];
      const fd = json.find((r) => r.FileDaemon)?.FileDaemon;
      const director = json.find((r) => r.Director)?.Director;
      expect(fd, client).toMatchObject({ Name: client, PkiSignatures: true, PkiEncryption: true, PkiKeyPair: stand.paths.pkiKeypair, PkiMasterKey: [stand.plan.masterCertificatePath], TlsEnable: true, TlsRequire: true });
      expect(director, client).toMatchObject({ Name: stand.plan.director.name, TlsEnable: true, TlsRequire: true, TlsVerifyPeer: true, TlsAllowedCn: [stand.plan.director.tlsName] });
    }
  });

  it("bsdjson: the volumes on the DRBD volume, the NAS mounted on demand by the component's scripts", () => {
    const json = baculaJson("bsdjson", [], sdConf) as Record<string, Record<string, unknown>>[];
    const devices = json.filter((r) => r.Device).map((r) => r.Device);
    const byName = (n: string): Record<string, unknown> | undefined => devices.find((d) => d.Name === n);
    expect(byName("DrbdVolumes")).toMatchObject({ ArchiveDevice: stand.paths.volumeDirectory, MediaType: "DrbdFile", LabelMedia: true });
    expect(byName("NasVolumes")).toMatchObject({
      ArchiveDevice: stand.paths.nasMountPoint,
      MediaType: "NasFile",
      RequiresMount: true,
      MountPoint: stand.paths.nasMountPoint,
      MountCommand: `${stand.paths.nasMountCommand} %m`,
      UnmountCommand: `${stand.paths.nasUnmountCommand} %m`,
    });
    const storage = json.find((r) => r.Storage)?.Storage;
    expect(storage).toMatchObject({ TlsRequire: true, TlsVerifyPeer: true, TlsAllowedCn: [...stand.plan.clients.map((c) => c.tlsName), stand.plan.storageDaemon.tlsName] });
  });
});
