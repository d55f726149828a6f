import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { loadStackFile, stackFilePath } from "../spec/load";
import { minioCertificateArgs, minioFilesForVm } from "./minio-files";
import { REPLICATION_SCRIPT_PATH } from "./render-replication-commands";
import { RETENTION_SCRIPT_PATH } from "./render-retention-commands";

const { spec, model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const service = model.objectStore.service;
const value = (input: pulumi.Input<string> | undefined): Promise<string> => new Promise((resolve) => pulumi.output(input ?? "").apply(resolve));

beforeAll(async () => {
  await pulumi.runtime.setMocks(new OfflinePlanMocks(model, "prod"), "ibac-platform", "prod", false);
});

describe("minioFilesForVm under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  const secrets = { rootUser: "ibac-root", rootPassword: pulumi.secret("RootPassword0123456789"), kmsKeyBase64: pulumi.secret(Buffer.alloc(32, 7).toString("base64")), caPem: "CA PEM\n", certPem: "CERT PEM\n", keyPem: pulumi.secret("KEY PEM\n") };

  it("installs the binary and its user first, then TLS, the root-only env file, the unit and the mc scripts", () => {
    const files = minioFilesForVm(spec.objectStore, service, secrets);
    expect(files.map((f) => [f.path, f.mode, f.owner, f.afterChange])).toEqual([
      ["/usr/local/sbin/ibac-minio-install", "0755", "root:root", "/usr/local/sbin/ibac-minio-install"],
      ["/etc/minio/certs/CAs/ibac-ca.pem", "0644", "root:root", undefined],
      ["/etc/minio/certs/public.crt", "0644", "root:root", undefined],
      ["/etc/minio/certs/private.key", "0640", "root:minio-user", undefined],
      ["/etc/default/minio", "0600", "root:root", undefined],
      ["/etc/systemd/system/minio.service", "0644", "root:root", "systemctl daemon-reload"],
      [RETENTION_SCRIPT_PATH, "0700", "root:root", undefined],
      [REPLICATION_SCRIPT_PATH, "0700", "root:root", undefined],
    ]);
    for (const file of files) expect(file.afterChange ?? "", file.path).not.toMatch(/enable|start|restart/);
  });

  it("renders the env file from the secrets, as a secret, and the key as a secret", async () => {
    const files = minioFilesForVm(spec.objectStore, service, secrets);
    const env = files.find((f) => f.path === "/etc/default/minio")?.content;
    expect(await pulumi.isSecret(pulumi.output(env))).toBe(true);
    expect(await value(env)).toContain("MINIO_ROOT_PASSWORD=RootPassword0123456789\n");
    expect(await pulumi.isSecret(pulumi.output(files.find((f) => f.path.endsWith("private.key"))?.content))).toBe(true);
  });

  it("leaves the replication script out when the spec names no third location", () => {
    const withoutReplication = structuredClone(spec.objectStore);
    delete withoutReplication.replication;
    expect(minioFilesForVm(withoutReplication, service, secrets).map((f) => f.path)).not.toContain(REPLICATION_SCRIPT_PATH);
  });

  it("asks for a certificate of the service's name and moving address", () => {
    expect(minioCertificateArgs(service)).toEqual({ commonName: "s3.ibac.rik.ee", dnsNames: ["s3.ibac.rik.ee"], ipAddresses: [service.address] });
  });
});
