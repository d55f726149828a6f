import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { TIER_NAMES } from "../../components/spec/schema";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { OfflinePlanMocks } from "../../components/offline-plan/mocks";
import { InternalCa } from "../../components/pki/internal-ca";
import { BOOTS_EMPTY, TIER_COMPONENTS } from "../../components/tiers/component-registry";
import type { TierComponent, TlsEndpoint } from "../../components/tiers/tier-component";
import { fixtureTlsEndpoints } from "../../test/fixtures/monitoring-tls-endpoints";
import { deriveMonitoringPlan } from "./derive-monitoring-plan";
import { coverageProblems } from "./coverage";

// The tier components' own TLS endpoints (constructed under the offline plan's mocks, never deployed) against
// the fixture the table tests use, and the plan made from the components' list.
const { spec, model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));

async function componentEndpoints(): Promise<TlsEndpoint[]> {
  await pulumi.runtime.setMocks(new OfflinePlanMocks(model, "prod"), "ibac-platform", "prod", false);
  const ca = new InternalCa("test-ca", { organization: "test", commonName: "test CA" });
  const secrets = { fenceIpmiPassword: pulumi.secret("test-ipmi"), replicationAccessKey: pulumi.secret("test-ak"), replicationSecretKey: pulumi.secret("test-sk") };
  const tiers = new Map<string, TierComponent>();
  for (const name of TIER_NAMES) {
    const build = TIER_COMPONENTS[name];
    if (build !== BOOTS_EMPTY) tiers.set(name, build(`test-${name}`, { spec, model, ca, proxmoxCaPem: "-----BEGIN CERTIFICATE-----\n(test)\n-----END CERTIFICATE-----\n", secrets, offered: Object.fromEntries(tiers), nodeSshPrivateKey: "test-node-ssh-key" }, {}));
  }
  return [...tiers.values()].flatMap((t) => [...t.tlsEndpoints]);
}

describe("monitoring plan from the tier components' TLS endpoints (mocks)", () => {
  it("the fixture lists exactly the endpoints the components serve, and every one gets a certificate check", async () => {
    const endpoints = await componentEndpoints();
    const key = (e: TlsEndpoint): string => `${e.vm} ${e.address}:${e.port} ${e.serverName}`;
    expect(fixtureTlsEndpoints(spec, model).map(key).sort()).toEqual(endpoints.map(key).sort());
    const plan = deriveMonitoringPlan(spec, model, endpoints);
    expect(coverageProblems(plan, model)).toEqual([]);
    const certificateChecks = plan.checks.filter((c) => c.description.startsWith("certificate "));
    for (const e of endpoints) {
      const direct = certificateChecks.some((c) => c.command.kind === "tcp" && c.command.port === e.port && c.command.tls?.serverName === e.serverName);
      const file = certificateChecks.some((c) => c.host === e.vm && c.command.kind === "nrpe");
      expect(direct || file, key(e)).toBe(true);
    }
  });
});
