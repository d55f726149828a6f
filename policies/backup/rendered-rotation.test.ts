import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baculaJson, baculaStand, createCatalog, type BaculaStand } from "../../backup/bacula/bacula-test-stand";
import { renderDirectorConf } from "../../backup/bacula/render-files";
import { PRODUCTION_BACULA_PATHS as P } from "../../backup/bacula/paths";
import type { ScheduleRun } from "../../backup/rotation/types";
import { readBaculaEvidence } from "./bacula-files";
import { photoJobs } from "./photo-jobs";
import { renderedRotation } from "./rendered-rotation";

// What photo-backup-restore-range simulates, against what Bacula itself reads from the same rendered
// bacula-dir.conf (bdirjson, bookworm's Bacula 9.6): the same runs, bitmap for bitmap, and the same retention.

interface BdirRun { Pool?: string; FullPool?: string; Level?: string; Hour: number[]; Minute: number; Day: number[]; Month: number[]; DayOfWeek: number[]; WeekOfMonth: number[]; WeekOfYear: number[] }

describe.each(["prod", "staging", "lab"] as const)("the policy's reading of %s's rendered photo rotation is Bacula's", (stack) => {
  let stand: BaculaStand;
  let conf: string;
  let text: string;

  beforeAll(() => {
    stand = baculaStand(stack);
    createCatalog(stand.plan.director.catalogFile);
    text = renderDirectorConf(stand.plan, stand.secrets, stand.paths);
    conf = stand.write("bacula-dir.conf", text);
  });
  afterAll(() => stand?.remove());

  it("every run (level, the pool a job of it is written to, the bitmaps) and every pool's Volume Retention", () => {
    const evidence = readBaculaEvidence([{ vm: "bkp-1", path: P.directorConf, urn: "urn:test", content: text }]);
    const clients = new Set(stand.plan.clients.filter((c) => c.tier === "objectStore").map((c) => c.name));
    const [job] = photoJobs(evidence.directors[0], clients);
    const rotation = renderedRotation(evidence.directors[0], job, { newestRestorePointHours: 1, oldestRestorePointDays: 183 });
    expect(rotation.findings).toEqual([]);
    const schedule = baculaJson("bdirjson", ["-r", "Schedule", "-n", job.scheduleName ?? ""], conf) as { Run: BdirRun[] };
    const jobJson = baculaJson("bdirjson", ["-r", "Job", "-n", job.name], conf) as { Pool: string; FullBackupPool?: string; Level: string };
    // The director's choice of pool: a Full run's FullPool=, else the Job's Full Backup Pool, else the run's Pool=.
    const theirs: ScheduleRun[] = schedule.Run.map((r) => {
      const level = (r.Level ?? jobJson.Level) as ScheduleRun["level"];
      const pool = (level === "Full" ? r.FullPool ?? jobJson.FullBackupPool : undefined) ?? r.Pool ?? jobJson.Pool;
      return { hour: r.Hour, minute: r.Minute, day: r.Day, month: r.Month, dayOfWeek: r.DayOfWeek, weekOfMonth: r.WeekOfMonth, weekOfYear: r.WeekOfYear, level, pool };
    });
    expect(rotation.plan?.runs).toEqual(theirs);
    const retention = Object.fromEntries((rotation.plan?.pools ?? []).map((p) => [p.name, (baculaJson("bdirjson", ["-r", "Pool", "-n", p.name], conf) as { VolumeRetention: number }).VolumeRetention / 3600]));
    expect(Object.fromEntries((rotation.plan?.pools ?? []).map((p) => [p.name, p.retentionHours]))).toEqual(retention);
    expect(rotation.plan?.pools.length).toBeGreaterThan(3);
  });
});
