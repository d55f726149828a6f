import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { TIER_NAMES } from "../spec/schema";
import { loadStackFile, stackFilePath } from "../spec/load";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { InternalCa } from "../pki/internal-ca";
import { BOOTS_EMPTY, TIER_COMPONENTS } from "./component-registry";
import type { TierComponent } from "./tier-component";
import { tierMonitors } from "./monitors";

const loaded = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const { spec, model } = loaded;
const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

/** The operator's config secrets, as the offline plan makes them up (never real values). */
const TEST_SECRETS = {
  fenceIpmiPassword: pulumi.secret("test-ipmi-password"),
  replicationAccessKey: pulumi.secret("test-replication-access-key"),
  replicationSecretKey: pulumi.secret("test-replication-secret-key"),
};

/** Every tier that builds something, constructed once under the offline plan's mocks (they are process-global). */
let built: Promise<Map<string, TierComponent>> | undefined;
function buildTiers(): Promise<Map<string, TierComponent>> {
  built ??= constructTiers();
  return built;
}

async function constructTiers(): Promise<Map<string, TierComponent>> {
  await pulumi.runtime.setMocks(new OfflinePlanMocks(model, "prod"), "ibac-platform", "prod", false);
  const ca = new InternalCa("test-ca", { organization: "test", commonName: "test CA" });
  const tiers = new Map<string, TierComponent>();
  for (const name of TIER_NAMES) {
    const build = TIER_COMPONENTS[name];
    if (build !== BOOTS_EMPTY) tiers.set(name, build(`test-${name}`, { spec, model, ca, proxmoxCaPem: "-----BEGIN CERTIFICATE-----\n(test)\n-----END CERTIFICATE-----\n", secrets: TEST_SECRETS, offered: Object.fromEntries(tiers), nodeSshPrivateKey: pulumi.secret("test-node-ssh-key") }, {}));
  }
  return tiers;
}

describe("tier components under pulumi.runtime.setMocks (constructed, not deployed)", () => {
  it("builds every tier (mocks): none boots empty any more", async () => {
    const tiers = await buildTiers();
    expect([...tiers.keys()]).toEqual(["database", "objectStore", "frs", "api", "loadBalancer", "backup", "monitoring", "vpn"]);
    expect(TIER_NAMES.filter((t) => TIER_COMPONENTS[t] === BOOTS_EMPTY)).toEqual([]);
  });

  it("gives each VM files from its own tier, on a backup client the backup tier's, on every VM monitoring's agent; none from any other tier (mocks)", async () => {
    const tiers = await buildTiers();
    const backupClients = new Set(["database", "objectStore", "frs"]);
    for (const vm of model.vms) {
      for (const [name, tier] of tiers) {
        const files = tier.filesFor(vm);
        if (name === vm.tier || name === "monitoring" || (name === "backup" && backupClients.has(vm.tier))) expect(files.length, `${vm.name} from ${name}`).toBeGreaterThan(0);
        else expect(files, `${vm.name} from ${name}`).toEqual([]);
      }
    }
  });

  it("offers the database's application and monitoring accounts to other tiers, their passwords Pulumi secrets", async () => {
    const database = (await buildTiers()).get("database") as TierComponent;
    expect(Object.keys(database.credentials)).toEqual(["application", "monitoring"]);
    expect(database.credentials.application.user).toBe("ibac_app");
    for (const credential of Object.values(database.credentials)) {
      expect(await pulumi.isSecret(credential.password)).toBe(true);
      expect((await value(credential.password)).length).toBeGreaterThan(0);
    }
  });

  it("lists the TLS endpoints each database server serves, and the VPN none (IKE is not TLS)", async () => {
    const tiers = await buildTiers();
    const dbVms = model.vms.filter((v) => v.tier === "database");
    expect(tiers.get("database")?.tlsEndpoints).toEqual([
      ...dbVms.map((vm) => ({ vm: vm.name, address: vm.nics[0].address, port: 3306, serverName: vm.fqdn, what: `MariaDB (${vm.role})` })),
      { vm: "db-1", address: model.virtualIps.databasePrimary, port: 3306, serverName: `db.${spec.site.domain}`, what: "MariaDB through the databasePrimary address (on the primary)" },
    ]);
    expect(tiers.get("vpn")?.tlsEndpoints).toEqual([]);
  });

  it("monitors each VM exactly where a monitoring flow lets the checks through", async () => {
    const tiers = await buildTiers();
    const database = tiers.get("database") as TierComponent;
    expect(database.monitors).toEqual(tierMonitors(model, "database"));
    expect(database.monitors.map((m) => `${m.vm}:${m.port}:${m.layer}`)).toEqual(["db-1:5666:server", "db-2:5666:server", "db-1:3306:service", "db-2:3306:service"]);
    // The VPN gateways serve no monitored port: only their agent is checked.
    expect(tiers.get("vpn")?.monitors.map((m) => m.layer)).toEqual(["server", "server"]);
    // Without the flow there is no monitor.
    const noAgentFlow = { ...model, flows: model.flows.filter((f) => f.id !== "monitoring-to-database-agent") };
    expect(tierMonitors(noAgentFlow, "database").map((m) => m.layer)).toEqual(["service", "service"]);
  });

  it("checks a service that answers only on a virtual address there, once, not on each VM's own address", () => {
    const at = (tier: "loadBalancer" | "objectStore") => tierMonitors(model, tier).map((m) => `${m.vm ?? m.virtualAddress}@${m.address}:${m.port}:${m.layer}`);
    expect(at("loadBalancer")).toEqual(["lb-1@10.20.2.112:5666:server", "lb-2@10.20.2.113:5666:server", "loadBalancer@10.20.2.10:443:service"]);
    expect(at("objectStore").filter((m) => m.endsWith(":service"))).toEqual(["objectStore@10.20.2.12:9000:service"]);
    expect(() => tierMonitors({ ...model, virtualIps: {} }, "loadBalancer")).toThrow("monitors of the loadBalancer tier: the model has no loadBalancer virtual address");
  });
});
