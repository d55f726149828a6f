import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { describeRun, requireTool, runTool } from "../../../test/support/require-tool";
import { AGENT_SCRIPT_TEXT } from ".";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-agent-shellcheck-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("agent check scripts", () => {
  it("exist for every AGENT_SCRIPTS name and nothing else", () => {
    expect(Object.keys(AGENT_SCRIPT_TEXT).sort()).toEqual(Object.values(AGENT_SCRIPTS).sort());
  });

  it.each(Object.keys(AGENT_SCRIPT_TEXT))("%s is POSIX sh and shellcheck-clean", (name) => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const file = path.join(dir, name);
    const text = AGENT_SCRIPT_TEXT[name as keyof typeof AGENT_SCRIPT_TEXT];
    expect(text.startsWith("#!/bin/sh\n")).toBe(true);
    fs.writeFileSync(file, text);
    const r = runTool(shellcheck, ["--shell=sh", "--severity=style", file]);
    expect(r.status, describeRun(r)).toBe(0);
  });
});
