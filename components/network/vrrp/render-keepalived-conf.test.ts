import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../model/build";
import type { PlatformModel } from "../../model/types";
import { stackSpec } from "../../../test/fixtures/specs";
import { describeRun, type ToolResult } from "../../../test/support/require-tool";
import { startKeepalivedCheck, type KeepalivedCheck } from "../../../test/support/keepalived-check";
import { PRODUCTION_KEEPALIVED_PATHS, type KeepalivedPaths } from "./keepalived-paths";
import { KEEPALIVED_SCRIPT_USER, keepalivedConfigTestCopy, renderKeepalivedConf } from "./render-keepalived-conf";
import { planVrrpInstance, type VrrpAddressName, type VrrpInstance, type VrrpTrack } from "./vrrp-plan";

// Proof: keepalived 2.2.7 (Debian 12) parses each file inside a network namespace that has the guest's eth0.
// Unproven here: trixie's keepalived 2.3; the files' behaviour between peers (the load-balancer lab proves that).

function modelOf(stack: string): { model: PlatformModel; spec: ReturnType<typeof stackSpec> } {
  const spec = stackSpec(stack);
  const { model } = buildModel(spec);
  if (!model) throw new Error(`${stack}: no model`);
  return { model, spec };
}

let check: KeepalivedCheck;
let dir = "";
let paths: KeepalivedPaths;
let roleCheck = "";
const configTest = (text: string, name: string): ToolResult => check.configTest(text, name);

beforeAll(() => {
  check = startKeepalivedCheck("ibac-ka");
  ({ dir, paths } = check);
  roleCheck = path.join(dir, "db-role-check");
  for (const script of [paths.notifyScript, roleCheck]) fs.writeFileSync(script, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
});

afterAll(() => check?.stop());

function expectClean(result: ToolResult): void {
  expect(result.status, describeRun(result)).toBe(0);
  // keepalived ignores a bad value with a warning and still exits 0: a clean file prints nothing.
  expect(`${result.stdout}${result.stderr}`, describeRun(result)).toBe("");
}

function instanceOf(stack: string, address: VrrpAddressName, vmName: string, track?: VrrpTrack): VrrpInstance {
  const { model, spec } = modelOf(stack);
  return planVrrpInstance(model, spec, { virtualAddress: address, vmName, ...(track ? { track } : {}) });
}

describe("renderKeepalivedConf, checked by keepalived -t in a namespace with eth0", () => {
  const cases: [string, string, VrrpAddressName, string][] = [
    ["prod lb-1", "prod", "loadBalancer", "lb-1"],
    ["prod lb-2", "prod", "loadBalancer", "lb-2"],
    ["prod db-1", "prod", "databasePrimary", "db-1"],
    ["prod db-2", "prod", "databasePrimary", "db-2"],
    ["lab lb-1", "lab", "loadBalancer", "lb-1"],
    ["lab db-2", "lab", "databasePrimary", "db-2"],
  ];

  it.each(cases)("%s with a tracked script passes", (name, stack, address, vm) => {
    const track: VrrpTrack = { kind: "script", name: "chk_service", path: roleCheck, intervalMs: 1000, timeoutMs: 2000, fall: 2, rise: 2 };
    expectClean(configTest(renderKeepalivedConf([instanceOf(stack, address, vm, track)], paths, vm), name.replace(" ", "-")));
  });

  it("prod lb-1 tracking the haproxy process passes", () => {
    const track: VrrpTrack = { kind: "process", name: "haproxy", process: "haproxy", delayMs: 500 };
    expectClean(configTest(renderKeepalivedConf([instanceOf("prod", "loadBalancer", "lb-1", track)], paths, "lb-1"), "process"));
  });

  it("a mutant whose interface the namespace lacks fails (keepalived exits 5)", () => {
    const instance = { ...instanceOf("prod", "loadBalancer", "lb-1"), interface: "eth7" };
    const result = configTest(renderKeepalivedConf([instance], paths, "lb-1"), "no-interface");
    expect(result.status, describeRun(result)).toBe(5);
    expect(result.stderr).toContain("Non-existent interface specified in configuration");
  });

  it("a mutant with a fractional script interval is reported (keepalived warns and drops the value)", () => {
    const text = renderKeepalivedConf([instanceOf("prod", "databasePrimary", "db-1", { kind: "script", name: "chk", path: roleCheck, intervalMs: 1000, timeoutMs: 1000, fall: 2, rise: 2 })], paths, "db-1");
    const result = configTest(text.replace("interval 1\n", "interval 0.5\n"), "fraction");
    expect(`${result.stdout}${result.stderr}`).toContain("invalid number '0.5'");
  });
});

describe("renderKeepalivedConf: the prod lb-1 file", () => {
  const text = renderKeepalivedConf([instanceOf("prod", "loadBalancer", "lb-1")], PRODUCTION_KEEPALIVED_PATHS, "lb-1");
  const lines = text.split("\n").map((l) => l.trim());

  it.each([
    "vrrp_version 3",
    "enable_script_security",
    `script_user ${KEEPALIVED_SCRIPT_USER}`,
    "router_id lb-1",
    "state BACKUP",
    "nopreempt",
    "interface eth0",
    "virtual_router_id 10",
    "priority 200",
    "advert_int 0.2",
    "10.20.2.10/24 dev eth0",
    `notify "${PRODUCTION_KEEPALIVED_PATHS.notifyScript}"`,
  ])("has %s", (line) => {
    expect(lines).toContain(line);
  });

  it("names its one peer and itself as the adverts' source, and has no authentication block (VRRPv3 has none)", () => {
    const { model } = modelOf("prod");
    const [lb1, lb2] = ["lb-1", "lb-2"].map((n) => model.vms.find((v) => v.name === n)?.nics[0].address);
    expect(lines).toContain(`unicast_src_ip ${lb1}`);
    expect(text).toContain(`unicast_peer {\n        ${lb2}\n    }`);
    expect(text).not.toMatch(/authentication \{|auth_type|auth_pass/);
  });

  it("keeps the unprivileged script user: only the config-test copy says root", () => {
    expect(text).not.toContain("script_user root");
    expect(keepalivedConfigTestCopy(text)).toBe(text.replace(`script_user ${KEEPALIVED_SCRIPT_USER}`, "script_user root"));
  });
});

describe("renderKeepalivedConf: refused", () => {
  const lb1 = instanceOf("prod", "loadBalancer", "lb-1");
  it.each<[string, VrrpInstance[], string, string]>([
    ["an instance without peers", [{ ...lb1, unicastPeers: [] }], "lb-1", "lb-1: vrrp_instance ibac_loadBalancer has no unicast peer to fail over to"],
    ["two instances with one router id", [lb1, { ...lb1, name: "other" }], "lb-1", "lb-1: two VRRP instances share a virtual_router_id (10, 10)"],
    ["no instance", [], "lb-1", "lb-1: keepalived.conf needs at least one VRRP instance"],
    ["a router id with a line break", [lb1], "lb-1\n}", 'router_id: expected a host name, found "lb-1\n}"'],
  ])("%s", (_what, instances, routerId, message) => {
    expect(() => renderKeepalivedConf(instances, PRODUCTION_KEEPALIVED_PATHS, routerId)).toThrow(message);
  });
});
