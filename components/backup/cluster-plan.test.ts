import { describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec, STACKS } from "../../test/fixtures/specs";
import type { PlatformModel } from "../model/types";
import type { PlatformSpec } from "../spec/schema";
import { backupTier, BACKUP_DRBD_PORT } from "./tier";
import { BACKUP_CIB_IDS, BACKUP_FENCE_PVE_USER, deriveBackupClusterPlan } from "./cluster-plan";
import { DATA_DISK_BY_ID } from "../replicated-volume/derive";
import { deriveStoragePlan } from "../storage/derive-storage-plan";

function stack(name: string): { spec: PlatformSpec; model: PlatformModel } {
  const spec = stackSpec(name);
  const { model, problems } = buildModel(spec);
  if (!model) throw new Error(`${name}: ${JSON.stringify(problems)}`);
  return { spec, model };
}

const PROD = stack("prod");
const PLAN = deriveBackupClusterPlan(PROD.spec, PROD.model);

describe("deriveBackupClusterPlan (prod)", () => {
  it("one DRBD 8.4 resource ibac-bkp on the raw data disk by id, port 7790, minor 0, protocol C, between the two backup VMs", () => {
    expect({ ...PLAN.drbd, peers: PLAN.drbd.peers.map((p) => p.vm) }).toEqual({
      name: "ibac-bkp", port: 7790, minor: 0, device: "/dev/drbd0", backingDisk: DATA_DISK_BY_ID, protocol: "C", peers: ["bkp-1", "bkp-2"],
    });
    expect(BACKUP_DRBD_PORT).not.toBe(PROD.model.objectStore.drbd.port);
  });

  it("the peers are on different nodes, reached on the storage network, with their Proxmox VM ids", () => {
    expect(PLAN.drbd.peers).toEqual([
      { vm: "bkp-1", nodeId: 1, proxmoxNode: "pve1", proxmoxNodeAddress: "10.20.0.11", vmId: 1600, storageAddress: "10.20.3.136", serviceAddress: "10.20.2.136" },
      { vm: "bkp-2", nodeId: 2, proxmoxNode: "pve2", proxmoxNodeAddress: "10.20.0.12", vmId: 1601, storageAddress: "10.20.3.137", serviceAddress: "10.20.2.137" },
    ]);
  });

  it("cluster ibac-bkp with the platform's QDevice; fence_pve (its own Proxmox user) then the node's BMC, the same BMCs the storage cluster uses", () => {
    expect(PLAN.cluster.name).toBe("ibac-bkp");
    expect(PLAN.cluster.qdeviceAddress).toBe(PROD.model.qdevice?.address);
    expect(PLAN.cluster.fencing.map((f) => [f.target, f.pve.proxmoxNode, f.pve.vmId, f.pve.user, f.ipmi?.address])).toEqual([
      ["bkp-1", "pve1", 1600, BACKUP_FENCE_PVE_USER, "10.20.8.11"],
      ["bkp-2", "pve2", 1601, BACKUP_FENCE_PVE_USER, "10.20.8.12"],
    ]);
    const storage = PROD.model.objectStore.cluster.fencing.map((f) => f.ipmi);
    expect(PLAN.cluster.fencing.map((f) => f.ipmi)).toEqual(storage);
    expect(PLAN.cluster.fenceDelayMaxSeconds).toBe(15);
  });

  it("the group, in start order: the file system on /srv/bacula, the backup address, bacula-sd, bacula-director", () => {
    expect(PLAN.cib.ids).toEqual({ drbdPrimitive: "backup-drbd", drbdClone: "backup-drbd-clone", group: "backup-service" });
    expect(PLAN.cib.members.map((m) => [m.id, m.kind, m.kind === "systemd" ? m.unit : m.kind === "address" ? m.address : m.directory])).toEqual([
      [BACKUP_CIB_IDS.fileSystem, "filesystem", "/srv/bacula"],
      [BACKUP_CIB_IDS.address, "address", "10.20.2.13"],
      [BACKUP_CIB_IDS.storageDaemon, "systemd", "bacula-sd"],
      [BACKUP_CIB_IDS.director, "systemd", "bacula-director"],
    ]);
    expect(PLAN.service).toEqual({ address: PROD.model.virtualIps.backup, prefix: 24, mountPoint: "/srv/bacula", fileSystem: "ext4" });
  });

  it.each(STACKS)("%s: derives, and no address of it is any VM's or the object store's", (name) => {
    const { spec, model } = stack(name);
    const plan = deriveBackupClusterPlan(spec, model);
    const taken = model.vms.flatMap((v) => v.nics.map((n) => n.address));
    expect(taken).not.toContain(plan.service.address);
    expect(plan.service.address).not.toBe(model.virtualIps.objectStore);
  });

  it("refuses a model with one backup VM, and one without the backup address", () => {
    expect(() => deriveBackupClusterPlan(PROD.spec, { ...PROD.model, vms: PROD.model.vms.filter((v) => v.name !== "bkp-2") })).toThrow(new Error("the backup volume needs two VMs, the model has 1"));
    const others = Object.fromEntries(Object.entries(PROD.model.virtualIps).filter(([name]) => name !== "backup"));
    expect(() => deriveBackupClusterPlan(PROD.spec, { ...PROD.model, virtualIps: others })).toThrow(new Error("the model has no backup virtual address"));
  });

  it("the object store's plan is unchanged by the shared derivation (its peers and fencing as before)", () => {
    const storage = deriveStoragePlan(PROD.spec, { vms: PROD.model.vms, nodes: PROD.model.nodes, ...(PROD.spec.proxmox.qdevice ? { qdevice: PROD.spec.proxmox.qdevice } : {}), serviceAddress: PROD.model.virtualIps.objectStore });
    expect(storage).toEqual(PROD.model.objectStore);
    expect(storage.cluster.fencing[0].pve.user).toBe("ibac-fence@pve");
  });
});

describe("the backup tier's entry", () => {
  const flows = backupTier.flows?.(PROD.spec) ?? {};
  const all = [...(flows.dataPath ?? []), ...(flows.operations ?? []), ...(flows.appended ?? [])];

  it("a DRBD data disk, the backup address at host 13, the director on it", () => {
    expect([backupTier.dataDisk, backupTier.virtualAddresses, backupTier.serviceOn, backupTier.servicePort?.(PROD.spec).port]).toEqual(["drbd", [{ name: "backup", host: 13 }], "virtual-address", "9101"]);
  });

  it("flows only between the peers, to the QDevice, the nodes' API and BMCs, and the NAS; the replica's SSH is gone", () => {
    expect(all.map((f) => [f.id, f.protocol, f.ports, f.destination.kind === "tier" ? f.destination.tier : f.destination.zone])).toEqual([
      ["backup-drbd", "tcp", "7790", "backup"],
      ["backup-to-offsite-nas", "tcp", "22", "offsiteNas"],
      ["backup-corosync", "udp", "5405", "backup"],
      ["backup-fence-ipmi", "udp", "623", "nodeBmcs"],
      ["backup-to-qdevice", "tcp", "5403", "qdevice"],
      ["backup-fence-pve", "tcp", "8006", "proxmoxNodes"],
    ]);
    expect(all.every((f) => f.source.kind === "tier" && f.source.tier === "backup")).toBe(true);
    expect(PROD.model.flows.map((f) => f.id)).not.toContain("replica-to-backup-ssh");
  });

  it("the cluster's flows to the nodes and the QDevice come after every other flow (no existing rule there moves)", () => {
    const ids = PROD.model.flows.map((f) => f.id);
    expect(ids.slice(-2)).toEqual(["backup-to-qdevice", "backup-fence-pve"]);
    expect(ids.indexOf("backup-corosync")).toBeGreaterThan(ids.indexOf("backup-to-offsite-nas"));
  });
});
