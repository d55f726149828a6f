import { describe, expect, it } from "vitest";
import { editDeliveredFile, findingsOf, stackResources } from "../../test/fixtures/policy-fixture";
import { frsLocalRetentionPolicy } from "./frs-local-retention";
import { ARCHIVE_SCRIPT_PATH, ARCHIVE_SERVICE_PATH, ARCHIVE_TIMER_PATH } from "../../components/frs/archive/archive-plan";

/** Moves the script's delete to just before its upload: the job would delete what it has not archived. */
function deleteBeforeUpload(script: string): string {
  const lines = script.split("\n");
  const del = lines.findIndex((l) => /^\s*rm -f -- "\$file"/.test(l));
  const upload = lines.findIndex((l) => /\bmcx\b.*\bcp\b/.test(l));
  const [rm] = lines.splice(del, 1);
  lines.splice(upload, 0, rm);
  return lines.join("\n");
}

describe("frs-local-retention on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("prod passes, judged from each FRS VM's archive timer, service and script", async () => {
    expect(await findingsOf(frsLocalRetentionPolicy(), await stackResources("prod"))).toEqual([]);
  });

  it("a job that deletes before it uploads fails, naming the lines", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "frs-1", ARCHIVE_SCRIPT_PATH, deleteBeforeUpload);
    expect(await findingsOf(frsLocalRetentionPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "FRS local retention on frs-1", observed: expect.stringMatching(/^deletes \(line \d+\) before the upload \(line \d+\)$/), location: expect.stringContaining(ARCHIVE_SCRIPT_PATH) }),
    ]);
  });

  it("a retention other than the spec's, or a job that never deletes, fails", async () => {
    const days = editDeliveredFile(await stackResources("prod"), "frs-2", ARCHIVE_SCRIPT_PATH, (t) => t.replace("readonly RETENTION_DAYS=14", "readonly RETENTION_DAYS=90"));
    expect(await findingsOf(frsLocalRetentionPolicy(), days)).toEqual([
      expect.objectContaining({ observed: "RETENTION_DAYS=90", expected: "RETENTION_DAYS=14 (frs.localRetentionDays)" }),
    ]);
    const keeps = editDeliveredFile(await stackResources("prod"), "frs-2", ARCHIVE_SCRIPT_PATH, (t) => t.replace(/^\s*rm -f -- "\$file".*$/m, "  true"));
    expect(await findingsOf(frsLocalRetentionPolicy(), keeps)).toEqual([
      expect.objectContaining({ observed: "never deletes the archived files (the local disk keeps them past the retention)" }),
    ]);
  });

  it("a service running as root or a timer that never fires fails", async () => {
    const root = editDeliveredFile(await stackResources("prod"), "frs-1", ARCHIVE_SERVICE_PATH, (t) => t.replace(/^User=.*\n/m, ""));
    expect(await findingsOf(frsLocalRetentionPolicy(), root)).toEqual([
      expect.objectContaining({ observed: "no User= (the job would run as root)", location: `${ARCHIVE_SERVICE_PATH}: [Service]` }),
    ]);
    const never = editDeliveredFile(await stackResources("prod"), "frs-1", ARCHIVE_TIMER_PATH, (t) => t.replace(/^OnCalendar=.*\n/m, ""));
    expect(await findingsOf(frsLocalRetentionPolicy(), never)).toEqual([
      expect.objectContaining({ observed: "no OnCalendar= (the timer never fires)" }),
    ]);
  });
});
