import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { RESOURCE_TYPES, RESOURCES, isResourceOf, typeTokenOf } from "./resource-types";
import { DebianVm } from "./vm/component";

describe("resource types from the SDK classes", () => {
  it("reads each class's own token", () => {
    expect(RESOURCE_TYPES.VmLegacy).toBe("proxmoxve:index/vmLegacy:VmLegacy");
    expect(RESOURCE_TYPES.CopyToRemote).toBe("command:remote:CopyToRemote");
    expect(typeTokenOf(DebianVm)).toBe("ibac:vm:DebianVm");
  });

  it("gives every class in the registry a token of its own", () => {
    const tokens = Object.values(RESOURCE_TYPES);
    expect(tokens.length).toBe(Object.keys(RESOURCES).length);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it("refuses a class without a token rather than matching nothing", () => {
    class Untyped extends pulumi.ComponentResource {}
    expect(() => typeTokenOf(Untyped)).toThrow(/Untyped carries no Pulumi type token/);
  });

  it("matches a resource by its class", () => {
    expect(isResourceOf({ type: RESOURCE_TYPES.FileLegacy }, RESOURCES.FileLegacy)).toBe(true);
    expect(isResourceOf({ type: RESOURCE_TYPES.FileLegacy }, RESOURCES.DownloadFile)).toBe(false);
  });
});
