import { shellQuote } from "../../playbooks/engine/shell-quote";
import type { BucketSpec } from "../spec/schema";
import type { ObjectServicePlan } from "./storage-plan";
import { mcPrelude, type McScriptOptions } from "./mc-script";

export const RETENTION_SCRIPT_PATH = "/usr/local/sbin/ibac-s3-retention";

/**
 * The script that gives each Object Lock bucket its default retention (mode and days from the spec), run on the
 * Promoted storage VM: @pulumi/minio 0.17.1 can create a bucket with Object Lock but has no resource for its
 * default retention, so `mc retention set --default` does it. Setting it again is harmless (it applies to
 * versions written afterwards), so every run sets all of them. Pure. Standard input: the local root access and
 * secret keys, one per line. Undefined when no bucket has Object Lock.
 */
export function renderRetentionScript(buckets: readonly BucketSpec[], service: ObjectServicePlan, opts: McScriptOptions = {}): string | undefined {
  const locked = buckets.map((b, i) => ({ b, i })).filter(({ b }) => b.objectLock);
  if (locked.length === 0) return undefined;
  const lines = locked.map(({ b, i }) => {
    const lock = b.objectLock as NonNullable<BucketSpec["objectLock"]>;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b.name)) throw new Error(`renderRetentionScript: buckets[${i}].name: expected an S3 bucket name, found ${JSON.stringify(b.name)}`);
    if (lock.mode !== "COMPLIANCE" && lock.mode !== "GOVERNANCE") throw new Error(`renderRetentionScript: buckets[${i}].objectLock.mode: expected COMPLIANCE or GOVERNANCE, found ${JSON.stringify(lock.mode)}`);
    if (!Number.isInteger(lock.days) || lock.days < 1 || lock.days > 36500) throw new Error(`renderRetentionScript: buckets[${i}].objectLock.days: expected 1 to 36500 days, found ${lock.days}`);
    return `retain ${shellQuote(b.name)} ${lock.mode} ${lock.days}d`;
  });
  const prelude = mcPrelude("ibac-s3-retention", "the default Object Lock retention of the locked buckets.", service, ["local_access", "local_secret"], opts);
  return `${prelude.text}
retain() {
  local bucket=$1 mode=$2 validity=$3
  mcx retention set --default "$mode" "$validity" "local/$bucket" > /dev/null \\
    || fail "could not set the default retention of local/$bucket (was it created with Object Lock?)"
  echo "$NAME: local/$bucket: new versions are locked $mode for $validity"
}

${lines.join("\n")}
`;
}
