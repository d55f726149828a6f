import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commands } from "./pair";
import { leftoverMoveConstraints, parseCrmMon } from "./crm-mon";
import { cibIn, runCommandOnCib, sampleOf, settle } from "../../test/support/crm-mon-samples";

// storage-switchover's own command lines, run by the real crm_resource (pacemaker-cli-utils, Pacemaker
// 2.1.5) against a CIB file, with crm_simulate standing in for the cluster that carries them out. Proven:
// the spelling (`--promoted`), that the move makes s3-2 Promoted with the service group, that the clear
// removes exactly the constraint the move left, and that the role then stays. Unproven: a live cluster
// doing the same (timings, the DRBD agent's demote and promote on real disks).
describe("storage-switchover's Pacemaker commands on a CIB file", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("move: s3-2 Promoted and running the service; clear: no constraint left, and the role stays", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-switchover-cib-"));
    dirs.push(dir);
    const cib = cibIn(dir, "healthy");
    expect(parseCrmMon(sampleOf(cib).crmMon, "before")).toMatchObject({ promoted: ["s3-1"], serviceOn: "s3-1" });

    runCommandOnCib(commands.move("s3-2"), cib);
    expect(leftoverMoveConstraints(sampleOf(cib).constraints, "after the move")).toEqual(["cli-prefer-storage-drbd-clone"]);
    settle(cib);
    expect(parseCrmMon(sampleOf(cib).crmMon, "moved")).toMatchObject({ promoted: ["s3-2"], unpromoted: ["s3-1"], serviceOn: "s3-2" });

    expect(runCommandOnCib(commands.clear, cib)).toContain("Removing constraint: cli-prefer-storage-drbd-clone");
    expect(leftoverMoveConstraints(sampleOf(cib).constraints, "after the clear")).toEqual([]);
    settle(cib);
    expect(parseCrmMon(sampleOf(cib).crmMon, "settled")).toMatchObject({ promoted: ["s3-2"], serviceOn: "s3-2" });
  });
});
