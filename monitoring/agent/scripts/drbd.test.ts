import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";

// No DRBD kernel module here: drbdadm is a stand-in printing what drbdadm 8.4's cstate/dstate print.
const bench = scriptBench("agent-drbd");
afterAll(() => bench.remove());

function drbd(cstate: string, dstate: string) {
  // One stand-in answering by its first argument, as the real one does.
  fs.writeFileSync(`${bench.dir}/bin/drbdadm`, `#!/bin/sh\ncase "$1" in cstate) echo ${cstate} ;; dstate) echo ${dstate} ;; *) exit 1 ;; esac\n`, { mode: 0o755 });
  return bench.run(AGENT_SCRIPTS.drbd, ["r0"]);
}

describe("check_ibac_drbd", () => {
  it("is OK when Connected and UpToDate on both sides", () => {
    expect(drbd("Connected", "UpToDate/UpToDate")).toMatchObject({ status: 0, line: "DRBD OK - r0 Connected UpToDate/UpToDate" });
  });

  it("is WARNING while resynchronising from an UpToDate side, CRITICAL when disconnected or outdated", () => {
    expect(drbd("SyncSource", "UpToDate/Inconsistent")).toMatchObject({ status: 1, line: "DRBD WARNING - r0 SyncSource UpToDate/Inconsistent (resynchronising)" });
    expect(drbd("WFConnection", "UpToDate/DUnknown")).toMatchObject({ status: 2, line: "DRBD CRITICAL - r0 WFConnection UpToDate/DUnknown" });
    expect(drbd("StandAlone", "Outdated/DUnknown")).toMatchObject({ status: 2, line: "DRBD CRITICAL - r0 StandAlone Outdated/DUnknown" });
  });

  it("is UNKNOWN on bad usage, a failing drbdadm or no drbdadm", () => {
    expect(bench.run(AGENT_SCRIPTS.drbd, ["r0;reboot"])).toMatchObject({ status: 3, line: "DRBD UNKNOWN - usage: check_ibac_drbd RESOURCE" });
    expect(bench.run(AGENT_SCRIPTS.drbd, [])).toMatchObject({ status: 3, line: "DRBD UNKNOWN - usage: check_ibac_drbd RESOURCE" });
    bench.standIn("drbdadm", { stdout: "'nosuch' not defined in your config (for this host).", status: 10 });
    expect(bench.run(AGENT_SCRIPTS.drbd, ["nosuch"])).toMatchObject({ status: 3, line: "DRBD UNKNOWN - drbdadm cstate nosuch: 'nosuch' not defined in your config (for this host)." });
    fs.rmSync(`${bench.dir}/bin/drbdadm`);
    // The real drbdadm is installed here: hide it by running with a PATH without sbin.
    expect(bench.run(AGENT_SCRIPTS.drbd, ["r0"], { PATH: `${bench.dir}/bin:/usr/bin:/bin` })).toMatchObject({ status: 3, line: "DRBD UNKNOWN - drbdadm not found (Debian package drbd-utils)" });
  });
});
