import { afterAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";

// No systemd-timedated runs here (no systemd as PID 1): timedatectl is a stand-in printing what
// `timedatectl show -p NTPSynchronized --value` prints (yes/no), or its error without the bus.
const bench = scriptBench("agent-timesync");
afterAll(() => bench.remove());

describe("check_ibac_timesync", () => {
  it("is OK when synchronised, CRITICAL when not", () => {
    bench.standIn("timedatectl", { stdout: "yes\n", status: 0 });
    expect(bench.run(AGENT_SCRIPTS.timesync, [])).toMatchObject({ status: 0, line: "TIMESYNC OK - clock synchronised" });
    bench.standIn("timedatectl", { stdout: "no\n", status: 0 });
    expect(bench.run(AGENT_SCRIPTS.timesync, [])).toMatchObject({ status: 2, line: "TIMESYNC CRITICAL - clock not synchronised" });
  });

  it("is UNKNOWN when timedatectl fails, is missing, or with arguments", () => {
    bench.standIn("timedatectl", { stdout: "System has not been booted with systemd as init system (PID 1). Can't operate.\n", status: 1 });
    expect(bench.run(AGENT_SCRIPTS.timesync, [])).toMatchObject({ status: 3, line: "TIMESYNC UNKNOWN - timedatectl failed: System has not been booted with systemd as init system (PID 1). Can't operate." });
    expect(bench.run(AGENT_SCRIPTS.timesync, ["-a"])).toMatchObject({ status: 3, line: "TIMESYNC UNKNOWN - usage: check_ibac_timesync (no arguments)" });
    expect(bench.run(AGENT_SCRIPTS.timesync, [], { PATH: "/nonexistent" })).toMatchObject({ status: 3, line: "TIMESYNC UNKNOWN - timedatectl not found (Debian package systemd)" });
  });
});
