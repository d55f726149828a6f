import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { OfflinePlanMocks } from "../../offline-plan/mocks";
import { frsArchiveFiles } from "./archive-files";
import { prodArchiveStack } from "./test-plan";

const { spec, model, plan } = prodArchiveStack();
const value = (input: pulumi.Input<string> | undefined): Promise<string> => new Promise((resolve) => pulumi.output(input ?? "").apply(resolve));

beforeAll(async () => {
  await pulumi.runtime.setMocks(new OfflinePlanMocks(model, "prod"), "ibac-platform", "prod", false);
});

describe("frsArchiveFiles under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  const secrets = { accessKey: "ibac-frs", secretKey: pulumi.secret("FrsSecretKey0123456789"), caPem: "CA PEM\n" };

  it("installs mc first, then the CA, the root-only keys, the script, the service, and enables the timer last", () => {
    const files = frsArchiveFiles(plan, spec.objectStore.minioClient, secrets);
    expect(files.map((f) => [f.path, f.mode, f.owner, f.afterChange])).toEqual([
      ["/usr/local/sbin/ibac-mc-install", "0755", "root:root", "/usr/local/sbin/ibac-mc-install"],
      ["/etc/ibac/frs-archive-ca.pem", "0644", "root:root", undefined],
      ["/etc/ibac/frs-archive.env", "0600", "root:root", undefined],
      ["/usr/local/sbin/ibac-frs-archive", "0755", "root:root", undefined],
      ["/etc/systemd/system/ibac-frs-archive.service", "0644", "root:root", "systemctl daemon-reload"],
      ["/etc/systemd/system/ibac-frs-archive.timer", "0644", "root:root", "systemctl daemon-reload && systemctl enable --now ibac-frs-archive.timer"],
    ]);
  });

  it("installs the spec's pinned MinIO client and nothing of MinIO's server", async () => {
    const install = await value(frsArchiveFiles(plan, spec.objectStore.minioClient, secrets)[0].content);
    expect(install).toContain(`readonly CLIENT_SHA256=${spec.objectStore.minioClient.sha256}\n`);
    expect(install).toContain("readonly CLIENT_BINARY=/usr/local/bin/mc\n");
    expect(install).not.toMatch(/useradd|minio-user|\/usr\/local\/bin\/minio\b/);
  });

  it("renders the keys into the env file as a secret, and nowhere else", async () => {
    const files = frsArchiveFiles(plan, spec.objectStore.minioClient, secrets);
    const env = files.find((f) => f.path === "/etc/ibac/frs-archive.env")?.content;
    expect(await pulumi.isSecret(pulumi.output(env))).toBe(true);
    expect(await value(env)).toContain("IBAC_S3_SECRET_KEY=FrsSecretKey0123456789\n");
    for (const file of files.filter((f) => f.path !== "/etc/ibac/frs-archive.env")) {
      expect(await value(file.content), file.path).not.toContain("FrsSecretKey0123456789");
    }
  });
});
