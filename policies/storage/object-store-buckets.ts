import type { PolicyResource } from "@pulumi/policy";
import { deliveredFiles } from "../kit/rendered-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { RESOURCES } from "../../components/resource-types";
import { LOCKED_PURPOSES } from "../../components/storage/spec-checks";
import { RETENTION_SCRIPT_PATH } from "../../components/storage/render-retention-commands";
import { shellQuote } from "../../playbooks/engine/shell-quote";
import { resourcesOf } from "./object-store-evidence";

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Days of a lifecycle `expiration` (`"730d"`), or undefined when it is no day count (a date, or absent). */
function expirationDays(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^([0-9]+)d$/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

const forBucket = (list: readonly PolicyResource[], bucket: string): PolicyResource[] => list.filter((r) => r.props.bucket === bucket);

/**
 * Seed design, "Overview" and "Photo and Logging Storage" (photos kept in long-term storage): every bucket the
 * spec names is a MinIO bucket of the stack, versioned (an overwrite or delete leaves the earlier version),
 * never destroyed with its objects; the log and audit buckets have Object Lock, with the spec's default
 * retention once the retention script is delivered; no lifecycle rule removes a version before its lock ends.
 */
export function objectStoreBucketsPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "object-store-buckets",
    description:
      "Every bucket of the spec exists with versioning Enabled and forceDestroy off; log and audit buckets have Object Lock with the spec's default retention; no lifecycle rule expires a version before its lock ends.",
    requirements: ["IBAC-STO-002"],
    severity: "medium",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const buckets = resourcesOf(resources, RESOURCES.MinioS3Bucket);
    const versioning = resourcesOf(resources, RESOURCES.MinioS3BucketVersioning);
    const lifecycles = resourcesOf(resources, RESOURCES.MinioIlmPolicy);
    const retention = (await deliveredFiles(resources, view.model)).filter((f) => f.path === RETENTION_SCRIPT_PATH);
    for (const b of buckets.filter((r) => r.props.forceDestroy === true)) {
      reportFinding(report, { subject: `bucket ${String(b.props.bucket)}`, observed: "forceDestroy true (destroying the stack deletes every object and version)", expected: "forceDestroy false", urn: b.urn, location: "inputs.forceDestroy" });
    }
    for (const spec of view.spec.objectStore.buckets) {
      const subject = `bucket ${spec.name} (${spec.purpose})`;
      const bucket = forBucket(buckets, spec.name)[0];
      if (!bucket) {
        reportFinding(report, { subject, observed: "no S3Bucket resource", expected: `an S3Bucket named ${spec.name}, as objectStore.buckets says`, urn: view.urn, location: "objectStore.buckets" });
        continue;
      }
      const statuses = forBucket(versioning, spec.name).map((v) => (v.props.versioningConfiguration as { status?: unknown } | undefined)?.status);
      if (!statuses.includes("Enabled")) {
        reportFinding(report, { subject, observed: statuses.length ? `versioning ${statuses.map(String).join(", ")}` : "no S3BucketVersioning resource", expected: "versioning Enabled (an overwrite or delete keeps the earlier version)", urn: bucket.urn, location: "S3BucketVersioning.versioningConfiguration.status" });
      }
      const mustLock = (LOCKED_PURPOSES as readonly string[]).includes(spec.purpose) || spec.objectLock !== undefined;
      if (mustLock && bucket.props.objectLocking !== true) {
        reportFinding(report, { subject, observed: "objectLocking off", expected: `Object Lock on (the ${spec.purpose} bucket's objects must not be altered once written)`, urn: bucket.urn, location: "inputs.objectLocking" });
      }
      const lock = spec.objectLock;
      if (lock && retention.length) {
        const line = new RegExp(`^retain ${escape(shellQuote(spec.name))} ${lock.mode} ${lock.days}d$`, "m");
        for (const script of retention.filter((f) => !line.test(f.content))) {
          reportFinding(report, { subject, observed: `${RETENTION_SCRIPT_PATH} on ${script.vm} sets no default retention ${lock.mode} ${lock.days}d for it`, expected: `retain ${shellQuote(spec.name)} ${lock.mode} ${lock.days}d (objectStore.buckets: objectLock)`, urn: script.urn, location: RETENTION_SCRIPT_PATH });
        }
      }
      if (!lock) continue;
      for (const ilm of forBucket(lifecycles, spec.name)) {
        const rules = Array.isArray(ilm.props.rules) ? (ilm.props.rules as Record<string, unknown>[]) : [];
        rules.forEach((rule, i) => {
          const early = [
            ["expiration", expirationDays(rule.expiration)],
            ["noncurrentVersionExpirationDays", typeof rule.noncurrentVersionExpirationDays === "number" ? rule.noncurrentVersionExpirationDays : undefined],
          ] as const;
          for (const [field, days] of early) {
            if (days !== undefined && days < lock.days) {
              reportFinding(report, { subject, observed: `${field} after ${days} days`, expected: `at least the Object Lock's ${lock.days} days (a version is never expired while it is locked)`, urn: ilm.urn, location: `inputs.rules[${i}].${field}` });
            }
          }
        });
      }
    }
  });
}
