import { describe, expect, it } from "vitest";
import { findingsOf, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { storageDrbdReplicationPolicy } from "./storage-drbd-replication";

const DRBD = "/etc/drbd.d/ibac-s3.res";

describe("storage-drbd-replication on the stacks' offline plans (pulumi.runtime.setMocks, not a deployment)", () => {
  it.each(["prod", "staging", "lab"])("%s passes: both storage VMs replicate synchronously with fencing, to a peer on the other node", async (stack) => {
    expect(await findingsOf(storageDrbdReplicationPolicy(), await stackResources(stack))).toEqual([]);
  });

  it("a DRBD resource without fencing fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "s3-1", DRBD, (t) => t.replace("fencing resource-and-stonith;", "fencing dont-care;"));
    expect(await findingsOf(storageDrbdReplicationPolicy(), resources)).toEqual([
      expect.objectContaining({
        subject: "DRBD resource ibac-s3 on s3-1",
        observed: "fencing dont-care",
        expected: "fencing resource-and-stonith (a Primary that loses its peer freezes I/O until the peer is fenced)",
        location: `${DRBD}: disk.fencing`,
      }),
    ]);
  });

  it("asynchronous replication, a missing fence handler and a split-brain policy that discards writes each fail", async () => {
    const edit = async (from: RegExp | string, to: string) => findingsOf(storageDrbdReplicationPolicy(), editDeliveredFile(await stackResources("prod"), "s3-2", DRBD, (t) => t.replace(from, to)));
    expect(await edit("protocol C;", "protocol A;")).toEqual([expect.objectContaining({ observed: "protocol A", location: `${DRBD}: protocol` })]);
    expect(await edit(/^ *fence-peer .*\n/m, "")).toEqual([expect.objectContaining({ observed: "no fence-peer handler", expected: "fence-peer /usr/lib/drbd/crm-fence-peer.sh" })]);
    expect(await edit("after-sb-1pri disconnect;", "after-sb-1pri discard-secondary;")).toEqual([
      expect.objectContaining({ observed: "after-sb-1pri discard-secondary", expected: "after-sb-1pri disconnect (never discards changed data by itself)", location: `${DRBD}: net.after-sb-1pri` }),
    ]);
  });

  it("a resource whose peer is itself, or at an address that is not the peer's storage address, fails", async () => {
    const self = editDeliveredFile(await stackResources("prod"), "s3-1", DRBD, (t) => t.replace("on s3-2 {", "on s3-1 {"));
    expect(await findingsOf(storageDrbdReplicationPolicy(), self)).toEqual([
      expect.objectContaining({ subject: "DRBD resource ibac-s3 on s3-1", observed: "peers none", expected: "a peer that is another storage VM on a node other than pve1" }),
    ]);
    const elsewhere = editDeliveredFile(await stackResources("prod"), "s3-1", DRBD, (t) => t.replace(/address ipv4 ([0-9.]+)\.41:7789/, "address ipv4 $1.99:7789"));
    const findings = await findingsOf(storageDrbdReplicationPolicy(), elsewhere);
    expect(findings).toHaveLength(1);
    expect(findings[0].observed).toMatch(/^s3-2 at 10\.20\.3\.99$/);
  });
});
