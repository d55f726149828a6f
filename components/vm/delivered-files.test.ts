import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { PLATFORM_TYPE } from "../model/policy-view";
import { RESOURCE_TYPES } from "../resource-types";
import { DebianVm, USER_DATA_PATH_IN_VM } from "./component";
import { stagingPath } from "./deliver";
import { deliveredFileOf, owningVmName, type ResourceInTree } from "./delivered-files";

const copy = (inputs: Record<string, unknown>) => ({ type: RESOURCE_TYPES.CopyToRemote, inputs });
const snippet = (inputs: Record<string, unknown>) => ({ type: RESOURCE_TYPES.FileLegacy, inputs });

describe("deliveredFileOf: which file a resource puts in its VM", () => {
  it("a CopyToRemote delivers its staged file at the path it is installed to, with the asset's text", async () => {
    const remotePath = stagingPath("/etc/mysql/mariadb.conf.d/60-ibac.cnf");
    expect(await deliveredFileOf(copy({ remotePath, source: new pulumi.asset.StringAsset("[mysqld]\n") }))).toEqual({ path: "/etc/mysql/mariadb.conf.d/60-ibac.cnf", text: "[mysqld]\n" });
    // The policy engine hands a deserialized asset: a plain object with its text.
    expect(await deliveredFileOf(copy({ remotePath, source: { text: "x" } }))).toEqual({ path: "/etc/mysql/mariadb.conf.d/60-ibac.cnf", text: "x" });
  });

  it("a file whose text is not known yet (an unknown output under preview) is delivered, its text undefined", async () => {
    expect(await deliveredFileOf(copy({ remotePath: stagingPath("/etc/motd") }))).toEqual({ path: "/etc/motd", text: undefined });
    expect(await deliveredFileOf(snippet({ contentType: "snippets", sourceRaw: {} }))).toEqual({ path: USER_DATA_PATH_IN_VM, text: undefined });
  });

  it("a cloud-init snippet delivers the user data at the path cloud-init keeps it", async () => {
    expect(await deliveredFileOf(snippet({ contentType: "snippets", sourceRaw: { data: "#cloud-config\n", fileName: "x.yaml" } }))).toEqual({ path: USER_DATA_PATH_IN_VM, text: "#cloud-config\n" });
  });

  it("reads through the caller's secret wrappers", async () => {
    const wrapped = (value: unknown) => ({ secret: value });
    const unwrap = (value: unknown): unknown => (typeof value === "object" && value !== null && "secret" in value ? value.secret : value);
    const inputs = { remotePath: wrapped(stagingPath("/etc/key.pem")), source: wrapped(new pulumi.asset.StringAsset("KEY")) };
    expect(await deliveredFileOf(copy(inputs), unwrap)).toEqual({ path: "/etc/key.pem", text: "KEY" });
    expect(await deliveredFileOf(snippet({ contentType: "snippets", sourceRaw: wrapped({ data: wrapped("#cloud-config") }) }), unwrap)).toEqual({ path: USER_DATA_PATH_IN_VM, text: "#cloud-config" });
  });

  it("delivers nothing for a copy outside the staging directory, an image upload, or any other resource", async () => {
    expect(await deliveredFileOf(copy({ remotePath: "/srv/elsewhere", source: { text: "x" } }))).toBeUndefined();
    expect(await deliveredFileOf(snippet({ contentType: "iso", sourceRaw: { data: "x" } }))).toBeUndefined();
    expect(await deliveredFileOf({ type: RESOURCE_TYPES.RemoteCommand, inputs: { create: "true" } })).toBeUndefined();
  });
});

describe("owningVmName", () => {
  interface Node extends ResourceInTree {
    parent?: Node;
  }
  const platform: Node = { type: PLATFORM_TYPE, name: "ibac" };
  const vm: Node = { type: DebianVm.__pulumiType, name: "db-1", parent: platform };
  const delivery: Node = { type: "example:index:AnyComponent", name: "db-1-config", parent: vm };
  const file: Node = { type: RESOURCE_TYPES.CopyToRemote, name: "db-1-config-x", parent: delivery };

  it("is the nearest DebianVm ancestor, the resource itself included", () => {
    expect(owningVmName(file, (r) => r.parent)).toBe("db-1");
    expect(owningVmName(vm, (r) => r.parent)).toBe("db-1");
  });

  it("is undefined outside any VM", () => {
    expect(owningVmName(platform, (r) => r.parent)).toBeUndefined();
  });
});
