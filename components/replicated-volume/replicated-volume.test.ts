import { describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { deriveBackupClusterPlan } from "../backup/cluster-plan";
import { BACKUP_CIB_TEXT, BACKUP_DRBD_TEXT } from "../backup/cluster-files";
import { renderReplicatedCib } from "./render-cib";
import { renderReplicatedDrbdResource } from "./render-drbd-resource";
import { renderReplicatedCorosyncConf } from "./render-corosync-conf";
import { renderClusterPackagesScript, renderClusterSetupScript } from "./render-cluster-scripts";
import type { GroupMember, ReplicatedCibPlan } from "./plan";

// The shared renderers' own checks, with the exact messages; what they render is checked by the real programs in
// the object store's tests (byte for byte the files they rendered before the renderers were shared) and the
// backup cluster's (components/backup/cluster-files.test.ts, cluster-pacemaker.test.ts).

const SPEC = stackSpec("prod");
const PLAN = (() => {
  const { model } = buildModel(SPEC);
  if (!model) throw new Error("prod has no model");
  return deriveBackupClusterPlan(SPEC, model);
})();
const WHERE = BACKUP_CIB_TEXT.where;

function withMember(index: number, member: GroupMember): ReplicatedCibPlan {
  const members = [...PLAN.cib.members];
  members[index] = member;
  return { ...PLAN.cib, members };
}

describe("renderReplicatedCib: the group's members are checked before they reach the CIB", () => {
  it.each<[string, ReplicatedCibPlan, string]>([
    ["a unit name with a space", withMember(3, { kind: "systemd", id: "backup-director", unit: "bacula director", monitorInterval: "30s", monitorTimeout: "60s", startTimeout: "100s", stopTimeout: "100s" }),
      `${WHERE}: members[3].unit: expected a systemd service name without .service, such as bacula-sd, found "bacula director"`],
    ["a monitor interval without a unit", withMember(2, { kind: "systemd", id: "backup-sd", unit: "bacula-sd", monitorInterval: "30", monitorTimeout: "60s", startTimeout: "100s", stopTimeout: "100s" }),
      `${WHERE}: members[2].monitorInterval: expected a duration in seconds such as 30s, found "30"`],
    ["the address a VM has as its own", withMember(1, { kind: "address", id: "backup-ip", address: PLAN.cluster.peers[0].serviceAddress, prefix: 24 }),
      `${WHERE}: members[1].address: expected an address neither VM has as its own, found "${PLAN.cluster.peers[0].serviceAddress}"`],
    ["a mount point with a dot segment", withMember(0, { kind: "filesystem", id: "backup-fs", directory: "/srv/../etc", fileSystem: "ext4" }),
      `${WHERE}: members[0].directory: expected an absolute path such as /srv/minio (no spaces, quotes or dot segments), found "/srv/../etc"`],
    ["a member id used twice", withMember(3, { kind: "systemd", id: "backup-sd", unit: "bacula-director", monitorInterval: "30s", monitorTimeout: "60s", startTimeout: "100s", stopTimeout: "100s" }),
      `${WHERE}: members: expected resource ids used once each, found "backup-sd"`],
    ["no members", { ...PLAN.cib, members: [] }, `${WHERE}: members: expected at least one group member, found []`],
    ["a fence target that is not a backup VM", { ...PLAN.cib, cluster: { ...PLAN.cluster, fencing: [{ ...PLAN.cluster.fencing[0], target: "s3-1" }, PLAN.cluster.fencing[1]] } },
      `${WHERE}: cluster.fencing[0].target: expected one of the backup VMs (bkp-1, bkp-2), found "s3-1"`],
  ])("%s is refused", (_what, plan, message) => {
    expect(() => renderReplicatedCib(plan, BACKUP_CIB_TEXT)).toThrow(new Error(message));
  });

  it("the group's members appear in the order given", () => {
    const text = renderReplicatedCib(PLAN.cib, BACKUP_CIB_TEXT);
    const ids = [...text.matchAll(/<primitive id="(backup-[a-z]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(["backup-drbd", "backup-fs", "backup-ip", "backup-sd", "backup-director"]);
  });
});

describe("the words a tier passes are checked too (they go into comments and messages)", () => {
  it("a DRBD comment text with a line break is refused", () => {
    expect(() => renderReplicatedDrbdResource(PLAN.drbd, { ...BACKUP_DRBD_TEXT, volume: "the backup volume\nresource x {" }))
      .toThrow(new Error(`DRBD resource plan: text.volume: expected a few words for a comment (letters, digits, spaces, . _ - '), found "the backup volume\\nresource x {"`));
  });

  it("a corosync cluster label with a line break is refused", () => {
    expect(() => renderReplicatedCorosyncConf(PLAN.cluster, { where: "w", clusterLabel: "backup\ncluster" }))
      .toThrow(new Error('w: clusterLabel: expected a few lower-case words such as storage cluster, found "backup\\ncluster"'));
  });

  it("a package name with a space and a setup script for a VM that is no peer are refused", () => {
    expect(() => renderClusterPackagesScript({ clusterLabel: "x", packages: ["drbd-utils; rm"], tail: "" }))
      .toThrow(new Error('renderClusterPackagesScript: expected a Debian package name, found "drbd-utils; rm"'));
    const paths = { corosyncAuthkeyBase64: "/a", corosyncAuthkey: "/b", cibConfiguration: "/c", packagesScript: "/d", setupScript: "/e", stateDir: "/f" };
    expect(() => renderClusterSetupScript({ drbd: PLAN.drbd, cluster: PLAN.cluster, mountPoint: "/srv/bacula" }, "s3-1", { vmLabel: "v", clusterLabel: "c", runbooks: "r", unitsComment: "u", paths }))
      .toThrow(new Error('renderClusterSetupScript: "s3-1" is not a peer of ibac-bkp'));
    expect(() => renderClusterSetupScript({ drbd: PLAN.drbd, cluster: PLAN.cluster, mountPoint: "/srv/bacula" }, "bkp-1", { vmLabel: "v", clusterLabel: "c", runbooks: "r", unitsComment: "u", paths: { ...paths, stateDir: "/var/lib/x y" } }))
      .toThrow(new Error('renderClusterSetupScript: paths.stateDir: expected an absolute path, found "/var/lib/x y"'));
  });
});
