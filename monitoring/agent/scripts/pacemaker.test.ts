import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";
import { cibIn, type CrmMonScenario } from "../../../test/support/crm-mon-samples";

// The real crm_mon (Pacemaker 2.1) reads a CIB file (CIB_file) brought to each state by crm_simulate: the
// storage pair's CIB, no cluster needed.
const bench = scriptBench("agent-pacemaker");
const dirs: string[] = [];
afterAll(() => {
  bench.remove();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function check(scenario: CrmMonScenario) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-agent-cib-"));
  dirs.push(dir);
  return bench.run(AGENT_SCRIPTS.pacemaker, [], { CIB_file: cibIn(dir, scenario) });
}

describe("check_ibac_pacemaker", () => {
  it("is OK when quorate with every resource started", () => {
    expect(check("healthy")).toMatchObject({ status: 0, line: "PACEMAKER OK - quorate, 7 resources started | resources=7 failed_actions=0" });
  });

  it("is WARNING with a failed action left to clean up", () => {
    expect(check("minio-monitor-failed")).toMatchObject({ status: 1, line: "PACEMAKER WARNING - 1 failed actions | resources=7 failed_actions=1" });
  });

  it("is CRITICAL with a node offline: the fence device of the survivor runs nowhere", () => {
    expect(check("s3-2-offline")).toMatchObject({
      status: 2,
      line: "PACEMAKER CRITICAL - stopped: fence-pve-s3-1; instances stopped: storage-drbd; offline: s3-2 | resources=7 failed_actions=0",
    });
  });

  it("is CRITICAL without quorum or with a resource running nowhere", () => {
    expect(check("no-quorum")).toMatchObject({ status: 2, line: "PACEMAKER CRITICAL - no quorum | resources=7 failed_actions=0" });
    expect(check("nothing-promoted").line).toBe("PACEMAKER CRITICAL - stopped: storage-fs storage-ip storage-minio storage-haproxy | resources=7 failed_actions=0");
  });

  it("is CRITICAL when crm_mon cannot reach a cluster, UNKNOWN with arguments or without crm_mon", () => {
    // crm_mon exits 0 here too, saying why in its XML.
    const r = bench.run(AGENT_SCRIPTS.pacemaker, [], { CIB_file: path.join(bench.dir, "no-such-cib.xml") });
    expect(r).toMatchObject({ status: 2, line: "PACEMAKER CRITICAL - crm_mon: Could not connect to the CIB: No such device or address" });
    expect(bench.run(AGENT_SCRIPTS.pacemaker, ["-1"])).toMatchObject({ status: 3, line: "PACEMAKER UNKNOWN - usage: check_ibac_pacemaker (no arguments)" });
    expect(bench.run(AGENT_SCRIPTS.pacemaker, [], { PATH: "/usr/bin:/bin" })).toMatchObject({ status: 3, line: "PACEMAKER UNKNOWN - crm_mon not found (Debian package pacemaker-cli-utils)" });
  });
});
