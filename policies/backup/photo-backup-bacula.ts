import { PRODUCTION_BACULA_PATHS } from "../../backup/bacula/paths";
import { photoRotation } from "../../backup/rotation/hanoi-plan";
import { stackPolicy } from "../kit/define-policy";
import { fileKey } from "../kit/pending-files";
import type { Finding, IbacStackPolicy } from "../kit/types";
import { directiveValues, resourcesOf } from "./bacula-config-reader";
import { jobValue, locationOf, readBaculaEvidence, unreadableFinding, type BaculaConf } from "./bacula-files";
import { backupJudgeInput, nothingMore, reportJudgement, type BackupJudgeInput, type Judgement } from "./backup-judgement";
import { fileSetPaths, objectStoreClientNames, photoJobs } from "./photo-jobs";

const P = PRODUCTION_BACULA_PATHS;

/** A path that is the export directory, inside it, or above it (a FileSet that saves it). */
const covers = (saved: string, wanted: string): boolean => saved === wanted || wanted.startsWith(`${saved.replace(/\/$/, "")}/`) || saved.startsWith(`${wanted}/`);

/** IBAC-BAK-005 from the delivered files (see the policy). */
export function judgePhotoBacula(input: BackupJudgeInput): Judgement {
  const findings: Finding[] = [];
  const evidence = readBaculaEvidence(input.files);
  const any = evidence.directors.length + evidence.storageDaemons.length + evidence.fileDaemons.length + evidence.unreadable.length;
  if (!any) return nothingMore(findings, "no Bacula configuration delivered (or its text is not known yet): the photo backups are only declared");
  findings.push(...evidence.unreadable.map(unreadableFinding));
  const backupVms = input.model.vms.filter((v) => v.tier === "backup").map((v) => v.name);
  const objectStoreVms = input.model.vms.filter((v) => v.tier === "objectStore").map((v) => v.name);
  const has = (confs: readonly BaculaConf[], vm: string, type: string, path: string): boolean =>
    input.pending.has(fileKey(vm, path)) || confs.some((c) => c.vm === vm && resourcesOf(c.resources, type).length > 0);

  if (!backupVms.length) findings.push({ subject: "the backup tier", observed: "no backup VM", expected: "the VMs that run the Bacula director and storage daemon", urn: input.urn, location: "model.vms" });
  for (const vm of backupVms) {
    if (!has(evidence.directors, vm, "Director", P.directorConf)) findings.push({ subject: `Bacula director on ${vm}`, observed: `no ${P.directorConf} with a Director resource`, expected: "the director on every backup VM (it moves with the backup volume)", urn: input.vmUrn(vm), location: P.directorConf });
    if (!has(evidence.storageDaemons, vm, "Storage", P.storageConf)) findings.push({ subject: `Bacula storage daemon on ${vm}`, observed: `no ${P.storageConf} with a Storage resource`, expected: "the storage daemon on every backup VM", urn: input.vmUrn(vm), location: P.storageConf });
  }
  for (const conf of [...evidence.directors, ...evidence.storageDaemons].filter((c) => !backupVms.includes(c.vm))) {
    findings.push({ subject: `Bacula ${conf.path === P.directorConf ? "director" : "storage daemon"} on ${conf.vm}`, observed: `${conf.path} delivered to a VM outside the backup tier`, expected: "the director and the storage daemon on the backup tier only", urn: conf.urn, location: conf.path });
  }
  if (!objectStoreVms.length) findings.push({ subject: "the photos' file daemons", observed: "no object-store VM", expected: "the object-store VMs that hold the photos, each with a Bacula file daemon", urn: input.urn, location: "model.vms" });
  for (const vm of objectStoreVms) {
    if (!has(evidence.fileDaemons, vm, "FileDaemon", P.fileDaemonConf)) findings.push({ subject: `Bacula file daemon on ${vm}`, observed: `no ${P.fileDaemonConf} with a FileDaemon resource`, expected: "a file daemon on every object-store VM (the photos are saved from there)", urn: input.vmUrn(vm), location: P.fileDaemonConf });
  }

  const clients = objectStoreClientNames(evidence, input.model);
  const hanoi = photoRotation(input.spec.backupPolicy.photos).scheduleName;
  for (const director of evidence.directors) {
    const jobs = photoJobs(director, clients);
    if (!jobs.length) {
      findings.push({ subject: `photo backup job in ${director.vm}'s director`, observed: clients.size ? `no Backup job for the object store's client (${[...clients].join(", ")})` : "no Backup job for an object-store client", expected: `a Backup job of the object store's file daemon on the ${hanoi} schedule`, urn: director.urn, location: director.path });
      continue;
    }
    for (const j of jobs) {
      const at = locationOf(director, j.job);
      if (j.scheduleName !== hanoi) {
        findings.push({ subject: `schedule of the photo job ${j.name} on ${director.vm}`, observed: j.scheduleName === undefined ? "no Schedule" : `Schedule = ${j.scheduleName}`, expected: `Schedule = ${hanoi} (the Tower-of-Hanoi rotation)`, urn: director.urn, location: at });
      } else if (!j.schedule || !directiveValues(j.schedule, "Run").length) {
        findings.push({ subject: `schedule of the photo job ${j.name} on ${director.vm}`, observed: j.schedule ? `Schedule ${hanoi} has no Run line` : `no Schedule resource named ${hanoi}`, expected: `the ${hanoi} schedule with the rotation's Run lines`, urn: director.urn, location: at });
      }
      const paths = fileSetPaths(director, j.job);
      if (!paths?.some((p) => covers(p, P.photoExportDirectory))) {
        findings.push({ subject: `what the photo job ${j.name} saves on ${director.vm}`, observed: paths ? `FileSet ${jobValue(director, j.job, "FileSet") ?? ""} saves ${paths.join(", ") || "nothing"}` : "no FileSet resource for the job", expected: `a FileSet that saves ${P.photoExportDirectory} (the photos exported from MinIO)`, urn: director.urn, location: at });
      }
      const before = jobValue(director, j.job, "Client Run Before Job")?.split(/\s+/)[0];
      const runScripts = resourcesOf(j.job.blocks, "RunScript").flatMap((r) => directiveValues(r, "Command").map((c) => c.split(/\s+/)[0]));
      if (before !== P.photoExportCommand && !runScripts.includes(P.photoExportCommand)) {
        findings.push({ subject: `photo export before the photo job ${j.name} on ${director.vm}`, observed: before ? `Client Run Before Job = ${before}` : "no Client Run Before Job", expected: `Client Run Before Job = ${P.photoExportCommand} (the photos are exported from MinIO first)`, urn: director.urn, location: at });
      }
    }
  }
  return { findings };
}

/**
 * Seed design, "Backup strategy": the photos are backed up with Bacula on a Tower-of-Hanoi rotation. Judged from
 * what the stack delivers: a Bacula director and storage daemon on every backup VM, a file daemon on every
 * object-store VM, and in the director a Backup job of that file daemon on the rotation's schedule that exports
 * the photos from MinIO and saves the export. With no Bacula file delivered the requirement reads declared.
 */
export function photoBackupBaculaPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "photo-backup-bacula",
    description:
      "Bacula's director and storage daemon run on the backup tier and a file daemon on every object-store VM, and the director has a Backup job of the object store's client on the Tower-of-Hanoi schedule that exports the photos from MinIO and saves them.",
    requirements: ["IBAC-BAK-005"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report, notApplicable) => {
    reportJudgement(judgePhotoBacula(await backupJudgeInput(view, resources)), report, notApplicable);
  });
}
