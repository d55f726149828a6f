import { describe, expect, it } from "vitest";
import type { PolicyResource } from "@pulumi/policy";
import { editDeliveredFile, findingsOf, mutate, outcomeOf, remove, stackResources } from "../../test/fixtures/policy-fixture";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { targetPathOf } from "../../components/vm/deliver";
import { RETENTION_SCRIPT_PATH } from "../../components/storage/render-retention-commands";
import { REPLICATION_SCRIPT_PATH } from "../../components/storage/render-replication-commands";
import { objectStoreTlsPolicy } from "./object-store-tls";
import { objectStoreBucketsPolicy } from "./object-store-buckets";
import { objectStoreLeastPrivilegePolicy } from "./object-store-least-privilege";
import { objectStoreThirdSitePolicy } from "./object-store-third-site";
import { dataEncryptedAtRestPolicy } from "./data-encrypted-at-rest";

// Test notes: the resources are the offline plan's (pulumi.runtime.setMocks: a plan under mocks, never a
// deployment). What MinIO does with them (TLS handshakes, Object Lock, replication) is not proven here.

const ENV = "/etc/default/minio";
const KEY = "/etc/minio/certs/private.key";
const STACKS = ["prod", "staging", "lab"];

const ofType = (cls: Parameters<typeof isResourceOf>[1]) => (r: PolicyResource): boolean => isResourceOf(r, cls);
const bucketOf = (cls: Parameters<typeof isResourceOf>[1], bucket: string) => (r: PolicyResource): boolean => ofType(cls)(r) && r.props.bucket === bucket;
const copyOf = (vm: string, path: string) => (r: PolicyResource): boolean => ofType(RESOURCES.CopyToRemote)(r) && r.name.startsWith(`${vm}-config-`) && targetPathOf(String(r.props.remotePath)) === path;

describe("object-store-tls on the stacks' offline plans (under mocks)", () => {
  it.each(STACKS)("%s passes: MinIO gets --certs-dir with its certificate, a 0600 key and the internal CA, and an https server URL", async (stack) => {
    expect(await findingsOf(objectStoreTlsPolicy(), await stackResources(stack))).toEqual([]);
  });

  it("MinIO without --certs-dir (plain HTTP) fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "s3-1", ENV, (t) => t.replace(" --certs-dir /etc/minio/certs", ""));
    expect(await findingsOf(objectStoreTlsPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "MinIO's TLS on s3-1", observed: "MINIO_OPTS without --certs-dir (MinIO serves plain HTTP)", location: `${ENV}: MINIO_OPTS` }),
    ]);
  });

  it("an http server URL fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "s3-2", ENV, (t) => t.replace("MINIO_SERVER_URL=https://", "MINIO_SERVER_URL=http://"));
    expect(await findingsOf(objectStoreTlsPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "MinIO's TLS on s3-2", observed: "MINIO_SERVER_URL=http://s3.ibac.rik.ee:9000", expected: "MINIO_SERVER_URL=https://<the name in MinIO's certificate>" }),
    ]);
  });

  it("a private key not delivered, or installed readable by others, fails", async () => {
    const gone = remove(await stackResources("prod"), copyOf("s3-1", KEY));
    expect(await findingsOf(objectStoreTlsPolicy(), gone)).toEqual([expect.objectContaining({ observed: `${KEY} not delivered`, location: KEY })]);
    const open = mutate(await stackResources("prod"), (r) => ofType(RESOURCES.RemoteCommand)(r) && r.name === "s3-1-config-install-etc-minio-certs-private-key", (r) => {
      r.props.create = String(r.props.create).replace("-m 0640", "-m 0644");
    });
    expect(await findingsOf(objectStoreTlsPolicy(), open)).toEqual([
      expect.objectContaining({ observed: `${KEY} installed with mode 0644`, expected: "mode 0600 or 0640 (the key never readable by others)" }),
    ]);
    const groupWritable = mutate(await stackResources("prod"), (r) => ofType(RESOURCES.RemoteCommand)(r) && r.name === "s3-2-config-install-etc-minio-certs-private-key", (r) => {
      r.props.create = String(r.props.create).replace("-m 0640", "-m 0660");
    });
    expect(await findingsOf(objectStoreTlsPolicy(), groupWritable)).toEqual([expect.objectContaining({ observed: `${KEY} installed with mode 0660` })]);
  });

  it("a CA directory without the CA that signed MinIO's certificate fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "s3-1", "/etc/minio/certs/CAs/ibac-ca.pem", () => "-----BEGIN CERTIFICATE-----\nsomeone else's CA\n-----END CERTIFICATE-----\n");
    expect(await findingsOf(objectStoreTlsPolicy(), resources)).toEqual([
      expect.objectContaining({ observed: "/etc/minio/certs/CAs/ holds no copy of the CA that signed MinIO's certificate" }),
      // HAProxy verifies MinIO with that same file: it would refuse MinIO's certificate.
      expect.objectContaining({ subject: "S3 TLS on s3-1", observed: "ca-file /etc/minio/certs/CAs/ibac-ca.pem is not the CA that signed MinIO's certificate" }),
    ]);
  });
});

describe("object-store-tls: MinIO behind HAProxy, on the stacks' offline plans (under mocks)", () => {
  const CFG = "/etc/haproxy/ibac-s3.cfg";
  const policy = objectStoreTlsPolicy();

  it("MinIO bound to the service address again (its own suites on the network) fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "s3-1", ENV, (t) => t.replace("--address 127.0.0.1:9010", "--address 10.20.2.12:9000"));
    expect(await findingsOf(policy, resources)).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject: "S3 TLS on s3-1", observed: "MinIO listens on 10.20.2.12:9000", location: `${ENV}: MINIO_OPTS` }),
    ]));
  });

  it("MinIO without --address (every address) fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "s3-2", ENV, (t) => t.replace("--address 127.0.0.1:9010 ", ""));
    expect(await findingsOf(policy, resources)).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject: "S3 TLS on s3-2", observed: "MINIO_OPTS without --address (MinIO listens on every address)" }),
    ]));
  });

  it("no HAProxy config delivered fails", async () => {
    const resources = remove(await stackResources("prod"), copyOf("s3-1", CFG));
    expect(await findingsOf(policy, resources)).toEqual([
      expect.objectContaining({ subject: "S3 TLS on s3-1", observed: "no HAProxy config delivered", location: CFG }),
    ]);
  });

  it.each<[string, (t: string) => string, string]>([
    ["an AES-128 suite on the bind", (t) => t.replace("ssl-default-bind-ciphers ECDHE-ECDSA-AES256-GCM-SHA384", "ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"), "bind 10.20.2.12:9000: suites outside the policy: ECDHE-ECDSA-AES128-GCM-SHA256"],
    ["TLS_AES_128_GCM_SHA256 on the bind", (t) => t.replace("ssl-default-bind-ciphersuites TLS_AES_256_GCM_SHA384", "ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"), "bind 10.20.2.12:9000: suites outside the policy: TLS_AES_128_GCM_SHA256"],
    ["no TLS 1.3 list (OpenSSL's default)", (t) => t.replace(/\n\s*ssl-default-bind-ciphersuites [^\n]*/, ""), "bind 10.20.2.12:9000: no TLS 1.3 suite list (OpenSSL's default offers TLS_AES_128_GCM_SHA256)"],
    ["a TLS 1.0 floor on the bind", (t) => t.replace("ssl crt /etc/haproxy/certs/ibac-s3.pem", "ssl crt /etc/haproxy/certs/ibac-s3.pem ssl-min-ver TLSv1.0"), "bind 10.20.2.12:9000: ssl-min-ver TLSv1.0"],
    ["no floor at all", (t) => t.replace("ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets", "ssl-default-bind-options no-tls-tickets"), "bind 10.20.2.12:9000: no ssl-min-ver (the floor is OpenSSL's, not the policy's)"],
    ["plain TCP on the S3 port", (t) => t.replace(" ssl crt /etc/haproxy/certs/ibac-s3.pem", ""), "bind 10.20.2.12:9000: no ssl on the bind (plain TCP to the S3 port)"],
    ["the bind on another address", (t) => t.replace("bind 10.20.2.12:9000", "bind 10.20.2.41:9000"), "no bind on 10.20.2.12:9000"],
    ["verify none to MinIO", (t) => t.replace("verify required", "verify none"), "verify none"],
    ["verification off globally", (t) => t.replace(" verify required", "").replace("global\n", "global\n    ssl-server-verify none\n"), "verify none"],
    ["another verifyhost", (t) => t.replace("verifyhost s3.ibac.rik.ee", "verifyhost s3.example.org"), "verifyhost s3.example.org"],
    ["no ssl to MinIO", (t) => t.replace("127.0.0.1:9010 ssl ", "127.0.0.1:9010 "), "no ssl (the loopback hop in plain text)"],
    ["a server that is not MinIO's address", (t) => t.replace("server minio 127.0.0.1:9010", "server minio 127.0.0.1:9011"), "forwards to 127.0.0.1:9011, where MinIO does not listen (127.0.0.1:9010)"],
    ["a ca-file the stack does not deliver", (t) => t.replace("ca-file /etc/minio/certs/CAs/ibac-ca.pem", "ca-file /etc/ssl/certs/ca-certificates.crt"), "ca-file /etc/ssl/certs/ca-certificates.crt not delivered"],
  ])("mutant: %s fails", async (_what, edit, observed) => {
    const resources = editDeliveredFile(await stackResources("prod"), "s3-2", CFG, edit);
    expect(await findingsOf(policy, resources)).toEqual([expect.objectContaining({ subject: "S3 TLS on s3-2", observed })]);
  });

  it("mutant: HAProxy's certificate PEM not delivered fails", async () => {
    const resources = remove(await stackResources("prod"), copyOf("s3-1", "/etc/haproxy/certs/ibac-s3.pem"));
    expect(await findingsOf(policy, resources)).toEqual([expect.objectContaining({ subject: "S3 TLS on s3-1", observed: "/etc/haproxy/certs/ibac-s3.pem not delivered" })]);
  });
});

describe("object-store-buckets on the stacks' offline plans (under mocks)", () => {
  it.each(STACKS)("%s passes: every bucket of the spec, versioned, log and audit buckets locked, no lifecycle shorter than a lock", async (stack) => {
    expect(await findingsOf(objectStoreBucketsPolicy(), await stackResources(stack))).toEqual([]);
  });

  it("a bucket without versioning fails: its versioning resource removed, or Suspended", async () => {
    const removed = remove(await stackResources("prod"), bucketOf(RESOURCES.MinioS3BucketVersioning, "ibac-photos"));
    expect(await findingsOf(objectStoreBucketsPolicy(), removed)).toEqual([
      expect.objectContaining({ subject: "bucket ibac-photos (photos)", observed: "no S3BucketVersioning resource", expected: "versioning Enabled (an overwrite or delete keeps the earlier version)" }),
    ]);
    const suspended = mutate(await stackResources("prod"), bucketOf(RESOURCES.MinioS3BucketVersioning, "ibac-frs-archive"), (r) => { r.props.versioningConfiguration = { status: "Suspended" }; });
    expect(await findingsOf(objectStoreBucketsPolicy(), suspended)).toEqual([expect.objectContaining({ subject: "bucket ibac-frs-archive (frsArchive)", observed: "versioning Suspended" })]);
  });

  it("a log bucket without Object Lock fails", async () => {
    const resources = mutate(await stackResources("prod"), bucketOf(RESOURCES.MinioS3Bucket, "ibac-logs"), (r) => { r.props.objectLocking = false; });
    expect(await findingsOf(objectStoreBucketsPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "bucket ibac-logs (logs)", observed: "objectLocking off", location: "inputs.objectLocking" }),
    ]);
  });

  it("forceDestroy, a missing bucket and a lifecycle rule shorter than the lock each fail", async () => {
    const destroy = mutate(await stackResources("prod"), bucketOf(RESOURCES.MinioS3Bucket, "ibac-photos"), (r) => { r.props.forceDestroy = true; });
    expect(await findingsOf(objectStoreBucketsPolicy(), destroy)).toEqual([expect.objectContaining({ subject: "bucket ibac-photos", observed: "forceDestroy true (destroying the stack deletes every object and version)" })]);
    const missing = remove(await stackResources("prod"), bucketOf(RESOURCES.MinioS3Bucket, "ibac-audit"));
    expect(await findingsOf(objectStoreBucketsPolicy(), missing)).toEqual([expect.objectContaining({ subject: "bucket ibac-audit (audit)", observed: "no S3Bucket resource" })]);
    const early = mutate(await stackResources("prod"), bucketOf(RESOURCES.MinioIlmPolicy, "ibac-logs"), (r) => { r.props.rules = [{ id: "ibac-retention", status: "Enabled", expiration: "30d", noncurrentVersionExpirationDays: 730 }]; });
    expect(await findingsOf(objectStoreBucketsPolicy(), early)).toEqual([
      expect.objectContaining({ subject: "bucket ibac-logs (logs)", observed: "expiration after 30 days", expected: "at least the Object Lock's 365 days (a version is never expired while it is locked)", location: "inputs.rules[0].expiration" }),
    ]);
  });

  it("the delivered retention script sets each locked bucket's default retention; a shorter one fails", async () => {
    const shorter = editDeliveredFile(await stackResources("prod"), "s3-1", RETENTION_SCRIPT_PATH, (t) => t.replace("retain ibac-audit COMPLIANCE 1825d", "retain ibac-audit GOVERNANCE 1d"));
    expect(await findingsOf(objectStoreBucketsPolicy(), shorter)).toEqual([
      expect.objectContaining({ subject: "bucket ibac-audit (audit)", observed: `${RETENTION_SCRIPT_PATH} on s3-1 sets no default retention COMPLIANCE 1825d for it` }),
    ]);
  });
});

describe("object-store-least-privilege on the stacks' offline plans (under mocks)", () => {
  it.each(STACKS)("%s passes: one user per client tier, one policy each, no wildcard or delete, secret keys masked", async (stack) => {
    expect(await findingsOf(objectStoreLeastPrivilegePolicy(), await stackResources(stack))).toEqual([]);
  });

  it("a client policy with s3:* fails", async () => {
    const resources = mutate(await stackResources("prod"), (r) => ofType(RESOURCES.MinioIamPolicy)(r) && r.props.name === "ibac-api", (r) => {
      r.props.policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::ibac-photos/*"] }] });
    });
    expect(await findingsOf(objectStoreLeastPrivilegePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "MinIO user ibac-api (api)", observed: 'policy ibac-api: Statement[0].Action: expected named S3 actions, found "s3:*"' }),
    ]);
  });

  it("a client attached to two policies fails", async () => {
    const base = await stackResources("prod");
    const attachment = base.find((r) => ofType(RESOURCES.MinioIamUserPolicyAttachment)(r) && r.props.userName === "ibac-api");
    if (!attachment) throw new Error("no attachment for ibac-api");
    const second = { ...attachment, name: "extra", urn: `${attachment.urn}-extra`, props: { ...attachment.props, policyName: "ibac-backup" } };
    expect(await findingsOf(objectStoreLeastPrivilegePolicy(), [...base, second])).toEqual([
      expect.objectContaining({ subject: "MinIO user ibac-api (api)", observed: "2 policy attachments (ibac-api, ibac-backup)", expected: "exactly one policy attached" }),
    ]);
  });

  it("a missing user, and a secret key in plain text, fail", async () => {
    const missing = remove(await stackResources("prod"), (r) => ofType(RESOURCES.MinioIamUser)(r) && r.props.name === "ibac-logging");
    expect(await findingsOf(objectStoreLeastPrivilegePolicy(), missing)).toEqual([expect.objectContaining({ subject: "MinIO user ibac-logging (logging)", observed: "no IamUser resource" })]);
    const plain = mutate(await stackResources("prod"), (r) => ofType(RESOURCES.MinioIamUser)(r) && r.props.name === "ibac-frs", (r) => { r.props.secret = "plain-text-secret-key-0123456789"; });
    expect(await findingsOf(objectStoreLeastPrivilegePolicy(), plain)).toEqual([
      expect.objectContaining({ subject: "MinIO user ibac-frs (frs)", observed: "its secret key in plain text in the resource's inputs", location: "inputs.secret" }),
    ]);
  });
});

describe("object-store-third-site on the stacks' offline plans (under mocks)", () => {
  it.each(["prod", "staging"])("%s passes: the replication script on both storage VMs, run by a command on each", async (stack) => {
    expect(await findingsOf(objectStoreThirdSitePolicy(), await stackResources(stack))).toEqual([]);
  });

  it("prod without the commands that run the replication script fails", async () => {
    const resources = remove(await stackResources("prod"), (r) => ofType(RESOURCES.RemoteCommand)(r) && /-replication-s3-[12]$/.test(r.name));
    expect(await findingsOf(objectStoreThirdSitePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "replication to https://203.0.113.20:9000", observed: "no remote command runs the replication script" }),
    ]);
  });

  it("lab declares no third site: not applicable, never a pass", async () => {
    const outcome = await outcomeOf(objectStoreThirdSitePolicy(), await stackResources("lab"));
    expect(outcome.status).toBe("not-applicable");
    expect(outcome.detail).toBe("the spec declares no third location (objectStore.replication)");
  });

  it("a replication script that leaves a pair out, or a source bucket unversioned, fails", async () => {
    const noAudit = editDeliveredFile(editDeliveredFile(await stackResources("prod"), "s3-1", REPLICATION_SCRIPT_PATH, (t) => t.replace(/^replicate ibac-audit .*\n/m, "")), "s3-2", REPLICATION_SCRIPT_PATH, (t) => t.replace(/^replicate ibac-audit .*\n/m, ""));
    expect(await findingsOf(objectStoreThirdSitePolicy(), noAudit)).toEqual([
      expect.objectContaining({ subject: "replication of ibac-audit from s3-1", expected: "replicate ibac-audit ibac-audit ibac-to-ibac-audit" }),
      expect.objectContaining({ subject: "replication of ibac-audit from s3-2" }),
    ]);
    const unversioned = mutate(await stackResources("prod"), bucketOf(RESOURCES.MinioS3BucketVersioning, "ibac-logs"), (r) => { r.props.versioningConfiguration = { status: "Suspended" }; });
    expect(await findingsOf(objectStoreThirdSitePolicy(), unversioned)).toEqual([
      expect.objectContaining({ subject: "replicated bucket ibac-logs", observed: "versioning Suspended" }),
    ]);
  });
});

describe("data-encrypted-at-rest on the stacks' offline plans (under mocks)", () => {
  it.each(STACKS)("%s: MinIO's key and every bucket's SSE-KMS pass; the database servers, which encrypt no table yet, fail", async (stack) => {
    const findings = await findingsOf(dataEncryptedAtRestPolicy(), await stackResources(stack));
    expect(findings.map((f) => [f.subject, f.observed])).toEqual([
      ["MariaDB's tables on db-1", "innodb_encrypt_tables not set (tables written unencrypted)"],
      ["MariaDB's tables on db-2", "innodb_encrypt_tables not set (tables written unencrypted)"],
    ]);
  });

  it("MinIO without its key, or a bucket without default encryption, fails", async () => {
    const noKey = editDeliveredFile(await stackResources("prod"), "s3-1", ENV, (t) => t.replace(/^MINIO_KMS_SECRET_KEY=.*\n/m, ""));
    expect((await findingsOf(dataEncryptedAtRestPolicy(), noKey)).map((f) => f.subject)).toContain("MinIO's encryption key on s3-1");
    const plain = remove(await stackResources("prod"), bucketOf(RESOURCES.MinioS3BucketServerSideEncryption, "ibac-photos"));
    expect(await findingsOf(dataEncryptedAtRestPolicy(), plain)).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject: "bucket ibac-photos", observed: "no default encryption", expected: "SSE-KMS with MinIO's key (ibac-s3-key)" }),
    ]));
  });
});
