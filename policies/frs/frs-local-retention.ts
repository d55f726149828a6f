import { deliveredFiles, type DeliveredFile } from "../kit/rendered-files";
import { isDelivered, pendingFiles } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { ARCHIVE_SCRIPT_PATH, ARCHIVE_SERVICE, ARCHIVE_SERVICE_PATH, ARCHIVE_TIMER_PATH } from "../../components/frs/archive/archive-plan";
import { FRS_DATA_DIR, serviceUser } from "../../components/app-service/service-plan";

/** `readonly NAME=value` of a rendered script, unquoted (single quotes only: what shellQuote writes). */
function scriptConstant(script: string, name: string): string | undefined {
  const m = new RegExp(`^readonly ${name}=('([^']*)'|[^\\s']*)$`, "m").exec(script);
  return m ? (m[2] ?? m[1]) : undefined;
}

/** `Key=value` lines of a systemd unit (the last one wins, as systemd reads a single-valued key). */
function unitValue(unit: string, key: string): string | undefined {
  const found = [...unit.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))];
  return found.length ? found[found.length - 1][1].trim() : undefined;
}

/** The first line (0-based) of the script's code, comments aside, that matches `re`; -1 when none does. */
function firstLine(script: string, re: RegExp): number {
  return script.split("\n").findIndex((l) => !/^\s*#/.test(l) && re.test(l));
}

/** The steps of the archive script a policy can see in its text: the upload, the read-back check, the delete. */
const UPLOAD = /\bmcx\b.*\bcp\b/;
const READ_BACK_CHECK = /"\$read_back"\s*!=\s*"\$digest"/;
const DELETE = /^\s*rm\b/;

/**
 * Seed design, "IBAC backend / FRS": data processed by FRS stays on the local disk for two weeks, then is
 * archived to the cluster's storage. Judged from what each FRS VM gets: a timer that runs the archive service,
 * the service running the archive script as the FRS service's user, the script archiving the FRS data
 * directory to the frsArchive bucket after the spec's `localRetentionDays`, and deleting a file only after
 * its upload and the read-back check (read in the script's text: the order of its steps). That a failed
 * upload deletes nothing is proven on a real S3 server by test/integration/frs-archive.test.ts.
 */
export function frsLocalRetentionPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "frs-local-retention",
    description:
      "Each FRS VM gets the archive timer, its service running the archive script as the FRS user, and a script that archives the FRS data directory to the frsArchive bucket after frs.localRetentionDays and deletes a file only after uploading it and checking it read back.",
    requirements: ["IBAC-FRS-001"],
    severity: "medium",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const { model, spec } = view;
    const files = await deliveredFiles(resources, model);
    const pending = await pendingFiles(resources, model);
    const bucket = spec.objectStore.buckets.find((b) => b.purpose === "frsArchive")?.name;
    const user = serviceUser("frs");
    for (const vm of model.vms.filter((v) => v.tier === "frs")) {
      const urn = vmUrn(resources, vm.name, view.urn);
      const fileOf = (path: string): DeliveredFile | undefined => files.find((f) => f.vm === vm.name && f.path === path);
      const absent = [ARCHIVE_TIMER_PATH, ARCHIVE_SERVICE_PATH, ARCHIVE_SCRIPT_PATH].filter((p) => !isDelivered(files, pending, vm.name, p));
      if (absent.length) {
        reportFinding(report, { subject: `FRS local retention on ${vm.name}`, observed: `no ${absent.join(", ")} delivered`, expected: "the archive timer, service and script rendered by the stack", urn });
        continue;
      }
      const timer = fileOf(ARCHIVE_TIMER_PATH);
      const service = fileOf(ARCHIVE_SERVICE_PATH);
      const script = fileOf(ARCHIVE_SCRIPT_PATH);
      const finding = (file: DeliveredFile, observed: string, expected: string, where = ""): void =>
        reportFinding(report, { subject: `FRS local retention on ${vm.name}`, observed, expected, urn: file.urn, location: `${file.path}${where ? `: ${where}` : ""}` });

      if (timer) {
        const runs = unitValue(timer.content, "Unit") ?? ARCHIVE_SERVICE;
        if (!unitValue(timer.content, "OnCalendar")) finding(timer, "no OnCalendar= (the timer never fires)", "OnCalendar= a schedule", "[Timer]");
        if (runs !== ARCHIVE_SERVICE) finding(timer, `Unit=${runs}`, `Unit=${ARCHIVE_SERVICE}`, "[Timer]");
      }
      if (service) {
        const exec = unitValue(service.content, "ExecStart");
        if (exec !== ARCHIVE_SCRIPT_PATH) finding(service, exec === undefined ? "no ExecStart=" : `ExecStart=${exec}`, `ExecStart=${ARCHIVE_SCRIPT_PATH}`, "[Service]");
        const runsAs = unitValue(service.content, "User");
        if (runsAs !== user) finding(service, runsAs === undefined ? "no User= (the job would run as root)" : `User=${runsAs}`, `User=${user} (the FRS service's own user, nothing more)`, "[Service]");
      }
      if (script) {
        const text = script.content;
        const days = scriptConstant(text, "RETENTION_DAYS");
        if (days !== String(spec.frs.localRetentionDays)) finding(script, `RETENTION_DAYS=${days ?? "(unset)"}`, `RETENTION_DAYS=${spec.frs.localRetentionDays} (frs.localRetentionDays)`);
        const dataDir = scriptConstant(text, "DATA_DIR");
        if (dataDir !== FRS_DATA_DIR) finding(script, `DATA_DIR=${dataDir ?? "(unset)"}`, `DATA_DIR=${FRS_DATA_DIR} (where the FRS service writes)`);
        const target = scriptConstant(text, "BUCKET");
        if (!bucket || target !== bucket) finding(script, `BUCKET=${target ?? "(unset)"}`, `BUCKET=${bucket ?? "(the spec has no frsArchive bucket)"} (the frsArchive bucket)`);
        const upload = firstLine(text, UPLOAD);
        const check = firstLine(text, READ_BACK_CHECK);
        const del = firstLine(text, DELETE);
        if (upload < 0 || check < 0) {
          finding(script, `${upload < 0 ? "no upload (mc cp)" : ""}${upload < 0 && check < 0 ? " and " : ""}${check < 0 ? "no read-back check" : ""}`, "an upload with mc cp and a check of the digest read back");
        } else if (del < 0) {
          finding(script, "never deletes the archived files (the local disk keeps them past the retention)", "rm of each file once archived and checked");
        } else if (del < upload || del < check) {
          finding(script, `deletes (line ${del + 1}) before ${del < upload ? `the upload (line ${upload + 1})` : `the read-back check (line ${check + 1})`}`, "the delete after the upload and the read-back check, so a failed upload loses nothing", `line ${del + 1}`);
        }
      }
    }
  });
}
