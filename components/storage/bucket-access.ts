import { BUCKET_PURPOSES, type BucketPurpose, type BucketSpec } from "../spec/schema";
import { bucketNameProblem } from "./bucket-names";

// Who may do what in the object store: one IAM policy per client tier, derived from the buckets' purposes.
// Pure. The actions are the S3 ones each client's job needs and no more; never `s3:*`, never a `*` resource.

/** The tiers that use the object store, each with its own MinIO user and policy. */
export const S3_CLIENTS = ["frs", "api", "backup", "logging"] as const;
export type S3Client = (typeof S3_CLIENTS)[number];

/** Bucket-level actions: their resource is the bucket itself (`arn:aws:s3:::<bucket>`). */
const BUCKET_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions"] as const;
/** Object-level actions: their resource is the bucket's objects (`arn:aws:s3:::<bucket>/*`). */
const OBJECT_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"] as const;
export type BucketAction = (typeof BUCKET_ACTIONS)[number];
export type ObjectAction = (typeof OBJECT_ACTIONS)[number];
export type S3Action = BucketAction | ObjectAction;

/** What a client may do in the bucket of one purpose. */
interface Grant {
  purpose: BucketPurpose;
  actions: readonly S3Action[];
}

const READ_ONLY_COPY: readonly S3Action[] = ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetObject", "s3:GetObjectVersion"];

/**
 * Each client's grants (the design's data flows):
 * - api stores the photos it receives and serves them back;
 * - frs reads the photos, and archives its own data after its local retention (writes, reads and lists it);
 * - logging writes logs and audit records, and never reads or lists them (the audit trail is not for its writer);
 * - backup reads every bucket, every version, and writes nothing.
 * Nobody deletes: versioning, Object Lock and the lifecycle rules decide what goes.
 */
const GRANTS: Readonly<Record<S3Client, readonly Grant[]>> = {
  api: [{ purpose: "photos", actions: ["s3:PutObject", "s3:GetObject"] }],
  frs: [
    { purpose: "photos", actions: ["s3:GetObject"] },
    { purpose: "frsArchive", actions: ["s3:PutObject", "s3:GetObject", "s3:ListBucket"] },
  ],
  logging: [
    { purpose: "logs", actions: ["s3:PutObject"] },
    { purpose: "audit", actions: ["s3:PutObject"] },
  ],
  backup: BUCKET_PURPOSES.map((purpose) => ({ purpose, actions: READ_ONLY_COPY })),
};

/** The purposes of the buckets a client is granted anything on (the API's and FRS's environment names them). */
export function clientBucketPurposes(client: S3Client): BucketPurpose[] {
  return GRANTS[client].map((g) => g.purpose);
}

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: S3Action[];
  Resource: string[];
}

/** An IAM policy document as MinIO (and AWS) read it. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

const isBucketAction = (a: S3Action): a is BucketAction => (BUCKET_ACTIONS as readonly string[]).includes(a);

/** Sid: letters and digits only (AWS's rule). */
function sid(client: S3Client, purpose: BucketPurpose, kind: "Bucket" | "Objects"): string {
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return `${cap(client)}${cap(purpose)}${kind}`;
}

/** The bucket of each purpose; throws when one is missing or a name is no S3 bucket name (the spec checks say so first). */
function bucketsByPurpose(buckets: readonly BucketSpec[]): Record<BucketPurpose, string> {
  const byPurpose = {} as Record<BucketPurpose, string>;
  for (const purpose of BUCKET_PURPOSES) {
    const found = buckets.filter((b) => b.purpose === purpose);
    if (found.length !== 1) throw new Error(`bucket access: objectStore.buckets: expected one bucket for ${purpose}, found ${found.length}`);
    const name = found[0].name;
    const problem = !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ? "not 3 to 63 lower-case letters, digits, '.' and '-'" : bucketNameProblem(name);
    if (problem) throw new Error(`bucket access: objectStore.buckets: expected an S3 bucket name for ${purpose}, found ${JSON.stringify(name)}: ${problem}`);
    byPurpose[purpose] = name;
  }
  return byPurpose;
}

/** The policy of one client: per bucket, one statement for its bucket actions and one for its object actions. */
export function clientPolicy(client: S3Client, buckets: readonly BucketSpec[]): PolicyDocument {
  const names = bucketsByPurpose(buckets);
  const statements: PolicyStatement[] = [];
  for (const grant of GRANTS[client]) {
    const bucket = names[grant.purpose];
    const bucketActions = grant.actions.filter(isBucketAction);
    const objectActions = grant.actions.filter((a) => !isBucketAction(a));
    if (bucketActions.length) statements.push({ Sid: sid(client, grant.purpose, "Bucket"), Effect: "Allow", Action: bucketActions, Resource: [`arn:aws:s3:::${bucket}`] });
    if (objectActions.length) statements.push({ Sid: sid(client, grant.purpose, "Objects"), Effect: "Allow", Action: objectActions, Resource: [`arn:aws:s3:::${bucket}/*`] });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Every client's policy. */
export function clientPolicies(buckets: readonly BucketSpec[]): Record<S3Client, PolicyDocument> {
  return Object.fromEntries(S3_CLIENTS.map((c) => [c, clientPolicy(c, buckets)])) as Record<S3Client, PolicyDocument>;
}

/**
 * What is wrong with a policy document by the toolkit's rule (least privilege): a wildcard in an action or a
 * resource, an action that is not one of the known S3 actions, a Deny-free document allowing anything else,
 * a bucket action on objects or an object action on a bucket. Empty when it holds. For the tests here and the
 * policy that reads the registered IamPolicy resources.
 */
export function policyDocumentProblems(document: unknown): string[] {
  const problems: string[] = [];
  const doc = document as { Version?: unknown; Statement?: unknown };
  if (doc?.Version !== "2012-10-17") problems.push(`Version: expected "2012-10-17", found ${JSON.stringify(doc?.Version)}`);
  if (!Array.isArray(doc?.Statement) || doc.Statement.length === 0) return [...problems, "Statement: expected at least one statement"];
  doc.Statement.forEach((raw: unknown, i: number) => {
    const s = raw as { Effect?: unknown; Action?: unknown; Resource?: unknown };
    const at = `Statement[${i}]`;
    if (s.Effect !== "Allow") problems.push(`${at}.Effect: expected "Allow", found ${JSON.stringify(s.Effect)}`);
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    for (const action of actions) {
      if (typeof action !== "string" || action.includes("*")) problems.push(`${at}.Action: expected named S3 actions, found ${JSON.stringify(action)}`);
      else if (![...BUCKET_ACTIONS, ...OBJECT_ACTIONS].includes(action as S3Action)) problems.push(`${at}.Action: expected one of ${[...BUCKET_ACTIONS, ...OBJECT_ACTIONS].join(", ")}, found "${action}"`);
    }
    for (const resource of resources) {
      const match = typeof resource === "string" ? /^arn:aws:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/\*)?$/.exec(resource) : null;
      if (!match) {
        problems.push(`${at}.Resource: expected arn:aws:s3:::<bucket> or arn:aws:s3:::<bucket>/*, found ${JSON.stringify(resource)}`);
        continue;
      }
      const onObjects = match[2] !== undefined;
      for (const action of actions) {
        if (typeof action !== "string") continue;
        if (onObjects && (BUCKET_ACTIONS as readonly string[]).includes(action)) problems.push(`${at}: ${action} is a bucket action, found on objects (${resource})`);
        if (!onObjects && (OBJECT_ACTIONS as readonly string[]).includes(action)) problems.push(`${at}: ${action} is an object action, found on the bucket (${resource})`);
      }
    }
  });
  return problems;
}
