import { describe, expect, it } from "vitest";
import { S3_CLIENTS, clientPolicies, clientPolicy, policyDocumentProblems, type PolicyDocument } from "./bucket-access";
import { storageStack } from "../../test/fixtures/storage-stacks";

const BUCKETS = storageStack("prod").spec.objectStore.buckets;

describe("clientPolicies on the prod buckets", () => {
  const policies = clientPolicies(BUCKETS);

  it.each<[string, PolicyDocument["Statement"]]>([
    ["api", [{ Sid: "ApiPhotosObjects", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: ["arn:aws:s3:::ibac-photos/*"] }]],
    ["frs", [
      { Sid: "FrsPhotosObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::ibac-photos/*"] },
      { Sid: "FrsFrsArchiveBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::ibac-frs-archive"] },
      { Sid: "FrsFrsArchiveObjects", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: ["arn:aws:s3:::ibac-frs-archive/*"] },
    ]],
    ["logging", [
      { Sid: "LoggingLogsObjects", Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::ibac-logs/*"] },
      { Sid: "LoggingAuditObjects", Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::ibac-audit/*"] },
    ]],
    ["backup", ["ibac-photos", "ibac-frs-archive", "ibac-logs", "ibac-audit"].flatMap((bucket) => {
      const purpose = { "ibac-photos": "Photos", "ibac-frs-archive": "FrsArchive", "ibac-logs": "Logs", "ibac-audit": "Audit" }[bucket];
      return [
        { Sid: `Backup${purpose}Bucket`, Effect: "Allow" as const, Action: ["s3:ListBucket" as const, "s3:ListBucketVersions" as const], Resource: [`arn:aws:s3:::${bucket}`] },
        { Sid: `Backup${purpose}Objects`, Effect: "Allow" as const, Action: ["s3:GetObject" as const, "s3:GetObjectVersion" as const], Resource: [`arn:aws:s3:::${bucket}/*`] },
      ];
    })],
  ])("%s gets exactly what its job needs", (client, statements) => {
    expect(policies[client as keyof typeof policies]).toEqual({ Version: "2012-10-17", Statement: statements });
  });

  it("every client has one policy, and none has a wildcard action, a wildcard resource or a delete", () => {
    expect(Object.keys(policies).sort()).toEqual([...S3_CLIENTS].sort());
    for (const [client, policy] of Object.entries(policies)) {
      expect(policyDocumentProblems(policy), client).toEqual([]);
      for (const statement of policy.Statement) {
        for (const action of statement.Action) expect(action, client).not.toMatch(/\*|Delete/);
        for (const resource of statement.Resource) expect(resource, client).not.toBe("*");
      }
    }
  });

  it("backup writes nothing and logging reads nothing", () => {
    expect(policies.backup.Statement.flatMap((s) => s.Action)).not.toContain("s3:PutObject");
    expect(policies.logging.Statement.flatMap((s) => s.Action)).toEqual(["s3:PutObject", "s3:PutObject"]);
  });

  it("follows the buckets' names: a renamed photos bucket is the one api may use", () => {
    const renamed = BUCKETS.map((b) => (b.purpose === "photos" ? { ...b, name: "site-photos" } : b));
    expect(clientPolicy("api", renamed).Statement[0].Resource).toEqual(["arn:aws:s3:::site-photos/*"]);
  });

  it("refuses buckets the spec checks would refuse, naming the purpose", () => {
    expect(() => clientPolicy("api", BUCKETS.filter((b) => b.purpose !== "audit"))).toThrow("bucket access: objectStore.buckets: expected one bucket for audit, found 0");
    expect(() => clientPolicy("api", BUCKETS.map((b) => (b.purpose === "photos" ? { ...b, name: "192.168.1.1" } : b)))).toThrow(
      'bucket access: objectStore.buckets: expected an S3 bucket name for photos, found "192.168.1.1": a bucket name must not look like an IP address',
    );
    expect(() => clientPolicy("api", BUCKETS.map((b) => (b.purpose === "photos" ? { ...b, name: "*" } : b)))).toThrow("expected an S3 bucket name for photos");
  });
});

describe("policyDocumentProblems (mutants of a good policy)", () => {
  const good = clientPolicy("frs", BUCKETS);
  const mutate = (change: (d: PolicyDocument) => void): unknown => {
    const copy = structuredClone(good);
    change(copy);
    return copy;
  };

  it.each<[string, (d: PolicyDocument) => void, string]>([
    ["s3:*", (d) => { (d.Statement[0].Action as string[]) = ["s3:*"]; }, 'Statement[0].Action: expected named S3 actions, found "s3:*"'],
    ["s3:Get*", (d) => { (d.Statement[0].Action as string[]) = ["s3:Get*"]; }, 'Statement[0].Action: expected named S3 actions, found "s3:Get*"'],
    ["a * resource", (d) => { d.Statement[0].Resource = ["*"]; }, 'Statement[0].Resource: expected arn:aws:s3:::<bucket> or arn:aws:s3:::<bucket>/*, found "*"'],
    ["every bucket", (d) => { d.Statement[0].Resource = ["arn:aws:s3:::*"]; }, 'Statement[0].Resource: expected arn:aws:s3:::<bucket> or arn:aws:s3:::<bucket>/*, found "arn:aws:s3:::*"'],
    ["a delete", (d) => { (d.Statement[0].Action as string[]) = ["s3:DeleteObject"]; }, 'Statement[0].Action: expected one of s3:ListBucket, s3:ListBucketVersions, s3:GetObject, s3:GetObjectVersion, s3:PutObject, found "s3:DeleteObject"'],
    ["a Deny", (d) => { (d.Statement[0] as { Effect: string }).Effect = "Deny"; }, 'Statement[0].Effect: expected "Allow", found "Deny"'],
    ["ListBucket on objects", (d) => { d.Statement[1].Resource = ["arn:aws:s3:::ibac-frs-archive/*"]; }, "Statement[1]: s3:ListBucket is a bucket action, found on objects (arn:aws:s3:::ibac-frs-archive/*)"],
    ["GetObject on the bucket", (d) => { d.Statement[0].Resource = ["arn:aws:s3:::ibac-photos"]; }, "Statement[0]: s3:GetObject is an object action, found on the bucket (arn:aws:s3:::ibac-photos)"],
  ])("finds %s", (_what, change, problem) => {
    expect(policyDocumentProblems(good)).toEqual([]);
    expect(policyDocumentProblems(mutate(change))).toEqual([problem]);
  });

  it("finds a document with no statements", () => {
    expect(policyDocumentProblems({ Version: "2012-10-17", Statement: [] })).toEqual(["Statement: expected at least one statement"]);
  });
});
