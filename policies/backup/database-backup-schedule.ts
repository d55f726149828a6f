import type { PolicyModel } from "../../components/model/policy-view";
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { BACKUP_SCRIPT_PATH, BACKUP_UNITS, BINLOG_CAPTURE_SCRIPT_PATH, SYSTEMD_UNIT_DIR } from "../../backup/database/render-backup-units";
import { stackPolicy } from "../kit/define-policy";
import { vmOf, vmUrn } from "../kit/platform-view";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { deliveredFiles, type DeliveredFile } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { fileKey, pendingFiles } from "../kit/pending-files";
import { longestGapHours, parseUnitFile, timeSpanHours, unitValue, unitValues } from "./systemd-unit";

/** Seed design, "Backup strategy": a full backup every 12 hours, an incremental every hour, the transaction log in between. */
export const DESIGN_FULL_EVERY_HOURS = 12;
export const DESIGN_INCREMENTAL_EVERY_HOURS = 1;

/** The units a VM's deployment enables (`systemctl enable [--now] unit...` in its install commands). */
export function enabledUnits(resources: readonly PolicyResource[], model: PolicyModel, vm: string): Set<string> {
  const units = new Set<string>();
  for (const r of resources) {
    if (!isResourceOf(r, RESOURCES.RemoteCommand) || typeof r.props.create !== "string" || vmOf(r, model)?.name !== vm) continue;
    for (const m of r.props.create.matchAll(/systemctl\s+enable\s+([^&;|'"\n]+)/g)) {
      m[1].trim().split(/\s+/).filter((t) => !t.startsWith("-")).forEach((u) => units.add(u));
    }
  }
  return units;
}

/** ExecStart's program and arguments, without systemd's prefixes (`-`, `@`, `+`, `!`, `:`). */
function execStart(text: string): string[] {
  const line = unitValue(parseUnitFile(text), "Service", "ExecStart") ?? "";
  return line.replace(/^[-@+!:]+/, "").trim().split(/\s+/).filter(Boolean);
}

interface Job {
  kind: "full" | "incremental";
  timer: string;
  /** What the spec asks for, and what the design allows at most. */
  specHours: number;
  specKey: string;
  designHours: number;
}

/** The longest interval between two runs of a timer, from OnCalendar (or, without it, OnUnitActiveSec). */
function timerGapHours(text: string): { hours: number | undefined; shown: string } {
  const unit = parseUnitFile(text);
  const calendars = unitValues(unit, "Timer", "OnCalendar");
  if (calendars.length) return { hours: longestGapHours(calendars), shown: calendars.map((c) => `OnCalendar=${c}`).join(", ") };
  const active = unitValue(unit, "Timer", "OnUnitActiveSec") ?? unitValue(unit, "Timer", "OnUnitInactiveSec");
  if (active) return { hours: timeSpanHours(active), shown: `OnUnitActiveSec=${active}` };
  return { hours: undefined, shown: "no OnCalendar" };
}

function checkJob(job: Job, vm: string, files: readonly DeliveredFile[], pending: Set<string>, enabled: Set<string>, vmUrn: string, report: ReportViolation): void {
  const timerPath = `${SYSTEMD_UNIT_DIR}/${job.timer}`;
  const subject = `${job.kind} backup timer of ${vm}`;
  const limit = Math.min(job.specHours, job.designHours);
  const expected = `a run at least every ${limit} h (spec ${job.specKey} = ${job.specHours}; design: every ${job.designHours} h)`;
  const timer = files.find((f) => f.path === timerPath);
  if (!timer) {
    if (pending.has(fileKey(vm, timerPath))) return;
    reportFinding(report, { subject, observed: "not delivered", expected: `${timerPath} with ${expected}`, urn: vmUrn, location: timerPath });
    return;
  }
  const gap = timerGapHours(timer.content);
  if (gap.hours === undefined || gap.hours > limit) {
    reportFinding(report, {
      subject,
      observed: gap.hours === undefined ? `${gap.shown}: no interval this policy can read` : `${gap.shown}: up to ${gap.hours} h between runs`,
      expected,
      urn: timer.urn,
      location: timerPath,
    });
  }
  const serviceName = unitValue(parseUnitFile(timer.content), "Timer", "Unit") ?? job.timer.replace(/\.timer$/, ".service");
  const servicePath = `${SYSTEMD_UNIT_DIR}/${serviceName}`;
  const service = files.find((f) => f.path === servicePath);
  const exec = service ? execStart(service.content) : [];
  if (!pending.has(fileKey(vm, servicePath)) && (!service || exec[0] !== BACKUP_SCRIPT_PATH || !exec.slice(1).includes(job.kind))) {
    reportFinding(report, {
      subject: `${job.kind} backup service of ${vm}`,
      observed: service ? `ExecStart=${exec.join(" ")}` : `${serviceName} not delivered`,
      expected: `${serviceName} with ExecStart=${BACKUP_SCRIPT_PATH} ${job.kind}`,
      urn: service?.urn ?? timer.urn,
      location: servicePath,
    });
  }
  if (!enabled.has(job.timer)) {
    reportFinding(report, { subject, observed: "delivered but never enabled by the deployment", expected: `systemctl enable --now ${job.timer}`, urn: timer.urn, location: timerPath });
  }
}

function checkCapture(vm: string, files: readonly DeliveredFile[], pending: Set<string>, enabled: Set<string>, vmUrn: string, report: ReportViolation): void {
  const name = BACKUP_UNITS.binlogCaptureService;
  const path = `${SYSTEMD_UNIT_DIR}/${name}`;
  const subject = `binary-log capture of ${vm}`;
  const service = files.find((f) => f.path === path);
  if (!service) {
    if (pending.has(fileKey(vm, path))) return;
    reportFinding(report, { subject, observed: `${name} not delivered`, expected: `${path}: the transaction log captured continuously between backups`, urn: vmUrn, location: path });
    return;
  }
  const exec = execStart(service.content);
  const restart = unitValue(parseUnitFile(service.content), "Service", "Restart") ?? "no";
  if (exec[0] !== BINLOG_CAPTURE_SCRIPT_PATH || !["always", "on-failure", "on-abnormal"].includes(restart)) {
    reportFinding(report, { subject, observed: `ExecStart=${exec.join(" ")}, Restart=${restart}`, expected: `ExecStart=${BINLOG_CAPTURE_SCRIPT_PATH}, Restart=always`, urn: service.urn, location: path });
  }
  if (!files.some((f) => f.path === BINLOG_CAPTURE_SCRIPT_PATH) && !pending.has(fileKey(vm, BINLOG_CAPTURE_SCRIPT_PATH))) {
    reportFinding(report, { subject, observed: `${BINLOG_CAPTURE_SCRIPT_PATH} not delivered`, expected: `${BINLOG_CAPTURE_SCRIPT_PATH}, which ${name} runs`, urn: service.urn, location: BINLOG_CAPTURE_SCRIPT_PATH });
  }
  if (!enabled.has(name)) {
    reportFinding(report, { subject, observed: "delivered but never enabled by the deployment", expected: `systemctl enable ${name}`, urn: service.urn, location: path });
  }
}

/**
 * Seed design, "Backup strategy" and "Data corruption": a full backup of the slave every 12 hours, an incremental
 * every hour, the transaction log collected in between. Read from the timers and services delivered to every
 * database VM (the jobs themselves skip the primary, so backups follow the replica role) and checked against
 * both the spec's figures and the design's.
 */
export function databaseBackupSchedulePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "database-backup-schedule",
    description:
      "Every database VM gets an enabled full-backup timer every 12 h and an incremental one every hour (as the spec's backupPolicy.database says, and no less often than the design), and a continuous binary-log capture service.",
    requirements: ["IBAC-BAK-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const policy = view.spec.backupPolicy.database;
    const spec: [keyof typeof policy, number][] = [["fullEveryHours", DESIGN_FULL_EVERY_HOURS], ["incrementalEveryHours", DESIGN_INCREMENTAL_EVERY_HOURS]];
    for (const [key, design] of spec) {
      if (policy[key] > design) {
        reportFinding(report, { subject: "database backup schedule in the spec", observed: `${key}: ${policy[key]}`, expected: `${key} at most ${design} (the design's figure)`, urn: view.urn, location: `spec.backupPolicy.database.${key}` });
      }
    }
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    const jobs: Job[] = [
      { kind: "full", timer: BACKUP_UNITS.fullTimer, specHours: policy.fullEveryHours, specKey: "fullEveryHours", designHours: DESIGN_FULL_EVERY_HOURS },
      { kind: "incremental", timer: BACKUP_UNITS.incrementalTimer, specHours: policy.incrementalEveryHours, specKey: "incrementalEveryHours", designHours: DESIGN_INCREMENTAL_EVERY_HOURS },
    ];
    for (const vm of view.model.vms.filter((v) => v.tier === "database")) {
      const own = files.filter((f) => f.vm === vm.name);
      const enabled = enabledUnits(resources, view.model, vm.name);
      const urn = vmUrn(resources, vm.name, view.urn);
      for (const job of jobs) checkJob(job, vm.name, own, pending, enabled, urn, report);
      if (!own.some((f) => f.path === BACKUP_SCRIPT_PATH) && !pending.has(fileKey(vm.name, BACKUP_SCRIPT_PATH))) {
        reportFinding(report, { subject: `backup script of ${vm.name}`, observed: "not delivered", expected: `${BACKUP_SCRIPT_PATH}, which the backup services run`, urn, location: BACKUP_SCRIPT_PATH });
      }
      checkCapture(vm.name, own, pending, enabled, urn, report);
    }
  });
}
