import type { Flow } from "../../components/model/types";
import { DEFAULT_SIMULATION } from "../../backup/rotation/compare";
import { simulateRotation } from "../../backup/rotation/simulate";
import { summarize, type SimulationSummary } from "../../backup/rotation/summary";
import { stackPolicy } from "../kit/define-policy";
import type { Finding, IbacStackPolicy } from "../kit/types";
import { locationOf, readBaculaEvidence, unreadableFinding } from "./bacula-files";
import { backupJudgeInput, nothingMore, reportJudgement, type BackupJudgeInput, type Judgement } from "./backup-judgement";
import { objectStoreClientNames, photoJobs } from "./photo-jobs";
import { renderedRotation } from "./rendered-rotation";

/** Seed design, "Backup strategy": restore each photo from 1 hour to 6 months ago (6 months: 183 days). */
export const DESIGN_NEWEST_RESTORE_POINT_HOURS = 1;
export const DESIGN_OLDEST_RESTORE_POINT_DAYS = 183;
/** The window replayed: two years hour by hour, across two year ends (one with Bacula's w53). */
export const POLICY_SIMULATION = { from: new Date(`${DEFAULT_SIMULATION.from}T00:00:00Z`), days: DEFAULT_SIMULATION.days };
const CHANGE_PER_DAY = 0.02;

/** Whether the model has a flow from one tier to another on a port (Bacula's director and storage daemon). */
function hasFlow(flows: readonly Flow[], from: string, to: string, port: string): boolean {
  return flows.some((f) => f.source.kind === "tier" && f.source.tier === from && f.destination.kind === "tier" && f.destination.tier === to && f.protocol === "tcp" && f.ports === port);
}

/** The spec's promise against the design's, and the model's Bacula flows. */
function designFindings(input: BackupJudgeInput): Finding[] {
  const out: Finding[] = [];
  const photos = input.spec.backupPolicy.photos;
  const at = (key: string): string => `spec.backupPolicy.photos.${key}`;
  if (photos.rotation !== "hanoi") out.push({ subject: "photo backup rotation", observed: `rotation: ${String(photos.rotation)}`, expected: "rotation: hanoi (Tower of Hanoi)", urn: input.urn, location: at("rotation") });
  if (!(photos.newestRestorePointHours <= DESIGN_NEWEST_RESTORE_POINT_HOURS)) {
    out.push({ subject: "newest photo restore point", observed: `newestRestorePointHours: ${photos.newestRestorePointHours}`, expected: `newestRestorePointHours at most ${DESIGN_NEWEST_RESTORE_POINT_HOURS} (restore from 1 hour ago)`, urn: input.urn, location: at("newestRestorePointHours") });
  }
  if (!(photos.oldestRestorePointDays >= DESIGN_OLDEST_RESTORE_POINT_DAYS)) {
    out.push({ subject: "oldest photo restore point", observed: `oldestRestorePointDays: ${photos.oldestRestorePointDays}`, expected: `oldestRestorePointDays at least ${DESIGN_OLDEST_RESTORE_POINT_DAYS} (restore from 6 months ago)`, urn: input.urn, location: at("oldestRestorePointDays") });
  }
  const missing = [
    ...(hasFlow(input.model.flows, "backup", "objectStore", "9102") ? [] : ["backup -> objectStore tcp/9102 (director to file daemon)"]),
    ...(hasFlow(input.model.flows, "objectStore", "backup", "9103") ? [] : ["objectStore -> backup tcp/9103 (file daemon to storage daemon)"]),
  ];
  if (missing.length) out.push({ subject: "Bacula flows of the photo backups", observed: `no flow ${missing.join(", no flow ")}`, expected: "both Bacula flows between the backup tier and the object store", urn: input.urn, location: "model.flows" });
  return out;
}

/** The simulator's verdict on a rendered rotation, as findings. */
function promiseFindings(summary: SimulationSummary, vm: string, scheduleName: string, urn: string, location: string): Finding[] {
  const out: Finding[] = [];
  const where = `${summary.from.slice(0, 10)}..${summary.to.slice(0, 10)}`;
  const { newest, oldest, chain } = summary.promises;
  const broken = (p: { broken: number; checkedHours: number; firstBroken?: string }): string => `${p.broken} of ${p.checkedHours} hours${p.firstBroken ? `, first ${p.firstBroken}` : ""}`;
  if (!newest.holds) {
    out.push({ subject: `newest photo restore point (${scheduleName} on ${vm}, simulated ${where})`, observed: `up to ${newest.worst} h old (${broken(newest)})`, expected: `a restore point at most ${newest.limit} h old at every hour`, urn, location });
  }
  if (!oldest.holds) {
    out.push({ subject: `oldest photo restore point (${scheduleName} on ${vm}, simulated ${where})`, observed: `only ${oldest.worst} days old at worst (${broken(oldest)}, checked from ${oldest.checkedFrom.slice(0, 10)})`, expected: `a restore point at least ${oldest.limit} days old at every hour`, urn, location });
  }
  if (!chain.holds) {
    out.push({ subject: `retention of the photo pools (${scheduleName} on ${vm})`, observed: `${chain.broken} jobs outlive a job their restore needs (first ${chain.firstBroken ?? ""}): a parent's pool is recycled first`, expected: "every pool's Volume Retention covers the chains that need its jobs", urn, location });
  }
  return out;
}

/** IBAC-BAK-002 from the delivered director (see the policy). */
export function judgeRestoreRange(input: BackupJudgeInput, simulated = new Map<string, SimulationSummary>()): Judgement {
  const findings = designFindings(input);
  const evidence = readBaculaEvidence(input.files);
  if (!evidence.directors.length && !evidence.unreadable.length) return nothingMore(findings, "no bacula-dir.conf delivered (or its text is not known yet): the restore range is only declared");
  findings.push(...evidence.unreadable.map(unreadableFinding));
  const photos = input.spec.backupPolicy.photos;
  const promise = {
    newestRestorePointHours: Math.min(photos.newestRestorePointHours, DESIGN_NEWEST_RESTORE_POINT_HOURS),
    oldestRestorePointDays: Math.max(photos.oldestRestorePointDays, DESIGN_OLDEST_RESTORE_POINT_DAYS),
  };
  const clients = objectStoreClientNames(evidence, input.model);
  for (const director of evidence.directors) {
    const jobs = photoJobs(director, clients);
    if (!jobs.length) {
      findings.push({ subject: `photo backups in ${director.vm}'s director`, observed: "no Backup job of the object store's file daemon: no photo restore point at all", expected: "a photo job whose schedule keeps the restore range", urn: director.urn, location: director.path });
      continue;
    }
    for (const job of jobs) {
      const rotation = renderedRotation(director, job, promise);
      findings.push(...rotation.findings);
      if (!rotation.plan) continue;
      // Both backup VMs get the same file: one simulation per distinct rotation.
      const key = JSON.stringify([rotation.plan, rotation.upgradeInto]);
      let summary = simulated.get(key);
      if (!summary) {
        summary = summarize(simulateRotation(rotation.plan, { ...POLICY_SIMULATION, changePerDay: CHANGE_PER_DAY, upgradeInto: rotation.upgradeInto, ...promise }), promise, CHANGE_PER_DAY);
        simulated.set(key, summary);
      }
      findings.push(...promiseFindings(summary, director.vm, rotation.plan.scheduleName, director.urn, locationOf(director, job.schedule ?? job.job)));
    }
  }
  return { findings };
}

/**
 * Seed design, "Backup strategy": photos are backed up by Bacula with the "Tower of Hanoi" rotation so that any
 * file can be restored from 1 hour to 6 months ago. Judged from the delivered bacula-dir.conf: the photo job's
 * schedule, read the way Bacula reads it, with the pools' retention as written, replayed by the rotation's
 * simulator hour by hour over two years: a restore point at most 1 hour old and one at least 183 days old at
 * every hour (after the first 183 days), and no job kept longer than a job its restore needs. The spec's
 * declared range is checked against the design's too.
 */
export function photoBackupRestoreRangePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "photo-backup-restore-range",
    description:
      "The photo job's schedule and pools in the delivered bacula-dir.conf, replayed hour by hour over two years by the restore-point simulator, keep a restore point at most 1 hour old and one at least 183 days old at every hour, with every chain's parent retained; the spec declares that range.",
    requirements: ["IBAC-BAK-002"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report, notApplicable) => {
    reportJudgement(judgeRestoreRange(await backupJudgeInput(view, resources)), report, notApplicable);
  });
}
