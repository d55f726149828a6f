// The Bacula plan of the stacks: who is backed up where from, into which pools, kept how long, copied where.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { hostAddress, parseCidr } from "../../components/model/addresses";
import { deriveBaculaPlan, CYCLE_POOLS, nasPool, BACKUP_VIRTUAL_HOST } from "./derive-bacula-plan";
import { fixtureRotation } from "./fixture-rotation";
import { photoRotation } from "../rotation/hanoi-plan";
import { PRODUCTION_BACULA_PATHS } from "./paths";
import { baculaVmRoles } from "./render-files";

const projectDir = path.resolve(__dirname, "../..");
const prod = loadStackFile(stackFilePath(projectDir, "prod"));
const plan = deriveBaculaPlan(prod.spec, prod.model, fixtureRotation());
const serviceOf = (vm: string): string | undefined => prod.model.vms.find((v) => v.name === vm)?.nics.find((n) => n.network === "service")?.address;

describe("deriveBaculaPlan (prod)", () => {
  it("gives every NAS copy pool its source pool's jobs per volume (a day's hourly Incrementals expire together on the NAS too)", () => {
    const hanoi = deriveBaculaPlan(prod.spec, prod.model, photoRotation(prod.spec.backupPolicy.photos));
    const sources = hanoi.pools.filter((p) => p.nextPool);
    expect(sources.some((p) => p.jobsPerVolume > 1)).toBe(true);
    for (const p of sources) expect(hanoi.pools.find((n) => n.name === nasPool(p.name))?.jobsPerVolume).toBe(p.jobsPerVolume);
  });

  it("puts the director and the storage daemon on the backup tier's service address, state on the DRBD volume", () => {
    const backupAddress = prod.model.virtualIps.backup ?? hostAddress(parseCidr(prod.spec.networks.service.cidr), BACKUP_VIRTUAL_HOST);
    expect(plan.director).toMatchObject({ address: backupAddress, workingDirectory: "/srv/bacula/director", catalogFile: "/srv/bacula/director/bacula.db", vms: ["bkp-1", "bkp-2"] });
    expect(plan.storageDaemon.address).toBe(backupAddress);
    expect(plan.devices.find((d) => d.name === "DrbdVolumes")?.archiveDirectory).toBe(`${PRODUCTION_BACULA_PATHS.backupVolume}/volumes`);
  });

  it("has one client per database and FRS VM at its service address, one for the object store's service address, one for the backup tier", () => {
    expect(plan.clients.map((c) => [c.name, c.address, c.vms])).toEqual([
      ["db-1-fd", serviceOf("db-1"), ["db-1"]],
      ["db-2-fd", serviceOf("db-2"), ["db-2"]],
      ["s3-fd", prod.model.virtualIps.objectStore, ["s3-1", "s3-2"]],
      ["frs-1-fd", serviceOf("frs-1"), ["frs-1"]],
      ["frs-2-fd", serviceOf("frs-2"), ["frs-2"]],
      ["backup-fd", plan.director.address, ["bkp-1", "bkp-2"]],
    ]);
    expect(baculaVmRoles(plan, "s3-2")).toEqual({ director: false, storage: false, console: false, fileDaemon: "s3-fd" });
    expect(baculaVmRoles(plan, "bkp-1")).toEqual({ director: true, storage: true, console: true, fileDaemon: "backup-fd" });
    expect(baculaVmRoles(plan, "api-1")).toEqual({ director: false, storage: false, console: false });
  });

  it("backs up the photos' export, the database backup directory, the FRS data and the toolkit's configuration", () => {
    expect(plan.fileSets.map((f) => [f.name, f.include, f.compression ?? "none"])).toEqual([
      ["Photos", ["/srv/minio/export/ibac-photos"], "none"],
      ["Database", ["/srv/backup/mariadb"], "LZO"],
      ["Frs", ["/srv/frs/data"], "LZO"],
      ["Config", ["/etc/bacula", "/etc/ibac", "/srv/bacula/dump/bacula.sql"], "GZIP6"],
    ]);
    expect(plan.backupJobs.find((j) => j.name === "Backup-Photos")).toMatchObject({ client: "s3-fd", schedule: "Photos-Hanoi", clientRunBefore: "/usr/local/sbin/ibac-photo-export" });
    expect(plan.backupJobs.find((j) => j.name === "Backup-Config")).toMatchObject({ client: "backup-fd", runBefore: "/usr/local/sbin/ibac-catalog-dump" });
  });

  it("keeps the database cycle's pools at least the database retention, each full long enough for the week it starts", () => {
    const days = prod.spec.backupPolicy.database.retentionDays;
    const pool = (n: string): number => (plan.pools.find((p) => p.name === n)?.retentionHours ?? 0) / 24;
    expect([pool(CYCLE_POOLS.Incremental), pool(CYCLE_POOLS.Differential), pool(CYCLE_POOLS.Full)]).toEqual([days + 1, days + 2, days + 8]);
  });

  it("runs the cycle 20 minutes after the database's own incremental, the full on Sundays", () => {
    const runs = plan.schedules.find((s) => s.name === "Cycle-Hourly")?.runs ?? [];
    expect(runs.map((r) => [r.level, r.pool, r.hour.length, r.minute, r.dayOfWeek])).toEqual([
      ["Full", CYCLE_POOLS.Full, 1, 50, [0]],
      ["Differential", CYCLE_POOLS.Differential, 1, 50, [1, 2, 3, 4, 5, 6]],
      ["Incremental", CYCLE_POOLS.Incremental, 23, 50, [0, 1, 2, 3, 4, 5, 6]],
    ]);
  });

  it("gives every pool on the DRBD volume a NAS copy pool with the same retention and one copy job", () => {
    const sources = plan.pools.filter((p) => p.storage === "Drbd");
    expect(sources.length).toBe(fixtureRotation().pools.length + 3);
    for (const p of sources) {
      expect(p.nextPool).toBe(nasPool(p.name));
      expect(plan.pools.find((n) => n.name === p.nextPool)).toMatchObject({ storage: "Nas", retentionHours: p.retentionHours });
      expect(plan.copyJobs.filter((c) => c.pool === p.name)).toEqual([{ name: `Copy-${p.name}`, pool: p.name, nextPool: nasPool(p.name), schedule: `Copy-${p.name}` }]);
    }
  });

  it("refuses a rotation pool name Bacula cannot hold", () => {
    const rotation = fixtureRotation();
    expect(() => deriveBaculaPlan(prod.spec, prod.model, { ...rotation, pools: [{ ...rotation.pools[0], name: "Photos H00" }] })).toThrow('bacula plan: rotation pool: expected a Bacula name (letters, digits, \'.\', \'_\', \'-\'), found "Photos H00"');
  });
});
