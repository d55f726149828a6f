import { describe, expect, it } from "vitest";
import { findingsOf, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { storageDrbdReplicationPolicy } from "./storage-drbd-replication";
import { storageClusterFencingPolicy } from "./storage-cluster-fencing";

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

describe("storage-cluster-fencing on the stacks' offline plans (pulumi.runtime.setMocks, not a deployment)", () => {
  const CIB = "/etc/ibac/storage/cib.xml";
  const edit = async (vm: string, change: (t: string) => string) => findingsOf(storageClusterFencingPolicy(), editDeliveredFile(await stackResources("prod"), vm, CIB, change));

  it.each(["prod", "staging", "lab"])("%s passes: stonith on, two fencing levels per storage VM, MinIO's group with the Promoted role after the promotion", async (stack) => {
    expect(await findingsOf(storageClusterFencingPolicy(), await stackResources(stack))).toEqual([]);
  });

  it("a CIB without stonith fails", async () => {
    expect(await edit("s3-1", (t) => t.replace('name="stonith-enabled" value="true"', 'name="stonith-enabled" value="false"'))).toEqual([
      expect.objectContaining({ subject: "Pacemaker CIB on s3-1", observed: "stonith-enabled=false", location: `${CIB}: crm_config.stonith-enabled` }),
    ]);
  });

  it("a storage VM with one fencing level, a service group not colocated with Promoted, and a password in the CIB each fail", async () => {
    expect(await edit("s3-2", (t) => t.replace(/^ *<fencing-level id="fencing-s3-1-2"[^\n]*\n/m, ""))).toEqual([
      expect.objectContaining({ observed: "1 fencing level for s3-1", expected: "two fencing levels for s3-1 (fence_pve, then the node's BMC)" }),
    ]);
    expect(await edit("s3-1", (t) => t.replace(/^ *<rsc_colocation [^\n]*\n/m, ""))).toEqual([
      expect.objectContaining({ observed: "the service group is not colocated with the Promoted DRBD role" }),
    ]);
    const inline = await edit("s3-1", (t) => t.replace(/name="password_script" value="[^"]*"/, 'name="password" value="hunter2"'));
    expect(inline.map((f) => f.observed)).toContain("a password written into the CIB: fence-pve-s3-1");
  });
});
