import { describe, expect, it } from "vitest";
import { deriveFrsArchivePlan } from "./archive-plan";
import { prodArchiveStack } from "./test-plan";

describe("deriveFrsArchivePlan", () => {
  it("gives the prod FRS VM its retention, the frsArchive bucket and the object store's service", () => {
    const { plan } = prodArchiveStack();
    expect(plan).toEqual({
      vm: "frs-1",
      user: "ibac-frs",
      dataDir: "/srv/frs/data",
      retentionDays: 14,
      bucket: "ibac-frs-archive",
      endpoint: { serverName: "s3.ibac.rik.ee", port: 9000, address: "10.20.2.12" },
      mcBinary: "/usr/local/bin/mc",
      caFile: "/etc/ibac/frs-archive-ca.pem",
      stateDir: "/var/lib/ibac-frs-archive",
    });
  });

  it("follows frs.localRetentionDays and names each FRS VM's objects after it", () => {
    const { spec, model } = prodArchiveStack();
    spec.frs.localRetentionDays = 30;
    const frs = model.vms.filter((v) => v.tier === "frs");
    expect(frs.map((vm) => deriveFrsArchivePlan(spec, model, vm)).map((p) => [p.vm, p.retentionDays])).toEqual([["frs-1", 30], ["frs-2", 30]]);
  });

  it("refuses a VM of another tier and a spec without one frsArchive bucket", () => {
    const { spec, model } = prodArchiveStack();
    const db = model.vms.find((v) => v.tier === "database");
    if (!db) throw new Error("no database VM");
    expect(() => deriveFrsArchivePlan(spec, model, db)).toThrow("deriveFrsArchivePlan: db-1 is a database VM, not an FRS one");
    spec.objectStore.buckets = spec.objectStore.buckets.filter((b) => b.purpose !== "frsArchive");
    const frs = model.vms.find((v) => v.tier === "frs");
    if (!frs) throw new Error("no FRS VM");
    expect(() => deriveFrsArchivePlan(spec, model, frs)).toThrow("deriveFrsArchivePlan: objectStore.buckets: expected one bucket for frsArchive, found 0");
  });
});
