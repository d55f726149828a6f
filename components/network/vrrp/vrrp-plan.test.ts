import { describe, expect, it } from "vitest";
import { buildModel } from "../../model/build";
import type { PlatformModel } from "../../model/types";
import { stackSpec, STACKS } from "../../../test/fixtures/specs";
import type { PlatformSpec } from "../../spec/schema";
import { planVrrpInstance, TOP_PRIORITY, VRRP_ADDRESSES, type VrrpTrack } from "./vrrp-plan";

function modelOf(spec: PlatformSpec): PlatformModel {
  const { model, problems } = buildModel(spec);
  if (!model) throw new Error(`no model: ${JSON.stringify(problems)}`);
  return model;
}

const PROD_SPEC = stackSpec("prod");
const PROD = modelOf(PROD_SPEC);
const tierOf = { loadBalancer: "loadBalancer", databasePrimary: "database" } as const;
const SCRIPT: VrrpTrack = { kind: "script", name: "chk_role", path: "/usr/local/libexec/ibac/db-role-check", intervalMs: 1000, timeoutMs: 1000, fall: 2, rise: 2 };

describe("planVrrpInstance: the prod stack", () => {
  it("plans lb-1's instance of the API address from the model and the spec", () => {
    expect(planVrrpInstance(PROD, PROD_SPEC, { virtualAddress: "loadBalancer", vmName: "lb-1" })).toEqual({
      name: "ibac_loadBalancer",
      address: "loadBalancer",
      virtualRouterId: 10,
      interface: "eth0",
      virtualIpCidr: "10.20.2.10/24",
      unicastSourceIp: PROD.vms.find((v) => v.name === "lb-1")?.nics[0].address,
      unicastPeers: [PROD.vms.find((v) => v.name === "lb-2")?.nics[0].address],
      priority: TOP_PRIORITY,
      advertIntervalMs: 200,
    });
  });

  it.each(STACKS)("%s: every holder of each address has a distinct priority, in VM order, and every other holder as its peers", (stack) => {
    const spec = stackSpec(stack);
    const model = modelOf(spec);
    for (const address of VRRP_ADDRESSES) {
      const holders = model.vms.filter((v) => v.tier === tierOf[address]);
      const plans = holders.map((vm) => planVrrpInstance(model, spec, { virtualAddress: address, vmName: vm.name }));
      expect(plans.map((p) => p.priority)).toEqual(holders.map((_, i) => TOP_PRIORITY - i));
      plans.forEach((p, i) => {
        expect(p.unicastPeers).toEqual(holders.filter((_, j) => j !== i).map((v) => v.nics[0].address));
        expect(p.unicastPeers).not.toContain(p.unicastSourceIp);
      });
    }
  });

  it.each(STACKS)("%s: the API's and the database's instances have distinct virtual router ids and names", (stack) => {
    const spec = stackSpec(stack);
    const model = modelOf(spec);
    const lb = planVrrpInstance(model, spec, { virtualAddress: "loadBalancer", vmName: "lb-1" });
    const db = planVrrpInstance(model, spec, { virtualAddress: "databasePrimary", vmName: "db-1", track: SCRIPT });
    expect(lb.virtualRouterId).not.toBe(db.virtualRouterId);
    expect(lb.name).not.toBe(db.name);
    expect(db.virtualIpCidr).toBe(`${model.virtualIps.databasePrimary}/24`);
    expect(db.track).toEqual(SCRIPT);
  });

  it("takes the advert interval from spec.loadBalancer.vrrp for the database's address too (one VRRP timing)", () => {
    const spec = stackSpec("prod");
    spec.loadBalancer.vrrp.advertIntervalMs = 330;
    expect(planVrrpInstance(PROD, spec, { virtualAddress: "databasePrimary", vmName: "db-2" }).advertIntervalMs).toBe(330);
  });
});

describe("planVrrpInstance: refused", () => {
  const single = { ...PROD, vms: PROD.vms.filter((v) => v.name !== "lb-2") };
  it.each<[string, Parameters<typeof planVrrpInstance>[0], Parameters<typeof planVrrpInstance>[2], string]>([
    ["a tier with a single VM", single, { virtualAddress: "loadBalancer", vmName: "lb-1" },
      "the loadBalancer address needs 2 or more loadBalancer VMs to move between, found 1 (lb-1): a single VRRP peer has nowhere to fail over to"],
    ["a VM of another tier", PROD, { virtualAddress: "loadBalancer", vmName: "db-1" },
      "db-1 does not hold the loadBalancer address: the loadBalancer tier's VMs do (lb-1, lb-2)"],
    ["a fractional script interval", PROD, { virtualAddress: "databasePrimary", vmName: "db-1", track: { ...SCRIPT, intervalMs: 500 } as VrrpTrack },
      "track script chk_role: intervalMs must be whole seconds of 1000 ms or more (keepalived 2.2 rejects fractions), found 500"],
    ["a relative script path", PROD, { virtualAddress: "databasePrimary", vmName: "db-1", track: { ...SCRIPT, path: "check" } as VrrpTrack },
      'track script chk_role: expected an absolute path of letters, digits and ._+-, found "check"'],
    ["a script path with a space", PROD, { virtualAddress: "databasePrimary", vmName: "db-1", track: { ...SCRIPT, path: "/usr/bin/x; rm" } as VrrpTrack },
      'track script chk_role: expected an absolute path of letters, digits and ._+-, found "/usr/bin/x; rm"'],
    ["a track name with a brace", PROD, { virtualAddress: "loadBalancer", vmName: "lb-1", track: { kind: "process", name: "x}", process: "haproxy", delayMs: 0 } },
      'track name: expected letters, digits and _, found "x}"'],
    ["a process name longer than a comm", PROD, { virtualAddress: "loadBalancer", vmName: "lb-1", track: { kind: "process", name: "p", process: "a-very-long-process", delayMs: 0 } },
      'track process p: expected a process name of up to 15 letters, digits and ._-, found "a-very-long-process"'],
  ])("%s", (_what, model, options, message) => {
    expect(() => planVrrpInstance(model, PROD_SPEC, options)).toThrow(message);
  });
});
