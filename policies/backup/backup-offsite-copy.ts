import { stackPolicy } from "../kit/define-policy";
import type { Finding, IbacStackPolicy } from "../kit/types";
import { directiveValue, findResource, type BaculaResource } from "./bacula-config-reader";
import { jobValue, jobsOfType, locationOf, nasDevices, nasStorages, poolsOfJob, readBaculaEvidence, scheduleRuns, unreadableFinding, type BaculaConf, type BaculaEvidence } from "./bacula-files";
import { backupJudgeInput, nothingMore, reportJudgement, type BackupJudgeInput, type Judgement } from "./backup-judgement";

/** Bacula's selection that copies every job of a pool not copied yet (one pool per copy job: ARCHITECTURE.md). */
const SELECTION = "PoolUncopiedJobs";

/** The pools a copy job reads: each Run line's Pool (it overrides the job's), else the job's Pool. */
function copySources(director: BaculaConf, copy: BaculaResource): string[] {
  const own = jobValue(director, copy, "Pool");
  const scheduleName = jobValue(director, copy, "Schedule");
  const schedule = scheduleName === undefined ? undefined : findResource(director.resources, "Schedule", scheduleName);
  const runs = (schedule ? scheduleRuns(schedule) : []).flatMap((r) => (r.run ? [r.run.pool ?? own] : []));
  return [...new Set((runs.length ? runs : [own]).filter((p): p is string => p !== undefined))];
}

function copyFindings(director: BaculaConf, evidence: BaculaEvidence): Finding[] {
  const out: Finding[] = [];
  const sd = evidence.storageDaemons.find((c) => c.vm === director.vm);
  const nas = new Map((sd ? nasStorages(director, nasDevices(sd, evidence.files)) : []).map((s) => [s.name, s]));
  const poolStorage = (pool: string): string | undefined => {
    const resource = findResource(director.resources, "Pool", pool);
    return resource ? directiveValue(resource, "Storage") : undefined;
  };
  // The pools backups are written to (the NAS pools are where copies go, not sources).
  const sources = [...new Set(jobsOfType(director, "Backup").flatMap((j) => poolsOfJob(director, j)))].filter((p) => !nas.has(poolStorage(p) ?? ""));
  const copies = jobsOfType(director, "Copy");
  for (const pool of sources) {
    const subject = `off-site copy of pool ${pool} on ${director.vm}`;
    const mine = copies.filter((c) => copySources(director, c).includes(pool));
    if (!mine.length) {
      out.push({ subject, observed: "no Type = Copy job reads this pool", expected: `a Copy job with Pool = ${pool}, Selection Type = ${SELECTION} and a Next Pool on the NAS storage`, urn: director.urn, location: director.path });
      continue;
    }
    for (const copy of mine) {
      const name = directiveValue(copy, "Name") ?? "";
      const at = locationOf(director, copy);
      const selection = jobValue(director, copy, "Selection Type");
      if (selection?.toLowerCase() !== SELECTION.toLowerCase()) {
        out.push({ subject: `selection of the copy job ${name} on ${director.vm}`, observed: selection ? `Selection Type = ${selection}` : "no Selection Type", expected: `Selection Type = ${SELECTION} (every job of ${pool} not copied yet)`, urn: director.urn, location: at });
      }
      const poolResource = findResource(director.resources, "Pool", pool);
      const next = jobValue(director, copy, "Next Pool") ?? (poolResource ? directiveValue(poolResource, "Next Pool") : undefined);
      const storage = next === undefined ? undefined : poolStorage(next);
      if (next === undefined || !findResource(director.resources, "Pool", next)) {
        out.push({ subject, observed: next === undefined ? `the copy job ${name} and pool ${pool} name no Next Pool` : `Next Pool ${next} is not a Pool resource`, expected: "a Next Pool on the NAS storage", urn: director.urn, location: at });
      } else if (!storage || !nas.has(storage)) {
        const local = storage ? findResource(director.resources, "Storage", storage) : undefined;
        const device = local ? directiveValue(local, "Device") : undefined;
        out.push({
          subject,
          observed: storage ? `the copy job ${name} writes to ${next} on storage ${storage}${device ? ` (device ${device})` : ""}, which is not the NAS` : `Next Pool ${next} names no Storage`,
          expected: `a Next Pool whose Storage is the NAS's${nas.size ? ` (${[...nas.keys()].join(", ")})` : ""}`,
          urn: director.urn,
          location: at,
        });
      }
      const scheduleName = jobValue(director, copy, "Schedule");
      const schedule = scheduleName === undefined ? undefined : findResource(director.resources, "Schedule", scheduleName);
      const runs = schedule ? scheduleRuns(schedule) : [];
      if (!runs.some((r) => r.run)) {
        out.push({
          subject: `schedule of the copy job ${name} on ${director.vm}`,
          observed: scheduleName === undefined ? "no Schedule: it runs only when started by hand" : !schedule ? `no Schedule resource named ${scheduleName}` : runs.length ? `Schedule ${scheduleName}: ${runs.map((r) => r.error).join("; ")}` : `Schedule ${scheduleName} has no Run line`,
          expected: "a Schedule with at least one Run line Bacula accepts",
          urn: director.urn,
          location: at,
        });
      }
    }
  }
  return out;
}

/** IBAC-BAK-007 from the delivered files (see the policy). */
export function judgeOffsiteCopy(input: BackupJudgeInput): Judgement {
  const evidence = readBaculaEvidence(input.files);
  if (!evidence.directors.length && !evidence.unreadable.length) return nothingMore([], "no bacula-dir.conf delivered (or its text is not known yet): the copy job is not shown");
  return { findings: [...evidence.unreadable.map(unreadableFinding), ...evidence.directors.flatMap((d) => copyFindings(d, evidence))] };
}

/**
 * Seed design, "Backup strategy": an encrypted copy of all backups is stored on a NAS outside the cluster.
 * Judged from the delivered director and storage daemon: every pool a backup job writes to has a scheduled
 * `Type = Copy` job (Selection Type = PoolUncopiedJobs: one pool per job) whose Next Pool is on the storage
 * whose device mounts the NAS. (That the data is encrypted is IBAC-BAK-003's: the copy moves the client-encrypted
 * volumes as they are.)
 */
export function backupOffsiteCopyPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "backup-offsite-copy",
    description:
      "Every Bacula pool a backup job writes to has a scheduled Type = Copy job (Selection Type = PoolUncopiedJobs) whose Next Pool is on the storage daemon's NAS device.",
    requirements: ["IBAC-BAK-007"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report, notApplicable) => {
    reportJudgement(judgeOffsiteCopy(await backupJudgeInput(view, resources)), report, notApplicable);
  });
}
