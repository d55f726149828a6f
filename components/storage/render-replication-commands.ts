import { shellQuote } from "../../playbooks/engine/shell-quote";
import type { ObjectStoreSpec } from "../spec/schema";
import type { ObjectServicePlan } from "./storage-plan";
import { bucketNameProblem } from "./bucket-names";
import { mcPrelude, type McScriptOptions } from "./mc-script";
import { replicationEndpoint } from "./replication-target";
import { checkHostName, checkIpv4, checkPort } from "./minio-values";

type Replication = NonNullable<ObjectStoreSpec["replication"]>;

export const REPLICATION_SCRIPT_PATH = "/usr/local/sbin/ibac-s3-replication";
/** What is replicated: objects already in the bucket, and delete markers; never the permanent deletion of a version. */
export const REPLICATE = "existing-objects,delete-marker";

/** The rule id of one pair: fixed, so that a second run finds the rule it made (`mc replicate ls`). */
export function replicationRuleId(target: string): string {
  return `ibac-to-${target.replace(/\./g, "-")}`;
}

function checkedBucket(name: string, where: string): string {
  const problem = !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ? "not 3 to 63 lower-case letters, digits, '.' and '-'" : bucketNameProblem(name);
  if (problem) throw new Error(`${where}: expected an S3 bucket name, found ${JSON.stringify(name)}: ${problem}`);
  return name;
}

/**
 * The script that sets up bucket replication to the customer's third location, run on the Promoted storage VM
 * (render-* : pure). For each pair of the spec: versioning on at both ends (MinIO's bucket replication needs
 * it), then the replication rule, added when the bucket has none of ours yet, updated otherwise (an update
 * also carries changed remote keys). MinIO keeps the rule and the remote target in the bucket's metadata on the
 * DRBD volume, so it moves with the volume on failover and is not set up again.
 *
 * `--remote-bucket remote/<bucket>` names an alias whose keys are in `MC_HOST_remote` (mc RELEASE.2024-03 and
 * later take an alias there, as the MinIO docs say since then); the older form puts
 * `https://ACCESS:SECRET@host/bucket` into argv, which this never does. An mc too old for the alias form fails
 * ("no valid credentials were detected"), it never falls back to the URL form.
 *
 * Replicated: existing objects and delete markers. Not replicated: the permanent deletion of a version, so the
 * third site keeps what a compromised client or a lifecycle rule deletes here (its own lifecycle is the
 * customer's). A locked source bucket needs Object Lock on its target too; MinIO refuses the rule otherwise.
 *
 * Standard input: four lines, the local root access and secret keys, then the third site's.
 */
export function renderReplicationScript(replication: Replication, service: ObjectServicePlan, opts: McScriptOptions = {}): string {
  const where = "renderReplicationScript";
  const { host, port } = replicationEndpoint(replication);
  if (/^[0-9.]+$/.test(host)) checkIpv4(host, `${where}: objectStore.replication.endpoint`);
  else checkHostName(host, `${where}: objectStore.replication.endpoint`);
  checkPort(port, `${where}: objectStore.replication.endpoint`);
  if (replication.buckets.length === 0) throw new Error(`${where}: objectStore.replication.buckets: expected at least one pair, found none`);
  const pairs = replication.buckets.map((pair, i) => ({
    source: checkedBucket(pair.source, `${where}: objectStore.replication.buckets[${i}].source`),
    target: checkedBucket(pair.target, `${where}: objectStore.replication.buckets[${i}].target`),
  }));
  const prelude = mcPrelude("ibac-s3-replication", "bucket replication to the customer's third location.", service, ["local_access", "local_secret", "remote_access", "remote_secret"], opts);
  const calls = pairs.map((p) => `replicate ${shellQuote(p.source)} ${shellQuote(p.target)} ${shellQuote(replicationRuleId(p.target))}`).join("\n");
  return `${prelude.text}readonly REMOTE_HOST_PORT=${shellQuote(`${host}:${port}`)}
readonly REPLICATE=${shellQuote(REPLICATE)}
export MC_HOST_remote="https://$remote_access:$remote_secret@$REMOTE_HOST_PORT"

replicate() {
  local source=$1 target=$2 id=$3 rules
  mcx version enable "local/$source" > /dev/null || fail "could not enable versioning on local/$source"
  mcx version enable "remote/$target" > /dev/null || fail "could not enable versioning on $REMOTE_HOST_PORT/$target (the third site's key must allow it)"
  # No replication configuration yet is an error to mc replicate ls: then there is no rule of ours either.
  rules=$(mcx replicate ls "local/$source" --json 2> /dev/null || true)
  if grep -Eq "\\"ID\\": ?\\"$id\\"" <<< "$rules"; then
    mcx replicate update "local/$source" --id "$id" --remote-bucket "remote/$target" > /dev/null \\
      || fail "could not update replication rule $id of local/$source"
    echo "$NAME: local/$source -> $REMOTE_HOST_PORT/$target: rule $id updated"
  else
    mcx replicate add "local/$source" --id "$id" --remote-bucket "remote/$target" --priority 1 --replicate "$REPLICATE" > /dev/null \\
      || fail "could not add replication rule $id to local/$source (a locked bucket needs Object Lock on its target)"
    echo "$NAME: local/$source -> $REMOTE_HOST_PORT/$target: rule $id added"
  fi
}

${calls}
`;
}
