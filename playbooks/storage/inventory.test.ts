import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { expectInputProblem } from "../../test/support/input-error-shape";
import type { StoragePlan } from "../../components/storage/storage-plan";
import { loadStorageInventoryFile, storageInventoryFromPlan, type StorageInventory } from "./inventory";
import { stackSpec } from "../../test/fixtures/specs";
import { buildModel } from "../../components/model/build";
import { MINIO_CA_FILE } from "../../components/storage/minio-paths";
import { testTempDir } from "../../test/support/test-temp-dir";

const peer = (n: 1 | 2): StoragePlan["drbd"]["peers"][number] => ({
  vm: `s3-${n}`, nodeId: n, proxmoxNode: `pve${n}`, proxmoxNodeAddress: `10.20.0.1${n}`, vmId: 140 + n, storageAddress: `10.40.0.2${n}`, serviceAddress: `10.30.0.2${n}`,
});
const fence = (n: 1 | 2): StoragePlan["cluster"]["fencing"][number] => ({
  target: `s3-${n}`, pve: { address: `10.20.0.1${n}`, proxmoxNode: `pve${n}`, vmId: 140 + n, user: "fence@pve" }, ipmi: { address: `10.10.0.1${n}`, user: "fence" },
});
/** The shape of the storage plan's contract (components/storage/storage-plan.ts), prod-like values. */
const plan: StoragePlan = {
  drbd: { name: "ibac-s3", port: 7789, minor: 0, device: "/dev/drbd0", backingDisk: "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1", protocol: "C", peers: [peer(1), peer(2)] },
  cluster: {
    name: "ibac-s3", peers: [peer(1), peer(2)], qdeviceAddress: "10.20.0.5", fenceDelayMaxSeconds: 10,
    fencing: [fence(1), fence(2)],
  },
  service: { address: "10.30.0.12", prefix: 24, serverName: "s3.prod.ibac.example", port: 9000, backend: { address: "127.0.0.1", port: 9010 }, mountPoint: "/srv/minio", fileSystem: "ext4", dataDir: "/srv/minio/data", user: "minio-user" },
};

const dir = testTempDir("ibac-storage-inventory-");
const written = (name: string, value: unknown): { file: string; text: string } => {
  const file = path.join(dir, name);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  fs.writeFileSync(file, text);
  return { file, text };
};
const lineOf = (text: string, needle: string): number => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("the storage runbooks' inventory", () => {
  const inventory: StorageInventory = storageInventoryFromPlan("prod", plan, "admin", "/etc/ibac/tls/ca.pem");

  it("comes from the storage plan: the DRBD resource, the peers by host name, SSH to the service network, sudo unless root", () => {
    expect(inventory).toEqual({
      stack: "prod",
      drbd: { resource: "ibac-s3", device: "/dev/drbd0", backingDisk: "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1" },
      service: { address: "10.30.0.12", serverName: "s3.prod.ibac.example", port: 9000, mountPoint: "/srv/minio", caFile: "/etc/ibac/tls/ca.pem" },
      hosts: [
        { name: "s3-1", address: "10.30.0.21", ssh: { port: 22, user: "admin", sudo: true } },
        { name: "s3-2", address: "10.30.0.22", ssh: { port: 22, user: "admin", sudo: true } },
      ],
    });
    expect(storageInventoryFromPlan("lab", plan, "root").hosts[0].ssh.sudo).toBe(false);
  });

  it("from the lab stack's model: its two storage VMs, the plan's DRBD resource and service, MinIO's CA file", () => {
    const model = buildModel(stackSpec("lab")).model;
    if (!model) throw new Error("lab: no model");
    const lab = storageInventoryFromPlan("lab", model.objectStore, "root", MINIO_CA_FILE);
    expect(lab.hosts.map((h) => h.name)).toEqual(model.vms.filter((vm) => vm.tier === "objectStore").map((vm) => vm.name));
    expect(lab.drbd).toEqual({ resource: model.objectStore.drbd.name, device: model.objectStore.drbd.device, backingDisk: model.objectStore.drbd.backingDisk });
    expect(lab.service.caFile).toBe("/etc/minio/certs/CAs/ibac-ca.pem");
    // What the model gives passes the inventory file's own checks.
    expect(loadStorageInventoryFile(written("lab.json", lab).file, "lab")).toEqual(lab);
  });

  it("reads back from a file", () => {
    expect(loadStorageInventoryFile(written("good.json", inventory).file, "prod")).toEqual(inventory);
  });

  it("refuses a resource name that would reach a shell as more than a word", () => {
    const { file, text } = written("res.json", { ...inventory, drbd: { ...inventory.drbd, resource: "ibac-s3; reboot" } });
    expectInputProblem(() => loadStorageInventoryFile(file, "prod"), {
      file, path: "drbd.resource", detail: 'expected a DRBD resource name such as ibac-s3 (letters, digits, _ and -), found "ibac-s3; reboot"',
      expected: "a DRBD resource name such as ibac-s3 (letters, digits, _ and -)", found: '"ibac-s3; reboot"', position: { line: lineOf(text, "reboot"), column: 17 },
    });
  });

  it("refuses the same VM twice", () => {
    const { file, text } = written("twice.json", { ...inventory, hosts: [inventory.hosts[0], { ...inventory.hosts[1], name: "s3-1" }] });
    expectInputProblem(() => loadStorageInventoryFile(file, "prod"), {
      file, path: "hosts[1].name", detail: `expected a host name other than hosts[0]'s, found "s3-1"`, expected: "a host name other than hosts[0]'s", found: '"s3-1"',
      position: { line: text.split("\n").findIndex((l, i) => i >= lineOf(text, '"name": "s3-1"') && l.includes('"name": "s3-1"')) + 1, column: 15 },
    });
  });

  it("refuses one SSH endpoint for both VMs, and takes one address with two ports", () => {
    const { file, text } = written("endpoint.json", { ...inventory, hosts: [inventory.hosts[0], { ...inventory.hosts[1], address: "10.30.0.21" }] });
    expectInputProblem(() => loadStorageInventoryFile(file, "prod"), {
      file, path: "hosts[1].address", detail: "expected an SSH endpoint other than hosts[0]'s (address or ssh.port), found 10.30.0.21 port 22 again",
      expected: "an SSH endpoint other than hosts[0]'s (address or ssh.port)", found: "10.30.0.21 port 22 again",
      position: { line: text.split("\n").findIndex((l, i) => i >= lineOf(text, '"address": "10.30.0.21"') && l.includes('"address": "10.30.0.21"')) + 1, column: 18 },
    });
    const ports = { ...inventory, hosts: [inventory.hosts[0], { ...inventory.hosts[1], address: "10.30.0.21", ssh: { ...inventory.hosts[1].ssh, port: 2222 } }] };
    expect(loadStorageInventoryFile(written("ports.json", ports).file, "prod").hosts[1].ssh.port).toBe(2222);
  });

  it("must describe the stack it is used for", () => {
    expect(() => loadStorageInventoryFile(written("other.json", inventory).file, "lab")).toThrowError(/stack: expected "lab", found "prod"/);
  });
});
