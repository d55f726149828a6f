import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_MANIFEST, databaseBackupLayout } from "../../backup/database/render-backup-units";
import { startBaculaLab, type BaculaLab } from "../lab/bacula/bacula-lab";
import { LAB_NAMES } from "../lab/bacula/hand-configs";
import { restore, restoredPath } from "../lab/bacula/restore";
import { diffStates, fileContains, seededBytes, snapshotTree, writeFile } from "../lab/bacula/tree";

// The database tier's backups (issue 3's mariabackup directories, backup/database/README.md's layout) reach the
// backup tier and the NAS: a db-1-fd client job saves `<backupDir>/db-1/{full,inc,binlog}`, the copy job puts it
// on the NAS device, and the NAS copy alone restores it identical with the master keypair. No mariadbd runs
// here: the files stand in for mariabackup's output (random bytes, the real manifest name and fields); what
// Bacula moves is bytes, and backup/database's own tests run the real mariabackup.

describe("Bacula 9.6 on loopback: the database backup directory goes to the backup tier and the NAS, and comes back identical", () => {
  let lab: BaculaLab;
  const seed = crypto.randomBytes(6).toString("hex");
  const secret = `IBAC-DB-ROW-${crypto.randomBytes(10).toString("hex")}`;

  beforeAll(async () => {
    lab = await startBaculaLab({ start: [LAB_NAMES.databaseClient] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("db-1-fd's backup directory (full + incremental with manifests, captured binlogs) is backed up, copied to the NAS and restored from the NAS copy alone byte for byte", async () => {
    const layout = databaseBackupLayout({ name: "db-1" }, { backupDir: lab.layout.databaseBackupDir });
    const rel = (p: string): string => path.relative(lab.layout.databaseBackupDir, p);
    const full = `${rel(layout.full)}/20260301T120000Z`;
    const inc = `${rel(layout.incremental)}/20260301T123000Z`;
    const manifest = (kind: string, started: string, base: string | null): Buffer => Buffer.from(`${JSON.stringify({ format: 1, kind, server: "db-1", started, finished: started, gtid: "0-1-42", binlogFile: "mariadb-bin.000042", binlogPosition: 4711, base, fromLsn: 0, toLsn: 123456, toolVersion: "10.11" }, null, 2)}\n`);
    const root = lab.layout.databaseBackupDir;
    writeFile(root, `${full}/ibdata1`, Buffer.concat([seededBytes(`${seed}/ibdata1`, 2 * 1024 * 1024), Buffer.from(secret)]));
    writeFile(root, `${full}/ibac/accounts.ibd`, seededBytes(`${seed}/accounts`, 300_000));
    writeFile(root, `${full}/xtrabackup_checkpoints`, Buffer.from("backup_type = full-backuped\nfrom_lsn = 0\nto_lsn = 123456\n"));
    writeFile(root, `${full}/${BACKUP_MANIFEST}`, manifest("full", "2026-03-01T12:00:00Z", null));
    writeFile(root, `${full}/mariabackup.log`, Buffer.from("completed OK!\n"));
    writeFile(root, `${inc}/ibdata1.delta`, seededBytes(`${seed}/delta`, 200_000));
    writeFile(root, `${inc}/${BACKUP_MANIFEST}`, manifest("incremental", "2026-03-01T12:30:00Z", "20260301T120000Z"));
    writeFile(root, `${rel(layout.binlog)}/mariadb-bin.000042`, seededBytes(`${seed}/binlog`, 500_000));
    const saved = snapshotTree(root);
    expect(saved.size).toBe(8);

    const job = await lab.bconsole.runJob(`run job=${LAB_NAMES.databaseJob} level=Full yes`);
    expect(job.jobStatus, await lab.bconsole.jobLog(job.jobId)).toBe("T");
    expect(job.jobFiles).toBeGreaterThanOrEqual(saved.size);
    const copy = await lab.bconsole.runJob(`run job=${LAB_NAMES.databaseCopyJob} yes`);
    await lab.bconsole.run("wait");
    expect(copy.jobStatus, await lab.bconsole.jobLog(copy.jobId)).toBe("T");
    const copies = (await lab.bconsole.llistJobs()).filter((j) => j.type === "C");
    expect(copies.map((c) => c.priorJobId)).toEqual([job.jobId]);
    const nas = lab.volumes("nas");
    expect(nas.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^DatabaseNAS-\d+$/)]);
    // Encrypted there too: the row's bytes are in no volume.
    expect([...lab.volumes("local"), ...nas].filter((v) => fileContains(v, Buffer.from(secret)))).toEqual([]);

    // The backup tier is lost: local volumes and the original job go, the copy is promoted.
    for (const v of lab.volumes("local")) fs.rmSync(v);
    await lab.bconsole.run(`delete jobid=${job.jobId}`);
    await lab.stopClient(LAB_NAMES.databaseClient);
    await lab.startClient(LAB_NAMES.masterClient);
    const where = path.join(lab.layout.restoreRoot, "db-from-nas");
    const back = await restore(lab, { client: LAB_NAMES.databaseClient, restoreClient: LAB_NAMES.masterClient, fileSet: LAB_NAMES.databaseFileSet, where });
    const log = await lab.bconsole.jobLog(back.jobId);
    expect(back.jobStatus, log).toBe("T");
    expect(log).toMatch(/Ready to read from volume "DatabaseNAS-\d+" on File device "NAS-Device"/);
    expect(diffStates(saved, snapshotTree(restoredPath(where, root)))).toEqual([]);
  });
});
