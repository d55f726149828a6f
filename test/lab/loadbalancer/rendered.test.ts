import { describe, expect, it } from "vitest";
import { buildModel } from "../../../components/model/build";
import { stackSpec } from "../../fixtures/specs";
import { LAB_SCRIPT_USER, labLayout, renderLbHost, withLabScriptUser } from "./rendered";

const spec = stackSpec("lab");
const model = buildModel(spec).model;

describe("the load-balancer lab's rendered files (pure)", () => {
  it("every file of an lb VM lies under the host's directory, keepalived's with the lab's script user as the only change", () => {
    if (!model) throw new Error("lab stack: no model");
    const vm = model.vms.find((v) => v.name === "lb-1");
    if (!vm) throw new Error("no lb-1");
    const dir = "/run/ibac-lb-lab-test/lb-1";
    const rendered = renderLbHost({ spec, model, vm, dir });
    expect(rendered.files.map((f) => f.path).every((p) => p.startsWith(`${dir}/`))).toBe(true);
    expect(rendered.files.filter((f) => f.labChange).map((f) => [f.path, f.labChange])).toEqual([[labLayout(dir).keepalived.configFile, `script_user ${LAB_SCRIPT_USER}`]]);
    const keepalived = rendered.files.find((f) => f.path === labLayout(dir).keepalived.configFile)?.content ?? "";
    expect(keepalived).toContain(`script "${labLayout(dir).haproxyCheck}"`);
    expect(keepalived).toContain(`notify "${labLayout(dir).keepalived.notifyScript}"`);
  });

  it("withLabScriptUser needs exactly one rendered script_user line", () => {
    expect(withLabScriptUser("a\n    script_user keepalived_script\nb\n")).toBe(`a\n    script_user ${LAB_SCRIPT_USER}\nb\n`);
    expect(() => withLabScriptUser("a\n")).toThrow('expected one "script_user keepalived_script" line in keepalived.conf');
  });
});
