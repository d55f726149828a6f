import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBaculaLab, type BaculaLab } from "../lab/bacula/bacula-lab";
import type { JobRecord } from "../lab/bacula/bconsole";
import { LAB_NAMES } from "../lab/bacula/hand-configs";
import { clientByName } from "../lab/bacula/layout";
import { pointInTime, restore, restoredPath } from "../lab/bacula/restore";
import { diffStates, fileContains, markerFileBytes, seededBytes, snapshotTree, writeFile, writePhotoTree, type TreeState } from "../lab/bacula/tree";

// Proof on real Bacula 9.6.7 daemons (bookworm) on 127.0.0.1, SQLite catalog: a photo tree backed up Full, then
// Incremental, Differential, Incremental after changes (add, modify, delete), restored to chosen points in time
// byte for byte; the copy job writes the NAS device's volumes; the plaintext of a known file is in no volume; the
// NAS copy alone restores with only the master keypair, and an unrelated keypair fails with Bacula's own error.
// The tests share one lab and run in order (the last one deletes the local volumes).
//
// Times: the jobs run in real time one after another (no faketime): a file daemon compares file times with the
// director's "since" time, so a director at a simulated date would back up every file on every Incremental.
// Each point in time is the first whole second after a job ended; the next job starts after it.
//
// What differs from production (test/lab/bacula/README.md): hand-written configs with the renderers' directives,
// one host, TLS on every link except Director <-> Storage daemon (Bacula 9.6.7 deadlocks a copy job there).

const MARKER = `IBAC-MARKER-${crypto.randomBytes(12).toString("hex")}`;
const MARKER_FILE = "albums/05/marker-photo.jpg";

describe("Bacula 9.6 on loopback: photo backups, point-in-time restores, the NAS copy and the master key", () => {
  let lab: BaculaLab;
  let photos = "";
  const states: { point: string; state: TreeState; job: JobRecord }[] = [];
  const seed = crypto.randomBytes(6).toString("hex");

  const backup = async (level: "Full" | "Incremental" | "Differential"): Promise<JobRecord> => {
    const job = await lab.bconsole.runJob(`run job=${LAB_NAMES.photosJob} level=${level} yes`);
    expect(job.jobStatus, `${level} backup:\n${await lab.bconsole.jobLog(job.jobId)}`).toBe("T");
    expect(job.level).toBe(level[0]);
    return job;
  };
  const modify = (rel: string): void => writeFile(photos, rel, seededBytes(`${seed}/modified/${rel}/${Date.now()}`, fs.statSync(path.join(photos, rel)).size));
  const remove = (rel: string): void => fs.rmSync(path.join(photos, rel));

  beforeAll(async () => {
    lab = await startBaculaLab();
    photos = lab.layout.photosDir;
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("Full, Incremental, Differential, Incremental after adds, changes and deletes restore to each point in time byte for byte, deleted files absent (Accurate)", async () => {
    writePhotoTree(photos, { small: 300, large: 3, largeMiB: [1, 5], seed });
    writeFile(photos, MARKER_FILE, markerFileBytes(MARKER, seed));
    states.push({ job: await backup("Full"), state: snapshotTree(photos), point: await pointInTime() });

    writeFile(photos, "albums/new/added-1.jpg", seededBytes(`${seed}/a1`, 9000));
    writeFile(photos, "albums/new/added-2.jpg", seededBytes(`${seed}/a2`, 12000));
    modify("albums/00/thumb-0000.jpg");
    modify("originals/IMG_0001.CR2");
    remove("albums/01/thumb-0001.jpg");
    remove("albums/02/thumb-0002.jpg");
    states.push({ job: await backup("Incremental"), state: snapshotTree(photos), point: await pointInTime() });

    writeFile(photos, "albums/new/added-3.jpg", seededBytes(`${seed}/a3`, 7000));
    modify("albums/03/thumb-0003.jpg");
    remove("albums/new/added-1.jpg");
    remove("originals/IMG_0002.CR2");
    states.push({ job: await backup("Differential"), state: snapshotTree(photos), point: await pointInTime() });

    modify("albums/new/added-2.jpg");
    remove("albums/04/thumb-0004.jpg");
    writeFile(photos, "albums/new/added-4.jpg", seededBytes(`${seed}/a4`, 5000));
    states.push({ job: await backup("Incremental"), state: snapshotTree(photos), point: await pointInTime() });

    // The states really differ (else a restore of the wrong point would pass).
    for (let i = 1; i < states.length; i++) expect(diffStates(states[i - 1].state, states[i].state).length).toBeGreaterThan(0);
    // The Incrementals and the Differential saved only what changed, not the whole tree again.
    expect(states[1].job.jobFiles).toBeLessThan(states[0].job.jobFiles / 10);

    for (const [i, s] of states.entries()) {
      const where = path.join(lab.layout.restoreRoot, `point-${i}`);
      const job = await restore(lab, { client: LAB_NAMES.photosClient, fileSet: LAB_NAMES.photosFileSet, before: s.point, where });
      expect(job.jobStatus, `restore before ${s.point}:\n${await lab.bconsole.jobLog(job.jobId)}`).toBe("T");
      expect(diffStates(s.state, snapshotTree(restoredPath(where, photos))), `restore before ${s.point} (after job ${s.job.jobId}, ${s.job.level})`).toEqual([]);
    }
  });

  it("the copy job writes the NAS volumes and the catalog lists a copy of every backup", async () => {
    const control = await lab.bconsole.runJob(`run job=${LAB_NAMES.photosCopyJob} yes`);
    await lab.bconsole.run("wait");
    expect(control.jobStatus, await lab.bconsole.jobLog(control.jobId)).toBe("T");
    const jobs = await lab.bconsole.llistJobs();
    const copies = jobs.filter((j) => j.type === "C");
    expect(copies.map((c) => c.priorJobId).sort((a, b) => a - b)).toEqual(states.map((s) => s.job.jobId).sort((a, b) => a - b));
    for (const c of copies) expect(c.jobStatus, `copy ${c.jobId}`).toBe("T");
    const nasVolumes = lab.volumes("nas").map((f) => path.basename(f)).sort();
    expect(nasVolumes.length).toBe(states.length);
    const listed = await lab.bconsole.run(`list volumes pool=${LAB_NAMES.photosNasPool}`);
    for (const v of nasVolumes) expect(listed).toContain(v);
    // The NAS volumes hold the data: together at least as many bytes as the backups wrote.
    const nasBytes = lab.volumes("nas").reduce((n, f) => n + fs.statSync(f).size, 0);
    expect(nasBytes).toBeGreaterThanOrEqual(states.reduce((n, s) => n + s.job.jobBytes, 0));
  });

  it("the plaintext of a known file appears in no volume, local or NAS (file names do: the grep works)", () => {
    expect(fs.readFileSync(path.join(photos, MARKER_FILE)).includes(Buffer.from(MARKER))).toBe(true);
    const volumes = [...lab.volumes("local"), ...lab.volumes("nas")];
    expect(volumes.length).toBe(2 * states.length);
    expect(volumes.filter((v) => fileContains(v, Buffer.from(MARKER)))).toEqual([]);
    // Control: Bacula keeps file names in clear, so the marker file's name is found in the Full's volumes.
    const name = Buffer.from(path.basename(MARKER_FILE));
    expect(lab.volumes("local").some((v) => fileContains(v, name))).toBe(true);
    expect(lab.volumes("nas").some((v) => fileContains(v, name))).toBe(true);
  });

  it("the NAS copy alone restores byte for byte with only the master keypair; an unrelated keypair fails with Bacula's error", async () => {
    // The cluster is gone: the local volumes are deleted, the original jobs leave the catalog (their copies are
    // promoted to backups), the original client and its keypair are gone.
    for (const v of lab.volumes("local")) fs.rmSync(v);
    await lab.bconsole.run(`delete jobid=${states.map((s) => s.job.jobId).join(",")}`);
    const promoted = (await lab.bconsole.llistJobs()).filter((j) => j.type === "B" && j.name === LAB_NAMES.photosJob);
    expect(promoted.map((j) => j.jobId)).not.toContain(states[0].job.jobId);
    expect(promoted.length).toBe(states.length);
    await lab.stopClient(LAB_NAMES.photosClient);
    fs.rmSync(clientByName(lab.layout, LAB_NAMES.photosClient).pkiKeypair);
    const master = clientByName(lab.layout, LAB_NAMES.masterClient);
    expect(master.pkiKeypair).toBe(lab.master.keypair);

    await lab.startClient(LAB_NAMES.masterClient);
    const where = path.join(lab.layout.restoreRoot, "from-nas-master");
    const job = await restore(lab, { client: LAB_NAMES.photosClient, restoreClient: LAB_NAMES.masterClient, fileSet: LAB_NAMES.photosFileSet, where });
    const log = await lab.bconsole.jobLog(job.jobId);
    expect(job.jobStatus, log).toBe("T");
    expect(log).toMatch(/Ready to read from volume "PhotosNAS-\d+" on File device "NAS-Device"/);
    expect(log).not.toMatch(/volume "Photos-\d+"/);
    expect(diffStates(states[states.length - 1].state, snapshotTree(restoredPath(where, photos)))).toEqual([]);

    await lab.startClient(LAB_NAMES.wrongClient);
    const wrongWhere = path.join(lab.layout.restoreRoot, "from-nas-wrong-key");
    const wrong = await restore(lab, { client: LAB_NAMES.photosClient, restoreClient: LAB_NAMES.wrongClient, fileSet: LAB_NAMES.photosFileSet, where: wrongWhere });
    const wrongLog = await lab.bconsole.jobLog(wrong.jobId);
    expect(wrong.jobStatus, wrongLog).not.toBe("T");
    expect(wrongLog).toContain("Missing private key required to decrypt encrypted backup data.");
    // Nothing of the marker file's content came back.
    const restoredMarker = path.join(restoredPath(wrongWhere, photos), MARKER_FILE);
    expect(fs.existsSync(restoredMarker) && fs.readFileSync(restoredMarker).includes(Buffer.from(MARKER))).toBe(false);
  });
});
