import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { PROVIDER_TYPES, RESOURCE_TYPES } from "../resource-types";
import { loadStackFile, stackFilePath } from "../spec/load";
import { S3_CLIENTS, clientPolicies, policyDocumentProblems } from "./bucket-access";
import { declareBuckets, lifecycleRule, minioProvider, type DeclaredBuckets, clientSecretKeys } from "./buckets";
import { isSentAsSecret, openInput, plainInputs, recordingScope, settle } from "../../test/support/mock-registrations";
import * as path from "node:path";

const loaded = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const { spec, model } = loaded;
const ROOT_PASSWORD = "root-password-under-mocks-0123456789";
const mocks = new OfflinePlanMocks(model, "prod");
let declared: DeclaredBuckets;

beforeAll(async () => {
  await pulumi.runtime.setMocks(mocks, "ibac-platform", "prod", false);
  const { scope, recorded } = recordingScope("t");
  const provider = minioProvider("t-minio", { service: model.objectStore.service, rootUser: "ibac-root", rootPassword: pulumi.secret(ROOT_PASSWORD) }, { parent: scope });
  declared = declareBuckets("t-s3", { buckets: spec.objectStore.buckets, policies: clientPolicies(spec.objectStore.buckets), provider, secretKeys: clientSecretKeys("t-s3", { parent: scope }) }, { parent: scope });
  await settle(recorded);
});

const ofType = (type: string) => mocks.registrations.filter((r) => r.type === type);
const named = (name: string) => mocks.registrations.find((r) => r.name === name);

describe("the object store's buckets and access under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  it("talks to MinIO at the service address over TLS, as root, with the password sent as a secret", () => {
    const provider = mocks.registrations.find((r) => r.type === PROVIDER_TYPES.Minio);
    expect(provider?.name).toBe("t-minio");
    expect(openInput(provider, "minioServer")).toBe(`${model.objectStore.service.address}:9000`);
    // A provider's inputs reach the engine as strings (its configuration).
    expect(openInput(provider, "minioSsl")).toBe("true");
    expect(openInput(provider, "minioInsecure")).toBe("false");
    expect(isSentAsSecret(provider, "minioPassword")).toBe(true);
    expect(isSentAsSecret(provider, "minioUser")).toBe(true);
  });

  it("declares one bucket per spec bucket, Object Lock exactly where the spec asks for it", () => {
    const buckets = ofType(RESOURCE_TYPES.MinioS3Bucket);
    expect(buckets.map((b) => [b.inputs.bucket, b.inputs.objectLocking, b.inputs.acl])).toEqual([
      ["ibac-photos", false, "private"],
      ["ibac-frs-archive", false, "private"],
      ["ibac-logs", true, "private"],
      ["ibac-audit", true, "private"],
    ]);
    expect(Object.keys(declared.buckets)).toEqual(["ibac-photos", "ibac-frs-archive", "ibac-logs", "ibac-audit"]);
  });

  it("turns versioning on for every bucket", () => {
    const versioning = ofType(RESOURCE_TYPES.MinioS3BucketVersioning);
    expect(versioning.map((v) => v.inputs.bucket).sort()).toEqual(spec.objectStore.buckets.map((b) => b.name).sort());
    for (const v of versioning) expect(v.inputs.versioningConfiguration, String(v.inputs.bucket)).toEqual({ status: "Enabled" });
  });

  it("gives each bucket the lifecycle rule its spec sets, and none where it sets none", () => {
    const rules = Object.fromEntries(ofType(RESOURCE_TYPES.MinioIlmPolicy).map((p) => [p.inputs.bucket, p.inputs.rules]));
    expect(rules).toEqual({
      "ibac-photos": [{ id: "ibac-retention", status: "Enabled", noncurrentVersionExpirationDays: 190 }],
      "ibac-frs-archive": [{ id: "ibac-retention", status: "Enabled", noncurrentVersionExpirationDays: 190 }],
      "ibac-logs": [{ id: "ibac-retention", status: "Enabled", expiration: "730d", noncurrentVersionExpirationDays: 730 }],
    });
    expect(lifecycleRule({ name: "x-y-z", purpose: "audit" })).toBeUndefined();
  });

  it("gives each client tier exactly one user, one policy (the least-privilege document) and one attachment", () => {
    const users = ofType(RESOURCE_TYPES.MinioIamUser);
    const policies = ofType(RESOURCE_TYPES.MinioIamPolicy);
    const attachments = ofType(RESOURCE_TYPES.MinioIamUserPolicyAttachment);
    expect(users.map((u) => u.inputs.name)).toEqual(S3_CLIENTS.map((c) => `ibac-${c}`));
    expect(policies.map((p) => p.inputs.name)).toEqual(S3_CLIENTS.map((c) => `ibac-${c}`));
    expect(attachments.map((a) => [a.inputs.userName, a.inputs.policyName])).toEqual(S3_CLIENTS.map((c) => [`ibac-${c}`, `ibac-${c}`]));
    const expected = clientPolicies(spec.objectStore.buckets);
    for (const client of S3_CLIENTS) {
      const registered = JSON.parse(String(named(`t-s3-${client}-policy`)?.inputs.policy)) as unknown;
      expect(registered, client).toEqual(expected[client]);
      expect(policyDocumentProblems(registered), client).toEqual([]);
      expect(String(named(`t-s3-${client}-policy`)?.inputs.policy), client).not.toContain('"s3:*"');
    }
  });

  it("makes each client's secret key with @pulumi/random and sends it only as a secret", async () => {
    for (const client of S3_CLIENTS) {
      const password = named(`t-s3-${client}-secret-key`);
      expect(password?.type).toBe(RESOURCE_TYPES.RandomPassword);
      expect(password?.inputs).toMatchObject({ length: 40, special: false });
      const user = named(`t-s3-${client}-user`);
      expect(isSentAsSecret(user, "secret"), client).toBe(true);
      expect(openInput(user, "secret"), client).toBe([...mocks.secretValues].find((s) => s.includes(`t-s3-${client}-secret-key`)));
      expect(await pulumi.isSecret(declared.credentials[client].secretKey), client).toBe(true);
      expect(declared.credentials[client].accessKey).toBe(`ibac-${client}`);
    }
  });

  it("shows no secret in plain text in any registered input", () => {
    const plain = JSON.stringify(mocks.registrations.map(plainInputs));
    const secrets = [...mocks.secretValues, ROOT_PASSWORD];
    expect(secrets.length).toBe(S3_CLIENTS.length + 1);
    for (const secret of secrets) expect(plain.includes(secret), "a secret is in plain text").toBe(false);
    // The check can fail: the same inputs with the secret wrappers opened do hold them.
    expect(JSON.stringify(mocks.registrations.map((r) => r.inputs))).toContain(ROOT_PASSWORD);
  });
});
