import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { differenceLines } from "./backup-verify";
import { bconsoleAnswer, bconsoleCommand, bconsoleLinesOf, directorGreeting, joblogEntries, parseLlistJobs, queuedJobId, selectedFileCount, sha256OfCatalogDigest } from "./bconsole";

// samples/ is what the real Bacula 9.6.7 director of bookworm printed to bconsole (a director on loopback with a
// SQLite catalog seeded with jobs and files; the restore and verify jobs were queued, then cancelled: no storage
// or file daemon ran). So the readers are proven on the real formats, not on a real backup's values.
const sample = (name: string): string => fs.readFileSync(path.join(__dirname, "samples", name), "utf8");

describe("bconsole readers (Bacula 9.6.7's own output)", () => {
  it("the greeting says which director answered; an unreachable one gives none", () => {
    expect(directorGreeting(sample("version.txt"))).toBe("t-dir 9.6.7");
    expect(directorGreeting(sample("version-unreachable.txt"))).toBeUndefined();
  });

  it("llist jobs: every job once, fields checked, times read as UTC", () => {
    const jobs = parseLlistJobs(sample("llist-jobs.txt"), "sample");
    expect(jobs.map((j) => [j.jobId, j.name, j.type, j.level, j.status, j.pool, j.schedTime.toISOString(), j.jobFiles])).toEqual([
      [1, "Photos", "B", "F", "T", "Photos-H01", "2026-11-30T01:05:00.000Z", 3],
      [2, "Photos", "B", "I", "T", "Photos-H01", "2026-11-30T02:05:00.000Z", 1],
    ]);
  });

  it("llist jobid of a cancelled restore: status A, no pool", () => {
    const [job] = parseLlistJobs(sample("llist-cancelled-restore.txt"), "sample");
    expect(job).toMatchObject({ jobId: 5, type: "R", level: "", status: "A", jobFiles: 0 });
    expect(job.pool).toBeUndefined();
  });

  it("a hostile value in llist stops the reading, named", () => {
    const text = sample("llist-jobs.txt").replace("PoolName: Photos-H01", "PoolName: x;reboot");
    expect(() => parseLlistJobs(text, "backup-1: llist")).toThrow('backup-1: llist: job 1: PoolName: expected a pool name, found "x;reboot"');
    expect(() => parseLlistJobs(sample("llist-jobs.txt").replace("JobId: 2", "JobId: 2$(id)"), "s")).toThrow('s: JobId: expected a job id (a positive integer), found "2$(id)"');
  });

  it("restore ... yes: the queued job id and the files selected", () => {
    expect(queuedJobId(sample("restore-queued.txt"), "r")).toBe(5);
    expect(selectedFileCount(sample("restore-queued.txt"), "r")).toBe(1);
    expect(queuedJobId(sample("verify-queued.txt"), "v")).toBe(6);
    expect(() => queuedJobId(sample("version.txt"), "v")).toThrow('v: expected one "Job queued. JobId=N" line, found');
  });

  it("SHA256 digests in Bacula's base64 (43 characters); anything else is no digest", () => {
    const digest = crypto.createHash("sha256").update("photo").digest();
    expect(sha256OfCatalogDigest(digest.toString("base64").replace(/=$/, ""))).toBe(digest.toString("hex"));
    expect(sha256OfCatalogDigest("0")).toBeUndefined();
    expect(sha256OfCatalogDigest("AAAA")).toBeUndefined();
  });

  it("bconsole lines go through printf, each one quoted word, and read back the same", () => {
    const lines = [`restore file="/srv/it's here" where="/x" replace=never`, "done", "yes"];
    const command = bconsoleCommand("/etc/bacula/bconsole.conf", lines);
    expect(command).toBe(`printf '%s\\n' 'restore file="/srv/it'\\''s here" where="/x" replace=never' done yes | bconsole -c /etc/bacula/bconsole.conf`);
    expect(bconsoleLinesOf(command)).toEqual(lines);
  });

  it("joblog messages of a real verify with differences (one cell per message; the job table after it left out)", () => {
    const entries = joblogEntries(bconsoleAnswer(sample("joblog-verify-differences.txt"), "list joblog jobid=3"));
    expect(entries).toHaveLength(15);
    expect(entries[5]).toBe("backup-dir JobId 3: File: /tmp/ibac-bacula-lab-RTGEFw/data/photos/albums/new/added.jpg");
    expect(entries[9]).toMatch(/^backup-dir JobId 3: Bacula backup-dir 9\.6\.7 \(10Dec20\):\n {2}Build OS:/);
    expect(differenceLines(entries)).toEqual([
      "backup-dir JobId 3: File: /tmp/ibac-bacula-lab-RTGEFw/data/photos/albums/new/added.jpg",
      "backup-dir JobId 3:       SHA256 digest differs. File=ma0ydHqTUtkjcIvXIfayz3n8eCVVBUFXdScCjdeHLa4 Cat=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ]);
  });
});
