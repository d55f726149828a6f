import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { InternalCa } from "../pki/internal-ca";
import { tierMonitors } from "../tiers/monitors";
import { LoadBalancerTier } from "./component";

const { spec, model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));

async function construct(): Promise<LoadBalancerTier> {
  await pulumi.runtime.setMocks(new OfflinePlanMocks(model, "prod"), "ibac-platform", "prod", false);
  const ca = new InternalCa("test-ca", { organization: "test", commonName: "test CA" });
  return new LoadBalancerTier("test-loadBalancer", { spec, model, ca, proxmoxCaPem: "", secrets: {}, offered: {} }, {});
}

describe("LoadBalancerTier's seam under pulumi.runtime.setMocks (constructed, not deployed)", () => {
  it("serves one TLS endpoint (the API's address:443, the first public name), monitors its VMs, offers no credentials", async () => {
    const tier = await construct();
    expect(tier.tlsEndpoints).toEqual([{ vm: "lb-1", address: model.virtualIps.loadBalancer, port: 443, serverName: "api.ibac.rik.ee", what: "HAProxy, the API's front end (on the VRRP master)" }]);
    expect(tier.monitors).toEqual(tierMonitors(model, "loadBalancer"));
    expect(tier.credentials).toEqual({});
    for (const vm of model.vms) {
      if (vm.tier === "loadBalancer") expect(tier.filesFor(vm).length, vm.name).toBeGreaterThan(0);
      else expect(tier.filesFor(vm), vm.name).toEqual([]);
    }
  });
});
