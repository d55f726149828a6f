import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { runOfflinePlan, SECRET_MARK, type OfflinePlan } from "../offline-plan/run-offline-plan";
import { RESOURCES, isResourceOf } from "../resource-types";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { InternalCa } from "../pki/internal-ca";
import { ApiTier } from "../api/component";
import { FrsTier } from "../frs/component";
import { systemdReadsEnvFile } from "../../test/support/systemd-env";
import { restartCommand } from "./service-files";
import { planApplicationService } from "./service-plan";
import { beforeMonitoringAgent } from "../../test/support/monitoring-installs";

const projectDir = path.resolve(__dirname, "../..");
const loaded = loadStackFile(stackFilePath(projectDir, "prod"));
let cached: OfflinePlan | undefined;
async function prodPlan(): Promise<OfflinePlan> {
  cached ??= await runOfflinePlan(loaded);
  return cached;
}

const API = planApplicationService(loaded.model, loaded.spec, "api");
const FRS = planApplicationService(loaded.model, loaded.spec, "frs");

/** The paths, modes and owners of the service's files, in install order, as the install commands give them. */
function installs(plan: OfflinePlan, vm: string): string[] {
  return beforeMonitoringAgent(plan.resources
    .filter((r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.startsWith(`${vm}-config-install-`))
    .map((r) => String(r.inputs.create)))
    // The backup tier's file-daemon files follow on FRS VMs (their own digest under /var/lib/ibac/backup-client/).
    .filter((c) => (c.includes("ibac-api") || c.includes("ibac-frs") || c.includes("/var/lib/ibac/")) && !c.includes("/var/lib/ibac/backup-client/"));
}

describe("ApiTier and FrsTier in the prod program under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  it.each([["api", API, ["api-1", "api-2"]], ["frs", FRS, ["frs-1", "frs-2"]]] as const)("%s: every VM of the tier gets the service's files, no other VM does", async (_tier, service, vms) => {
    const plan = await prodPlan();
    const paths = [service.paths.installScript, service.paths.tls.ca, service.paths.tls.cert, service.paths.tls.key, service.paths.tls.crl, service.paths.envFile, service.paths.unitPath, `${service.paths.stateDir}/deployed.sha256`];
    for (const vm of vms) {
      const delivered = plan.artifacts.filter((a) => a.vm === vm).map((a) => a.path);
      for (const file of paths) expect(delivered, `${vm} ${file}`).toContain(file);
    }
    expect(plan.artifacts.filter((a) => a.path === service.paths.unitPath).map((a) => a.vm).sort()).toEqual([...vms]);
  });

  it.each([["api-1", API], ["frs-2", FRS]] as const)("%s: installs the script first, the key for the service's group, the env file root-only, and restarts after the last file", async (vm, service) => {
    const plan = await prodPlan();
    const commands = installs(plan, vm);
    const at = (target: string): number => commands.findIndex((c) => c.includes(` '${target}'`));
    expect(commands[at(service.paths.installScript)]).toContain("sudo install -D -m 0755 -o root -g root ");
    expect(commands[at(service.paths.installScript)]).toContain(`sudo sh -c '${service.paths.installScript}'`);
    expect(commands[at(service.paths.tls.key)]).toContain(`sudo install -D -m 0640 -o root -g ${service.user} `);
    expect(commands[at(service.paths.envFile)]).toContain("sudo install -D -m 0600 -o root -g root ");
    expect(commands[at(service.paths.unitPath)]).toContain("sudo install -D -m 0644 -o root -g root ");
    for (const file of [service.paths.tls.ca, service.paths.tls.cert, service.paths.tls.crl]) expect(commands[at(file)]).toContain("sudo install -D -m 0644 -o root -g root ");
    // The user exists (the script made it) before the key is installed for its group.
    expect(at(service.paths.installScript)).toBe(0);
    expect(at(service.paths.installScript)).toBeLessThan(at(service.paths.tls.key));
    const last = commands.at(-1) ?? "";
    expect(last).toContain(` '${service.paths.stateDir}/deployed.sha256'`);
    expect(last).toContain(`sudo sh -c '${restartCommand(service)}'`);
    expect(restartCommand(service)).toBe(`${service.paths.installScript} && systemctl daemon-reload && systemctl enable ${service.unit} && systemctl restart ${service.unit}`);
  });

  it("renders each VM's env file for its own address, with the secrets masked, readable by systemd's parser", async () => {
    const plan = await prodPlan();
    const env = (vm: string, file: string): Record<string, string> => systemdReadsEnvFile(plan.artifacts.find((a) => a.vm === vm && a.path === file)?.content ?? "");
    const api2 = env("api-2", API.paths.envFile);
    expect(api2.IBAC_LISTEN_ADDRESS).toBe(loaded.model.vms.find((v) => v.name === "api-2")?.nics[0].address);
    expect(api2.IBAC_DB_USER).toBe("ibac_app");
    expect(api2.IBAC_DB_PASSWORD).toBe(SECRET_MARK);
    expect(api2.IBAC_S3_ACCESS_KEY).toBe("ibac-api");
    expect(api2.IBAC_S3_SECRET_KEY).toBe(SECRET_MARK);
    const frs1 = env("frs-1", FRS.paths.envFile);
    expect(frs1.IBAC_S3_ACCESS_KEY).toBe("ibac-frs");
    expect(frs1.IBAC_S3_SECRET_KEY).toBe(SECRET_MARK);
    expect(frs1.IBAC_FRS_DATA_DIR).toBe("/srv/frs/data");
  });

  it("masks every password and private key in the artifacts and resources: no made-up secret appears in plain text", async () => {
    const plan = await prodPlan();
    for (const vm of ["api-1", "frs-1"]) {
      const key = plan.artifacts.find((a) => a.vm === vm && a.path.endsWith("/tls/key.pem"));
      expect(key?.content).toBe(SECRET_MARK);
    }
    const ours = plan.artifacts.filter((a) => /^(api|frs)-/.test(a.vm));
    const everything = JSON.stringify(ours) + JSON.stringify(plan.resources);
    expect(plan.knownSecrets.length).toBeGreaterThan(0);
    for (const secret of plan.knownSecrets) expect(everything.includes(secret), "a made-up secret leaked").toBe(false);
  });

  it("issues each VM a certificate for its name, short name and address from the internal CA", async () => {
    const plan = await prodPlan();
    for (const vm of [...API.instances, ...FRS.instances]) {
      const csr = plan.resources.find((r) => isResourceOf(r, RESOURCES.CertRequest) && r.name.includes(`-${vm.vm}-tls`));
      expect(csr?.inputs.dnsNames, vm.vm).toEqual([vm.fqdn, vm.vm]);
      expect(csr?.inputs.ipAddresses, vm.vm).toEqual([vm.address]);
      expect((csr?.inputs.subject as { commonName?: string } | undefined)?.commonName).toBe(vm.fqdn);
    }
  });
});

describe("ApiTier and FrsTier constructed under pulumi.runtime.setMocks", () => {
  const { spec, model } = loaded;

  async function ca(): Promise<InternalCa> {
    await pulumi.runtime.setMocks(new OfflinePlanMocks(model, "prod"), "ibac-platform", "prod", false);
    return new InternalCa("test-ca", { organization: "test", commonName: "test CA" });
  }
  const proxmoxCaPem = "-----BEGIN CERTIFICATE-----\n(test)\n-----END CERTIFICATE-----\n";
  const credential = (user: string) => ({ user, password: pulumi.secret("made-up-password"), purpose: "test" });

  it("fails with the tier and the account named when an offered credential is missing", async () => {
    const authority = await ca();
    expect(() => new ApiTier("test-api", { spec, model, ca: authority, proxmoxCaPem, secrets: {}, offered: {} })).toThrow(
      'the api tier: the database tier offers no "application" credential (offered: none)',
    );
    const database = { filesFor: () => [], credentials: { application: credential("ibac_app") }, tlsEndpoints: [], monitors: [] };
    const objectStore = { filesFor: () => [], credentials: { api: credential("ibac-api") }, tlsEndpoints: [], monitors: [] };
    expect(() => new FrsTier("test-frs", { spec, model, ca: authority, proxmoxCaPem, secrets: {}, offered: { database, objectStore } })).toThrow(
      'the frs tier: the objectStore tier offers no "frs" credential (offered: api)',
    );
  });

  it("serves one TLS endpoint per VM under its name, monitors the tier's flows, and offers no credentials", async () => {
    const authority = await ca();
    const database = { filesFor: () => [], credentials: { application: credential("ibac_app") }, tlsEndpoints: [], monitors: [] };
    const objectStore = { filesFor: () => [], credentials: { api: credential("ibac-api"), frs: credential("ibac-frs") }, tlsEndpoints: [], monitors: [] };
    const api = new ApiTier("test-api", { spec, model, ca: authority, proxmoxCaPem, secrets: {}, offered: { database, objectStore } });
    expect(api.tlsEndpoints).toEqual(API.instances.map((i) => ({ vm: i.vm, address: i.address, port: 8443, serverName: i.fqdn, what: "iBac API (HTTPS)" })));
    expect(api.credentials).toEqual({});
    expect(api.monitors.map((m) => `${m.vm}:${m.port}:${m.layer}`)).toEqual(["api-1:5666:server", "api-2:5666:server", "api-1:8443:service", "api-2:8443:service"]);
    const db1 = model.vms.find((v) => v.name === "db-1");
    expect(db1 && api.filesFor(db1)).toEqual([]);
  });
});
