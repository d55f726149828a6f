import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { loadStackFile, stackFilePath } from "../spec/load";
import { tlsPolicy } from "../pki/tls-policy";
import { s3HaproxyFilesForVm } from "./s3-haproxy-files";

const { spec, model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const value = (input: pulumi.Input<string> | undefined): Promise<string> => new Promise((resolve) => pulumi.output(input ?? "").apply(resolve));

beforeAll(async () => {
  await pulumi.runtime.setMocks(new OfflinePlanMocks(model, "prod"), "ibac-platform", "prod", false);
});

describe("s3HaproxyFilesForVm under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  const files = s3HaproxyFilesForVm(model.objectStore.service, tlsPolicy(spec), { certPem: "CERT PEM\n", keyPem: pulumi.secret("KEY PEM\n") });

  it("the certificate first, then the unit, then the config; changes reload a running HAProxy only, nothing starts it", () => {
    expect(files.map((f) => [f.path, f.mode, f.owner, f.afterChange])).toEqual([
      ["/etc/haproxy/certs/ibac-s3.pem", "0600", "root:root", "systemctl try-reload-or-restart ibac-s3-haproxy.service"],
      ["/etc/systemd/system/ibac-s3-haproxy.service", "0644", "root:root", "systemctl daemon-reload"],
      ["/etc/haproxy/ibac-s3.cfg", "0644", "root:root", "systemctl try-reload-or-restart ibac-s3-haproxy.service"],
    ]);
  });

  it("puts certificate and key into one PEM, as a secret", async () => {
    const pem = files[0].content;
    expect(await pulumi.isSecret(pulumi.output(pem))).toBe(true);
    expect(await value(pem)).toBe("CERT PEM\nKEY PEM\n");
  });
});
