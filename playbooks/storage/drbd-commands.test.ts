import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { commands } from "./pair";
import { splitBrainCommands } from "./storage-split-brain";
import { storageInventory } from "../../test/support/storage-pair";

// The runbooks' drbdadm command lines, parsed by the real drbdadm of DRBD 8.4 (drbd-utils' drbdadm-84,
// which the `drbdadm` wrapper runs on a VM whose kernel has the 8.4 module) with -d: it prints the
// drbdsetup calls it would make instead of making them. Proven: every command and option is 8.4 syntax and
// names the resource of the inventory; unproven: what the kernel does with them (only the qemu guests have
// DRBD, and they run no runbook).
const DRBDADM_84 = "/usr/lib/drbd/drbdadm-84";
const res = storageInventory.drbd.resource;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-drbd-commands-"));
const resFile = path.join(dir, `${res}.res`);
// A minimal 8.4 resource with the inventory's names (the rendered file is components/storage's concern).
fs.writeFileSync(resFile, `resource ${res} {\n  protocol C;\n  device ${storageInventory.drbd.device};\n  disk ${storageInventory.drbd.backingDisk};\n  meta-disk internal;\n  on s3-1 { address 10.40.0.21:7789; }\n  on s3-2 { address 10.40.0.22:7789; }\n}\n`);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** drbdadm-84 -d for one of the runbooks' `drbdadm ...` command lines, as host `host` (drbdadm reads uname -n). */
function dryRun(command: string, host: string): string {
  requireTool(DRBDADM_84, "drbd-utils");
  const unshare = requireTool("unshare", "util-linux");
  const args = command.replace(/^drbdadm /, "");
  const script = `hostname ${host} && exec ${DRBDADM_84} -d -c ${resFile} ${args}`;
  const result = runTool(unshare, [...(process.getuid?.() === 0 ? [] : ["-r"]), "-u", "sh", "-c", script]);
  expect(result.status, describeRun(result)).toBe(0);
  return result.stdout;
}

describe("the storage runbooks' drbdadm commands, parsed by DRBD 8.4's drbdadm", () => {
  it.each([
    ["role, cstate, dstate (a cross-check of /proc/drbd)", commands.drbdadmState(res), ["drbdsetup-84 role 0", "drbdsetup-84 cstate 0", "drbdsetup-84 dstate 0"]],
    ["get-gi (the generation identifiers)", commands.getGi(res), ["drbdsetup-84 get-gi 0"]],
    ["disconnect (the victim)", splitBrainCommands.disconnect(res), ["drbdsetup-84 disconnect ipv4:10.40.0.22:7789 ipv4:10.40.0.21:7789"]],
    ["secondary (the victim)", splitBrainCommands.secondary(res), ["drbdsetup-84 secondary 0"]],
    ["connect --discard-my-data (the victim)", splitBrainCommands.discard(res), ["drbdsetup-84 connect ibac-s3 ipv4:10.40.0.22:7789 ipv4:10.40.0.21:7789 --protocol=C --discard-my-data"]],
  ])("%s", (_, command, expected) => {
    const printed = command.split(" && ").map((part) => dryRun(part, "s3-2")).join("");
    for (const line of expected) expect(printed).toContain(`/usr/lib/drbd/${line}`);
  });

  it("connect (the survivor, without --discard-my-data)", () => {
    const printed = dryRun(splitBrainCommands.connect(res), "s3-1");
    expect(printed).toContain("/usr/lib/drbd/drbdsetup-84 connect ibac-s3 ipv4:10.40.0.21:7789 ipv4:10.40.0.22:7789 --protocol=C");
    expect(printed).not.toContain("--discard-my-data");
  });
});
