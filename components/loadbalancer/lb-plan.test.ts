import { describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { planLoadBalancer } from "./lb-plan";

describe("planLoadBalancer", () => {
  const spec = stackSpec("prod");
  const { model } = buildModel(spec);
  if (!model) throw new Error("prod: no model");

  it("serves the API's address on 443 for the public names and sends to every API VM on the API's port", () => {
    const api = model.vms.filter((v) => v.tier === "api");
    expect(planLoadBalancer(model, spec)).toEqual({
      frontend: { address: "10.20.2.10", port: 443, publicNames: ["api.ibac.rik.ee"] },
      backends: api.map((v) => ({ name: v.name, fqdn: v.fqdn, address: v.nics[0].address, port: 8443 })),
      healthCheck: { path: "/healthz", intervalMs: 500, timeoutMs: 400, fall: 3, rise: 2 },
    });
    expect(api.length).toBe(spec.api.count);
  });

  it("refuses a model without API instances", () => {
    expect(() => planLoadBalancer({ ...model, vms: model.vms.filter((v) => v.tier !== "api") }, spec)).toThrow("the load balancer has no API instance to send requests to");
  });
});
