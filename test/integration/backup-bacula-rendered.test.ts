import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_MANIFEST, databaseBackupLayout } from "../../backup/database/render-backup-units";
import type { JobRecord } from "../lab/bacula/bconsole";
import { makePkiKeypair } from "../lab/bacula/pki";
import { startRenderedLab, type RenderedLab } from "../lab/bacula/rendered-lab";
import { pointInTime, restore, restoredPath } from "../lab/bacula/restore";
import { diffStates, fileContains, markerFileBytes, seededBytes, snapshotTree, writeFile, writePhotoTree, type TreeState } from "../lab/bacula/tree";
import { requireTool } from "../support/require-tool";

// Proof on real Bacula 9.6.7 daemons (bookworm) on 127.0.0.1 with the files the renderers produce for the lab
// stack (backup/bacula/render-files.ts), changed only by test/lab/bacula/loopback-rewrite.ts: the photos' Hanoi
// pools (Full to Photos-F4 by the job's Full Backup Pool, an Incremental to the hourly pool, a Differential to a daily one) after
// adds, changes and deletes, restored to chosen points in time byte for byte; the rendered copy jobs write the
// NAS device's volumes; a known file's plaintext is in no volume; the NAS copy alone restores with only the
// master keypair and an unrelated keypair fails with Bacula's error; db-1's backup directory (backup/database's
// layout) goes through the database cycle's pools to the NAS and back. The tests share one lab, in order.
//
// Times: real time, one job after another (no faketime: the file daemon compares file times with the director's
// "since" time, so a director at a simulated date would save every file again). A point in time is the first
// whole second after a job ended; the next job starts after it.

const MARKER = `IBAC-MARKER-${crypto.randomBytes(12).toString("hex")}`;
const MARKER_FILE = "albums/05/marker-photo.jpg";
const DB_SECRET = `IBAC-DB-ROW-${crypto.randomBytes(10).toString("hex")}`;

describe("the lab stack's rendered Bacula files on loopback: Hanoi pools, point-in-time restores, NAS copies, the master key", () => {
  let lab: RenderedLab;
  let photos = "";
  const seed = crypto.randomBytes(6).toString("hex");
  const points: { point: string; state: TreeState; job: JobRecord }[] = [];
  let dbJobs: JobRecord[] = [];
  let dbState: TreeState = new Map();

  const job = async (command: string): Promise<JobRecord> => {
    const j = await lab.admin.runJob(command);
    expect(j.jobStatus, `${command}:\n${await lab.admin.jobLog(j.jobId)}`).toBe("T");
    return j;
  };
  /**
   * One copy job at a time, each waited for with the copies it starts. Queued together, five copy jobs did not
   * finish within 60 s here (every one needs the one DRBD device to read and the one NAS device to write, one
   * volume mounted at a time each), where one after another they take about 4 s each.
   */
  // All at once, as their schedules start them (every copy job at the same minute): the director runs one job at a
  // time per storage (Maximum Concurrent Jobs = 1), so they queue and finish; with more they never did in 9.6.7.
  const copyAll = async (copyJobs: readonly string[]): Promise<void> => {
    const queued: number[] = [];
    for (const name of copyJobs) queued.push(await lab.admin.queue(`run job=${name} yes`));
    for (const id of queued) expect((await lab.admin.waitJob(id)).jobStatus, await lab.admin.jobLog(id)).toBe("T");
    await lab.admin.run("wait");
  };
  const modify = (rel: string): void => writeFile(photos, rel, seededBytes(`${seed}/modified/${rel}/${Date.now()}`, fs.statSync(path.join(photos, rel)).size));

  beforeAll(async () => {
    lab = await startRenderedLab(["s3-fd", "db-1-fd"]);
    photos = lab.photosDir;
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("the rendered files run as rendered: Accurate on, PKI encryption with the master key, copy jobs per pool to the NAS storage", () => {
    const dir = fs.readFileSync(lab.paths.directorConf, "utf8");
    expect(dir).toMatch(/Name = "Backup-Photos"[\s\S]*?Accurate = yes/);
    expect(dir).toMatch(/Name = "Copy-Photos-F4"\n\s+Type = Copy[\s\S]*?Selection Type = PoolUncopiedJobs/);
    expect(dir).toMatch(/Name = "Photos-F4"[\s\S]*?Next Pool = "Nas-Photos-F4"/);
    expect(dir).not.toMatch(/^\s*Schedule = /m);
    const fd = fs.readFileSync(lab.clientPaths("s3-fd").fileDaemonConf, "utf8");
    expect(fd).toMatch(/PKI Encryption = yes[\s\S]*PKI Master Key = /);
    expect(fd).toContain("TLS Require = yes");
  });

  it("Full, then an Incremental to the hourly pool and a Differential to a daily Hanoi pool after adds, changes and deletes, restore to each point in time byte for byte, deleted files absent", async () => {
    writePhotoTree(photos, { small: 300, large: 3, largeMiB: [1, 5], seed });
    writeFile(photos, MARKER_FILE, markerFileBytes(MARKER, seed));
    points.push({ job: await job("run job=Backup-Photos level=Full yes"), state: snapshotTree(photos), point: await pointInTime() });
    expect(points[0].job.raw.poolname).toBe("Photos-F4");

    writeFile(photos, "albums/new/added-1.jpg", seededBytes(`${seed}/a1`, 9000));
    modify("albums/00/thumb-0000.jpg");
    modify("originals/IMG_0001.CR2");
    fs.rmSync(path.join(photos, "albums/01/thumb-0001.jpg"));
    points.push({ job: await job("run job=Backup-Photos level=Incremental pool=Photos-Hourly yes"), state: snapshotTree(photos), point: await pointInTime() });

    writeFile(photos, "albums/new/added-2.jpg", seededBytes(`${seed}/a2`, 7000));
    modify("albums/03/thumb-0003.jpg");
    fs.rmSync(path.join(photos, "albums/new/added-1.jpg"));
    fs.rmSync(path.join(photos, "originals/IMG_0002.CR2"));
    points.push({ job: await job("run job=Backup-Photos level=Differential pool=Photos-D0 yes"), state: snapshotTree(photos), point: await pointInTime() });

    expect(points.map((p) => `${p.job.level} ${p.job.raw.poolname}`)).toEqual(["F Photos-F4", "I Photos-Hourly", "D Photos-D0"]);
    for (let i = 1; i < points.length; i++) expect(diffStates(points[i - 1].state, points[i].state).length).toBeGreaterThan(0);
    expect(points[1].job.jobFiles).toBeLessThan(points[0].job.jobFiles / 10);

    for (const [i, p] of points.entries()) {
      const where = path.join(lab.restoreRoot, `point-${i}`);
      const r = await restore({ bconsole: lab.admin }, { client: "s3-fd", fileSet: "Photos", before: p.point, where });
      expect(r.jobStatus, await lab.admin.jobLog(r.jobId)).toBe("T");
      expect(diffStates(p.state, snapshotTree(restoredPath(where, photos))), `restore before ${p.point} (job ${p.job.jobId})`).toEqual([]);
    }
  });

  it("db-1's backup directory (backup/database's layout: full + incremental with manifests, binlogs) goes to the database cycle's pools", async () => {
    const root = lab.databaseBackupDir;
    const layout = databaseBackupLayout({ name: "db-1" }, { backupDir: root });
    const rel = (p: string): string => path.relative(root, p);
    const manifest = (kind: string, started: string, base: string | null): Buffer => Buffer.from(`${JSON.stringify({ format: 1, kind, server: "db-1", started, finished: started, gtid: "0-1-42", binlogFile: "mariadb-bin.000042", binlogPosition: 4711, base, fromLsn: 0, toLsn: 123456, toolVersion: "10.11" }, null, 2)}\n`);
    const full = `${rel(layout.full)}/20260301T120000Z`;
    writeFile(root, `${full}/ibdata1`, Buffer.concat([seededBytes(`${seed}/ibdata1`, 2 * 1024 * 1024), Buffer.from(DB_SECRET)]));
    writeFile(root, `${full}/${BACKUP_MANIFEST}`, manifest("full", "2026-03-01T12:00:00Z", null));
    writeFile(root, `${full}/mariabackup.log`, Buffer.from("completed OK!\n"));
    writeFile(root, `${rel(layout.binlog)}/mariadb-bin.000042`, seededBytes(`${seed}/binlog`, 300_000));
    // The file set leaves out a crashed run's .partial directory and the lock.
    writeFile(root, `${rel(layout.incremental)}/20260301T130000Z.partial/ibdata1.delta`, seededBytes(`${seed}/partial`, 1000));
    dbJobs = [await job("run job=Backup-db-1 level=Full yes")];
    const files = await lab.admin.run(`list files jobid=${dbJobs[0].jobId}`);
    expect(files).toContain("mariadb-bin.000042");
    expect(files).not.toContain(".partial");
    fs.rmSync(path.join(root, `${rel(layout.incremental)}/20260301T130000Z.partial`), { recursive: true });
    const inc = `${rel(layout.incremental)}/20260301T123000Z`;
    writeFile(root, `${inc}/ibdata1.delta`, seededBytes(`${seed}/delta`, 200_000));
    writeFile(root, `${inc}/${BACKUP_MANIFEST}`, manifest("incremental", "2026-03-01T12:30:00Z", "20260301T120000Z"));
    dbJobs.push(await job("run job=Backup-db-1 level=Incremental pool=Cycle-Inc yes"));
    dbState = snapshotTree(root);
    expect(dbJobs.map((j) => `${j.level} ${j.raw.poolname}`)).toEqual(["F Cycle-Full", "I Cycle-Inc"]);
    expect(dbState.size).toBe(6);
  });

  it("the rendered copy jobs write the NAS volumes and the catalog lists a copy of every backup", async () => {
    await copyAll(["Copy-Photos-F4", "Copy-Photos-Hourly", "Copy-Photos-D0", "Copy-Cycle-Full", "Copy-Cycle-Inc"]);
    const all = await lab.admin.llistJobs();
    const originals = [...points.map((p) => p.job), ...dbJobs];
    const copies = all.filter((j) => j.type === "C");
    expect(copies.map((c) => c.priorJobId).sort((a, b) => a - b)).toEqual(originals.map((o) => o.jobId).sort((a, b) => a - b));
    const nas = lab.volumes("nas").map((f) => path.basename(f)).sort();
    expect(nas).toEqual(["Nas-Cycle-Full-", "Nas-Cycle-Inc-", "Nas-Photos-D0-", "Nas-Photos-F4-", "Nas-Photos-Hourly-"].map((p) => expect.stringMatching(new RegExp(`^${p}\\d+$`))));
    const listed = await lab.admin.run("list volumes pool=Nas-Photos-F4");
    expect(listed).toMatch(/Nas-Photos-F4-\d+/);
  });

  it("the plaintext of a known photo and a database row appears in no volume, DRBD or NAS (file names do: the grep works)", () => {
    const volumes = [...lab.volumes("drbd"), ...lab.volumes("nas")];
    expect(volumes.length).toBe(10);
    expect(volumes.filter((v) => fileContains(v, Buffer.from(MARKER)) || fileContains(v, Buffer.from(DB_SECRET)))).toEqual([]);
    const name = Buffer.from(path.basename(MARKER_FILE));
    expect(lab.volumes("drbd").some((v) => fileContains(v, name))).toBe(true);
    expect(lab.volumes("nas").some((v) => fileContains(v, name))).toBe(true);
  });

  it("the NAS copies alone restore photos and db-1 byte for byte with only the master keypair; an unrelated keypair fails with Bacula's error", async () => {
    // The cluster is gone: the DRBD volumes are deleted, the original jobs leave the catalog (their copies are
    // promoted), each client's own keypair is gone and a fresh file daemon under its name holds the master pair.
    for (const v of lab.volumes("drbd")) fs.rmSync(v);
    const originals = [...points.map((p) => p.job), ...dbJobs];
    await lab.admin.run(`delete jobid=${originals.map((o) => o.jobId).join(",")}`);
    const promoted = (await lab.admin.llistJobs()).filter((j) => j.type === "B");
    expect(promoted.length).toBe(originals.length);
    expect(promoted.map((j) => j.raw.poolname).every((p) => p.startsWith("Nas-"))).toBe(true);

    await lab.restartClientWithKeypair("s3-fd", lab.master.keypair);
    await lab.restartClientWithKeypair("db-1-fd", lab.master.keypair);
    const photosWhere = path.join(lab.restoreRoot, "photos-from-nas");
    const r = await restore({ bconsole: lab.admin }, { client: "s3-fd", fileSet: "Photos", where: photosWhere });
    const log = await lab.admin.jobLog(r.jobId);
    expect(r.jobStatus, log).toBe("T");
    expect(log).toMatch(/Ready to read from volume "Nas-Photos-F4-\d+" on File device "NasVolumes"/);
    expect(diffStates(points[points.length - 1].state, snapshotTree(restoredPath(photosWhere, photos)))).toEqual([]);
    const dbWhere = path.join(lab.restoreRoot, "db-from-nas");
    const d = await restore({ bconsole: lab.admin }, { client: "db-1-fd", fileSet: "Database", where: dbWhere });
    expect(d.jobStatus, await lab.admin.jobLog(d.jobId)).toBe("T");
    expect(diffStates(dbState, snapshotTree(restoredPath(dbWhere, lab.databaseBackupDir)))).toEqual([]);

    const other = await makePkiKeypair(path.join(lab.root, "pki"), "unrelated", requireTool("openssl", "openssl"));
    await lab.restartClientWithKeypair("s3-fd", other.keypair);
    const wrongWhere = path.join(lab.restoreRoot, "photos-wrong-key");
    const w = await restore({ bconsole: lab.admin }, { client: "s3-fd", fileSet: "Photos", where: wrongWhere });
    const wrongLog = await lab.admin.jobLog(w.jobId);
    // Bacula 9.6.7: JobStatus E, one error per file, "*** Restore Error ***".
    expect(w.jobStatus, wrongLog).toBe("E");
    expect(w.jobErrors).toBeGreaterThan(0);
    expect(wrongLog).toContain("Error: Missing private key required to decrypt encrypted backup data.");
    expect(wrongLog).toContain("*** Restore Error ***");
    const marker = path.join(restoredPath(wrongWhere, photos), MARKER_FILE);
    expect(fs.existsSync(marker) && fs.readFileSync(marker).includes(Buffer.from(MARKER))).toBe(false);
  });
});
