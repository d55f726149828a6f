import * as crypto from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { RESOURCE_TYPES } from "../resource-types";
import { loadStackFile, stackFilePath } from "../spec/load";
import { replicationCommand, replicationScriptFile, retentionCommand, s3KeyProblem } from "./mc-commands";
import { isSentAsSecret, openInput, plainInputs, recordingScope, settle } from "../../test/support/mock-registrations";
import { REPLICATION_SCRIPT_PATH, renderReplicationScript } from "./render-replication-commands";
import { RETENTION_SCRIPT_PATH, renderRetentionScript } from "./render-retention-commands";

const { spec, model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const service = model.objectStore.service;
const mocks = new OfflinePlanMocks(model, "prod");
const KEYS = { rootUser: "ibac-root", rootPassword: "Root-Password-0123456789", remoteAccess: "REMOTEACCESS02", remoteSecret: "r3m0te/Secret+Key@2026" };
const replicationScript = renderReplicationScript(spec.objectStore.replication as NonNullable<typeof spec.objectStore.replication>, service);
const retentionScript = renderRetentionScript(spec.objectStore.buckets, service) ?? "";
const connection = { host: service.address, user: "ibac-deploy", privateKey: pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nmock\n-----END OPENSSH PRIVATE KEY-----\n") };

beforeAll(async () => {
  await pulumi.runtime.setMocks(mocks, "ibac-platform", "prod", false);
  const { scope, recorded } = recordingScope("t");
  const local = { accessKey: KEYS.rootUser, secretKey: pulumi.secret(KEYS.rootPassword) };
  replicationCommand("t-replication", {
    connection,
    script: replicationScript,
    local,
    remote: { accessKey: pulumi.secret(KEYS.remoteAccess), secretKey: pulumi.secret(KEYS.remoteSecret) },
  }, { parent: scope });
  retentionCommand("t-retention", { connection, script: retentionScript, local }, { parent: scope });
  await settle(recorded);
});

const named = (name: string) => mocks.registrations.find((r) => r.name === name);

describe("the mc commands under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  it("runs the delivered replication script as root with the four keys on standard input, sent as a secret", () => {
    const cmd = named("t-replication");
    expect(cmd?.type).toBe(RESOURCE_TYPES.RemoteCommand);
    expect(cmd?.inputs.create).toBe(`sudo ${REPLICATION_SCRIPT_PATH} || [ $? -eq 3 ]`);
    expect(isSentAsSecret(cmd, "stdin")).toBe(true);
    expect(openInput(cmd, "stdin")).toBe(`${KEYS.rootUser}\n${KEYS.rootPassword}\n${KEYS.remoteAccess}\n${KEYS.remoteSecret}\n`);
  });

  it("re-runs on a change of the script (its hash) or of a key (their hash), the triggers sent as a secret", () => {
    const cmd = named("t-replication");
    // One secret element makes the whole list a secret.
    expect(isSentAsSecret(cmd, "triggers")).toBe(true);
    const sha256 = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");
    expect(openInput(cmd, "triggers")).toEqual([sha256(replicationScript), sha256(String(openInput(cmd, "stdin")))]);
  });

  it("runs the retention script with the root's two keys only", () => {
    const cmd = named("t-retention");
    expect(cmd?.inputs.create).toBe(`sudo ${RETENTION_SCRIPT_PATH} || [ $? -eq 3 ]`);
    expect(openInput(cmd, "stdin")).toBe(`${KEYS.rootUser}\n${KEYS.rootPassword}\n`);
  });

  it("shows no key in plain text in any registered input", () => {
    const plain = JSON.stringify(mocks.registrations.map(plainInputs));
    for (const key of [KEYS.rootPassword, KEYS.remoteAccess, KEYS.remoteSecret]) expect(plain.includes(key), "a key in plain text").toBe(false);
    // The check can fail: opened, the inputs do hold them.
    expect(JSON.stringify(mocks.registrations.map((r) => r.inputs))).toContain(KEYS.remoteSecret);
  });

  it("delivers the script root-only through the seam", () => {
    expect(replicationScriptFile(replicationScript)).toEqual({ path: REPLICATION_SCRIPT_PATH, content: replicationScript, mode: "0700", owner: "root:root" });
  });
});

describe("s3KeyProblem", () => {
  it.each([
    ["r3m0te/Secret+Key@2026", undefined],
    ["bad:key", "ibac:replicationSecretKey: expected printable characters without ':' or spaces, found 7 characters that are not (not shown)"],
    ["bad key", "ibac:replicationSecretKey: expected printable characters without ':' or spaces, found 7 characters that are not (not shown)"],
    ["line\nbreak", "ibac:replicationSecretKey: expected printable characters without ':' or spaces, found 10 characters that are not (not shown)"],
    ["", "ibac:replicationSecretKey: expected printable characters without ':' or spaces, found 0 characters that are not (not shown)"],
  ])("%j", (value, problem) => {
    expect(s3KeyProblem(value, "ibac:replicationSecretKey")).toBe(problem);
  });
});
