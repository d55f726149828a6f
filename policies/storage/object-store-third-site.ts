import { deliveredFiles } from "../kit/rendered-files";
import { pendingFiles, isDelivered } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { RESOURCES } from "../../components/resource-types";
import { REPLICATION_SCRIPT_PATH, replicationRuleId } from "../../components/storage/render-replication-commands";
import { shellQuote } from "../../playbooks/engine/shell-quote";
import { resourcesOf } from "./object-store-evidence";

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Seed design, "Application Logs" and "Photo and Logging Storage": where the customer provides a third
 * location, the data is replicated there. When the spec declares `objectStore.replication`, each storage VM
 * gets the replication script naming every bucket pair, a remote command runs it, and every source bucket is
 * versioned (MinIO replicates only versioned buckets). A spec without a third location is not applicable: the
 * requirement then reads "declared", not "pass".
 */
export function objectStoreThirdSitePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "object-store-third-site",
    description:
      "When the spec declares a third location, each storage VM gets the replication script naming every bucket pair, a remote command runs it, and every replicated source bucket has versioning Enabled.",
    requirements: ["IBAC-DAT-003"],
    severity: "low",
    enforcementLevel: "advisory",
  }, async (view, resources, report, notApplicable) => {
    const replication = view.spec.objectStore.replication;
    if (!replication) return notApplicable("the spec declares no third location (objectStore.replication)");
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    for (const vm of view.model.vms.filter((v) => v.tier === "objectStore")) {
      if (!isDelivered(files, pending, vm.name, REPLICATION_SCRIPT_PATH)) {
        reportFinding(report, { subject: `replication to ${replication.endpoint} from ${vm.name}`, observed: "no replication script delivered", expected: `${REPLICATION_SCRIPT_PATH} naming each pair of objectStore.replication.buckets`, urn: vmUrn(resources, vm.name, view.urn), location: REPLICATION_SCRIPT_PATH });
        continue;
      }
      const script = files.find((f) => f.vm === vm.name && f.path === REPLICATION_SCRIPT_PATH);
      if (!script) continue;
      for (const pair of replication.buckets) {
        const call = `replicate ${shellQuote(pair.source)} ${shellQuote(pair.target)} ${shellQuote(replicationRuleId(pair.target))}`;
        if (!new RegExp(`^${escape(call)}$`, "m").test(script.content)) {
          reportFinding(report, { subject: `replication of ${pair.source} from ${vm.name}`, observed: `${REPLICATION_SCRIPT_PATH} does not replicate ${pair.source} to ${pair.target}`, expected: call, urn: script.urn, location: REPLICATION_SCRIPT_PATH });
        }
      }
    }
    // The command's first word after sudo is the script (a status test may follow: the VM without the service
    // address exits with its own code, which is no failure).
    const runsScript = new RegExp(`^\\s*sudo\\s+${escape(REPLICATION_SCRIPT_PATH)}(\\s|$)`);
    const runs = resourcesOf(resources, RESOURCES.RemoteCommand).filter((r) => typeof r.props.create === "string" && runsScript.test(r.props.create));
    if (!runs.length) {
      reportFinding(report, { subject: `replication to ${replication.endpoint}`, observed: "no remote command runs the replication script", expected: `a remote command whose create runs sudo ${REPLICATION_SCRIPT_PATH} on the Promoted storage VM`, urn: view.urn });
    }
    const versioning = resourcesOf(resources, RESOURCES.MinioS3BucketVersioning);
    for (const pair of replication.buckets) {
      const statuses = versioning.filter((v) => v.props.bucket === pair.source).map((v) => (v.props.versioningConfiguration as { status?: unknown } | undefined)?.status);
      if (!statuses.includes("Enabled")) {
        reportFinding(report, { subject: `replicated bucket ${pair.source}`, observed: statuses.length ? `versioning ${statuses.map(String).join(", ")}` : "no S3BucketVersioning resource", expected: "versioning Enabled (MinIO replicates only versioned buckets)", urn: view.urn, location: "objectStore.replication.buckets" });
      }
    }
  });
}
