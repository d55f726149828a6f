import { describe, expect, it } from "vitest";
import type { PolicyResource } from "@pulumi/policy";
import { editDeliveredFile, findingsOf, mutatePlatform, remove, stackResources } from "../../test/fixtures/policy-fixture";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { targetPathOf } from "../../components/vm/deliver";
import { BACKUP_CLUSTER_PATHS } from "../../components/backup/cluster-paths";
import { backupVolumeDrbdPolicy } from "./backup-volume-drbd";

const DRBD = "/etc/drbd.d/ibac-bkp.res";
const CIB = BACKUP_CLUSTER_PATHS.cibConfiguration;
const policy = backupVolumeDrbdPolicy();

const deliveryOf = (vm: string, path: string) => (r: PolicyResource): boolean =>
  isResourceOf(r, RESOURCES.CopyToRemote) && r.name.startsWith(`${vm}-config-`) && targetPathOf(String(r.props.remotePath)) === path;

describe("backup-volume-drbd (IBAC-BAK-004) on the stacks' offline plans (pulumi.runtime.setMocks, not a deployment)", () => {
  it.each(["prod", "staging", "lab"])("%s passes: both backup VMs replicate the volume by DRBD, the cluster runs the volume, address, bacula-sd and bacula-director with the Promoted role", async (stack) => {
    expect(await findingsOf(policy, await stackResources(stack))).toEqual([]);
  });

  it("mutant: no DRBD resource on the backup VMs fails, for each VM", async () => {
    const resources = remove(await stackResources("prod"), (r) => deliveryOf("bkp-1", DRBD)(r) || deliveryOf("bkp-2", DRBD)(r));
    expect(await findingsOf(policy, resources)).toEqual([
      expect.objectContaining({ subject: "bkp-1's backup volume", observed: "no DRBD resource delivered" }),
      expect.objectContaining({ subject: "bkp-2's backup volume", observed: "no DRBD resource delivered" }),
    ]);
  });

  it("mutant: a protocol other than C fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "bkp-2", DRBD, (t) => t.replace("protocol C;", "protocol B;"));
    expect(await findingsOf(policy, resources)).toEqual([
      expect.objectContaining({ subject: "DRBD resource ibac-bkp on bkp-2", observed: "protocol B", expected: "protocol C (a write is acknowledged once both disks hold it)", location: `${DRBD}: protocol` }),
    ]);
  });

  it("mutant: a peer that is a storage VM, not the other backup VM, fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "bkp-1", DRBD, (t) => t.replace("on bkp-2 {", "on s3-2 {"));
    expect(await findingsOf(policy, resources)).toEqual([
      expect.objectContaining({ subject: "DRBD resource ibac-bkp on bkp-1", observed: "peers s3-2", expected: "a peer that is another backup VM on a node other than pve1" }),
    ]);
  });

  it("mutant: the director moved out of the group (so not colocated with Promoted) fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "bkp-1", CIB, (t) => {
      const director = /\n( *)<primitive id="backup-director"[\s\S]*?<\/primitive>/.exec(t);
      if (!director) throw new Error("no director primitive");
      return t.replace(director[0], "").replace("      </group>", `      </group>${director[0]}`);
    });
    expect(await findingsOf(policy, resources)).toEqual([
      expect.objectContaining({
        subject: "Pacemaker CIB on bkp-1",
        observed: "the group backup-service runs ocf:heartbeat:Filesystem, ocf:heartbeat:IPaddr2, systemd:bacula-sd",
        expected: "ocf:heartbeat:Filesystem, ocf:heartbeat:IPaddr2, systemd:bacula-sd, systemd:bacula-director in that order, in the group that runs with the Promoted role",
        location: `${CIB}: resources.backup-service`,
      }),
    ]);
  });

  it("mutant: the group's colocation with the Promoted role removed fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "bkp-2", CIB, (t) => t.replace(/^ *<rsc_colocation [^\n]*\n/m, ""));
    expect(await findingsOf(policy, resources)).toEqual([
      expect.objectContaining({ observed: "the service group is not colocated with the Promoted DRBD role", expected: "a colocation of backup-service with the Promoted role (INFINITY)" }),
    ]);
  });

  it("mutant: the clone promoting another DRBD resource, and a VM with one fencing level, fail", async () => {
    const other = editDeliveredFile(await stackResources("prod"), "bkp-1", CIB, (t) => t.replace('name="drbd_resource" value="ibac-bkp"', 'name="drbd_resource" value="ibac-s3"'));
    expect(await findingsOf(policy, other)).toEqual([
      expect.objectContaining({ observed: "the DRBD clone promotes ibac-s3", expected: "drbd_resource ibac-bkp (the resource delivered to bkp-1)" }),
    ]);
    const oneLevel = editDeliveredFile(await stackResources("prod"), "bkp-1", CIB, (t) => t.replace(/^ *<fencing-level id="fencing-bkp-2-2"[^\n]*\n/m, ""));
    expect(await findingsOf(policy, oneLevel)).toEqual([expect.objectContaining({ observed: "1 fencing level for bkp-2" })]);
  });

  it("mutant: Proxmox replication also on the backup disk fails (a replication job for bkp-1, and HA failing it over)", async () => {
    const base = await stackResources("prod");
    const template = base.find((r) => isResourceOf(r, RESOURCES.Replication));
    if (!template) throw new Error("prod has no replication job to copy");
    const withJob = [...base, { ...template, urn: `${template.urn}-bkp-1`, name: "bkp-1-replication", props: { ...template.props, resourceId: "1600-0", target: "pve2" } }];
    expect(await findingsOf(policy, withJob)).toEqual([
      expect.objectContaining({ subject: "bkp-1's disks", observed: "Proxmox storage replication 1600-0 to pve2" }),
    ]);
    const failover = mutatePlatform(await stackResources("prod"), (view) => {
      const vm = view.model.vms.find((v) => v.name === "bkp-2");
      if (!vm) throw new Error("no bkp-2");
      vm.failoverNode = "pve1";
    });
    expect(await findingsOf(policy, failover)).toEqual([expect.objectContaining({ subject: "bkp-2's placement", observed: "HA recovers it on pve1" })]);
  });

  it("mutant: no CIB on a backup VM fails", async () => {
    const resources = remove(await stackResources("prod"), deliveryOf("bkp-2", CIB));
    expect(await findingsOf(policy, resources)).toEqual([expect.objectContaining({ subject: "bkp-2's cluster configuration", observed: "no Pacemaker CIB delivered" })]);
  });
});
