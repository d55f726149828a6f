import * as pulumi from "@pulumi/pulumi";
import * as minio from "@pulumi/minio";
import * as random from "@pulumi/random";
import type { BucketSpec } from "../spec/schema";
import type { ObjectServicePlan } from "./storage-plan";
import { S3_CLIENTS, type PolicyDocument, type S3Client } from "./bucket-access";
import { checkedService } from "./minio-values";
import { MINIO_KMS_KEY_NAME } from "./render-minio-env";

// The object store's buckets and who may use them, as @pulumi/minio resources against the running MinIO.
// A function, not a ComponentResource: the storage tier's component is the parent of everything here, and
// its callers need the buckets and the credentials, not another layer in the resource tree.
//
// What @pulumi/minio 0.17.1 cannot say, and where it is said instead:
// - Object Lock's default retention (mode + days): S3Bucket has `objectLocking` (on at creation, never later)
//   but no retention resource; `mc retention set --default` does it (render-retention-commands.ts).
// - Bucket replication: no resource at all; `mc replicate add` does it (render-replication-commands.ts).

export interface MinioAdmin {
  service: ObjectServicePlan;
  /** MinIO's root credentials (the component's @pulumi/random secrets). */
  rootUser: pulumi.Input<string>;
  rootPassword: pulumi.Input<string>;
  /**
   * A file on the deploying machine with the internal CA's certificate, which the provider verifies MinIO's
   * certificate against (the provider reads a path, not a PEM). Without it the provider trusts the system's
   * roots only and refuses the internal CA's certificate: TLS is never switched off.
   */
  caCertFile?: pulumi.Input<string>;
}

/**
 * The provider that manages MinIO through its S3 and admin APIs: at the service address (the Promoted side,
 * whichever VM that is), over TLS, as root. The certificate must carry the service address (an IP SAN) or the
 * provider's verification fails.
 */
export function minioProvider(name: string, admin: MinioAdmin, opts: pulumi.CustomResourceOptions = {}): minio.Provider {
  const service = checkedService(admin.service, "minioProvider");
  return new minio.Provider(name, {
    minioServer: `${service.address}:${service.port}`,
    minioSsl: true,
    minioInsecure: false,
    minioRegion: "us-east-1",
    minioUser: pulumi.secret(admin.rootUser),
    minioPassword: pulumi.secret(admin.rootPassword),
    ...(admin.caCertFile !== undefined ? { minioCacertFile: admin.caCertFile } : {}),
  }, opts);
}

/** A client tier's MinIO account: its access key (the user name) and secret key (a Pulumi secret). */
export interface ClientCredential {
  accessKey: string;
  secretKey: pulumi.Output<string>;
}

export interface BucketsArgs {
  buckets: readonly BucketSpec[];
  /**
   * Each client's secret key (clientSecretKeys): made apart from the users, when the tier is constructed, so that
   * the tiers that use them can be given their credentials before MinIO runs.
   */
  secretKeys: Readonly<Record<S3Client, pulumi.Output<string>>>;
  /** One policy document per client (bucket-access.ts). */
  policies: Readonly<Record<S3Client, PolicyDocument>>;
  provider: minio.Provider;
}

export interface DeclaredBuckets {
  /** By bucket name. */
  buckets: Readonly<Record<string, minio.S3Bucket>>;
  credentials: Readonly<Record<S3Client, ClientCredential>>;
}

/** One random secret key per client (a Pulumi secret). MinIO's are 8 to 40 characters; letters and digits go into any client's configuration unquoted. */
export function clientSecretKeys(name: string, opts: { parent?: pulumi.Resource } = {}): Record<S3Client, pulumi.Output<string>> {
  return Object.fromEntries(S3_CLIENTS.map((client) => [
    client,
    pulumi.secret(new random.RandomPassword(`${name}-${client}-secret-key`, { length: 40, special: false }, opts.parent ? { parent: opts.parent } : {}).result),
  ])) as Record<S3Client, pulumi.Output<string>>;
}

/** A client's MinIO user name: its access key (MinIO: 3 to 20 characters). */
export function clientAccessKey(client: S3Client): string {
  return `ibac-${client}`;
}

/** The lifecycle rule of a bucket from its spec, or undefined when the spec sets none. */
export function lifecycleRule(bucket: BucketSpec): minio.types.input.IlmPolicyRule | undefined {
  if (bucket.expireAfterDays === undefined && bucket.noncurrentExpireAfterDays === undefined) return undefined;
  return {
    id: "ibac-retention",
    status: "Enabled",
    // With versioning on, an expired object only gets a delete marker (becomes noncurrent)...
    ...(bucket.expireAfterDays !== undefined ? { expiration: `${bucket.expireAfterDays}d` } : {}),
    // ...and this deletes its noncurrent versions for good, once no Object Lock retention holds them.
    ...(bucket.noncurrentExpireAfterDays !== undefined ? { noncurrentVersionExpirationDays: bucket.noncurrentExpireAfterDays } : {}),
  };
}

/**
 * Declares, through `provider`: per bucket an S3Bucket (Object Lock on where the spec asks for it, which S3
 * allows only at creation), versioning Enabled on every bucket (replication and Object Lock need it, and it is
 * what makes an overwrite recoverable), its lifecycle rule; per client tier a MinIO user with a random secret
 * key (@pulumi/random, a Pulumi secret), its policy and the attachment of the one to the other.
 *
 * Buckets are retained when they leave the program (retainOnDelete): a bucket holds data, and removing it is an
 * operator's decision, never a side effect of a changed spec.
 */
export function declareBuckets(name: string, args: BucketsArgs, opts: { parent?: pulumi.Resource } = {}): DeclaredBuckets {
  const resourceOpts: pulumi.CustomResourceOptions = { provider: args.provider, ...(opts.parent ? { parent: opts.parent } : {}) };
  const buckets: Record<string, minio.S3Bucket> = {};
  for (const spec of args.buckets) {
    const bucket = new minio.S3Bucket(`${name}-bucket-${spec.name}`, {
      bucket: spec.name,
      acl: "private",
      objectLocking: spec.objectLock !== undefined,
      forceDestroy: false,
    }, { ...resourceOpts, retainOnDelete: true });
    buckets[spec.name] = bucket;
    const versioning = new minio.S3BucketVersioning(`${name}-versioning-${spec.name}`, {
      bucket: bucket.bucket,
      versioningConfiguration: { status: "Enabled" },
    }, resourceOpts);
    // Every object encrypted at rest with MinIO's static key (SSE-KMS by default: no client needs to ask).
    new minio.S3BucketServerSideEncryption(`${name}-encryption-${spec.name}`, {
      bucket: bucket.bucket,
      encryptionType: "aws:kms",
      kmsKeyId: MINIO_KMS_KEY_NAME,
    }, resourceOpts);
    const rule = lifecycleRule(spec);
    if (rule) {
      new minio.IlmPolicy(`${name}-lifecycle-${spec.name}`, { bucket: bucket.bucket, rules: [rule] }, { ...resourceOpts, dependsOn: [versioning] });
    }
  }

  const credentials = {} as Record<S3Client, ClientCredential>;
  for (const client of S3_CLIENTS) {
    const policy = args.policies[client];
    if (!policy) throw new Error(`declareBuckets: policies: expected a policy for ${client}, found none`);
    const secretKey = args.secretKeys[client];
    const user = new minio.IamUser(`${name}-${client}-user`, {
      name: clientAccessKey(client),
      secret: pulumi.secret(secretKey),
      forceDestroy: false,
    }, resourceOpts);
    const iamPolicy = new minio.IamPolicy(`${name}-${client}-policy`, {
      name: clientAccessKey(client),
      policy: JSON.stringify(policy),
    }, resourceOpts);
    new minio.IamUserPolicyAttachment(`${name}-${client}-policy-attachment`, {
      userName: user.name,
      policyName: iamPolicy.name,
    }, resourceOpts);
    credentials[client] = { accessKey: clientAccessKey(client), secretKey: pulumi.secret(secretKey) };
  }
  return { buckets, credentials };
}
