import { afterAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";

// No corosync runs here: corosync-quorumtool is a stand-in printing what corosync 3.1's prints for -s, with
// its documented exit status (0 quorate, 2 not quorate, 1 error).
const bench = scriptBench("agent-quorum");
afterAll(() => bench.remove());

const status = (quorate: boolean, total: number): string => `Quorum information
------------------
Date:             Wed Dec  2 05:30:00 2026
Quorum provider:  corosync_votequorum
Nodes:            ${total}
Node ID:          1
Ring ID:          1.10
Quorate:          ${quorate ? "Yes" : "No"}

Votequorum information
----------------------
Expected votes:   3
Highest expected: 3
Total votes:      ${total}
Quorum:           2 ${quorate ? "" : "Activity blocked"}
Flags:            ${quorate ? "Quorate Qdevice" : "Qdevice"}
`;

describe("check_ibac_quorum", () => {
  it("is OK when quorate, with the votes as perfdata", () => {
    bench.standIn("corosync-quorumtool", { stdout: status(true, 3), status: 0 });
    expect(bench.run(AGENT_SCRIPTS.quorum, [])).toMatchObject({ status: 0, line: "QUORUM OK - quorate, 3 of 3 votes (quorum 2) | votes=3;;2;0;3" });
  });

  it("is CRITICAL when not quorate or when corosync does not answer", () => {
    bench.standIn("corosync-quorumtool", { stdout: status(false, 1), status: 2 });
    expect(bench.run(AGENT_SCRIPTS.quorum, [])).toMatchObject({ status: 2, line: "QUORUM CRITICAL - not quorate, 1 of 3 votes (quorum 2) | votes=1;;2;0;3" });
    bench.standIn("corosync-quorumtool", { stdout: "Cannot initialize QUORUM service\n", status: 1 });
    expect(bench.run(AGENT_SCRIPTS.quorum, [])).toMatchObject({ status: 2, line: "QUORUM CRITICAL - corosync-quorumtool -s failed (exit 1): Cannot initialize QUORUM service" });
  });

  it("is UNKNOWN with arguments or without corosync-quorumtool", () => {
    expect(bench.run(AGENT_SCRIPTS.quorum, ["x"])).toMatchObject({ status: 3, line: "QUORUM UNKNOWN - usage: check_ibac_quorum (no arguments)" });
    expect(bench.run(AGENT_SCRIPTS.quorum, [], { PATH: "/usr/bin:/bin" })).toMatchObject({ status: 3, line: "QUORUM UNKNOWN - corosync-quorumtool not found (Debian package corosync)" });
  });
});
