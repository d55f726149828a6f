import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { makeVmRoot } from "../../test/support/unit-root";
import { renderCatalogDumpScript, renderCatalogInitScript, renderDirectorDropIn, renderStorageDropIn, type BackupVolumeLayout } from "./render-backup-units";
import { renderBackupPackagesScript, renderClientPackagesScript } from "./render-backup-packages";
import { BACKUP_COMPONENT_PATHS } from "./paths";
import { buildModel } from "../model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { deriveBackupClusterPlan } from "./cluster-plan";
import { BACKUP_CLUSTER_PATHS } from "./cluster-paths";
import { renderBaculaUnitDropIn } from "./render-backup-cluster-scripts";

const CLUSTER_DROP_IN = (() => {
  const spec = stackSpec("prod");
  const { model } = buildModel(spec);
  if (!model) throw new Error("prod has no model");
  return renderBaculaUnitDropIn(deriveBackupClusterPlan(spec, model));
})();

// The director's and the storage daemon's drop-ins, read with Debian's own units by systemd-analyze verify; the
// catalog init run for real (root, a tmpfs as the backup volume in a private mount namespace, Debian's schema,
// the bacula user of the installed packages); the packages scripts parsed and shellchecked.

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const PROD_LAYOUT: BackupVolumeLayout = { volume: "/srv/bacula", directories: ["/srv/bacula/director", "/srv/bacula/storage", "/srv/bacula/volumes"], catalogFile: "/srv/bacula/director/bacula.db" };

function shellChecked(text: string): void {
  const shellcheck = requireTool("shellcheck", "shellcheck");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-sh-"));
  tempDirs.push(dir);
  const file = path.join(dir, "s.sh");
  fs.writeFileSync(file, text);
  const parsed = runTool("bash", ["-n", file]);
  expect(parsed.status, describeRun(parsed)).toBe(0);
  const checked = runTool(shellcheck, ["--severity=style", file]);
  expect(checked.status, describeRun(checked)).toBe(0);
}

describe("the backup VMs' systemd drop-ins", () => {
  const units: [string, string, string, string][] = [
    ["bacula-director.service", BACKUP_COMPONENT_PATHS.directorDropIn, renderDirectorDropIn(PROD_LAYOUT), "/usr/sbin/bacula-dir"],
    ["bacula-sd.service", BACKUP_COMPONENT_PATHS.storageDropIn, renderStorageDropIn(PROD_LAYOUT), "/usr/sbin/bacula-sd"],
  ];
  const verify = (unit: string, dropInPath: string, dropIn: string, daemon: string) => {
    const analyze = requireTool("systemd-analyze", "systemd");
    const debianUnit = `/lib/systemd/system/${unit}`;
    if (!fs.existsSync(debianUnit)) throw new Error(`no ${debianUnit}: apt-get install -y --no-install-recommends bacula-director bacula-sd`);
    const root = makeVmRoot("ibac-backup-unit-", [
      { path: debianUnit, text: fs.readFileSync(debianUnit, "utf8"), mode: 0o644 },
      { path: dropInPath, text: dropIn, mode: 0o644 },
      // The cluster's drop-in beside it, as on the VM: the two must not contradict each other.
      { path: BACKUP_CLUSTER_PATHS.unitDropIn(unit.replace(/\.service$/, "")), text: CLUSTER_DROP_IN, mode: 0o644 },
      { path: daemon, text: "#!/bin/sh\n", mode: 0o755 },
      { path: BACKUP_COMPONENT_PATHS.catalogInit, text: "#!/bin/sh\n", mode: 0o755 },
    ], tempDirs);
    return runTool(analyze, ["verify", "--recursive-errors=no", "--man=no", `--root=${root}`, unit]);
  };

  it.each(units)("systemd-analyze verify accepts Debian's %s with this drop-in and the cluster's, without a warning", (unit, at, text, daemon) => {
    const result = verify(unit, at, text, daemon);
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout + result.stderr).toBe("");
  });

  it("systemd-analyze verify reads the drop-in (a misspelt directive in it fails)", () => {
    const [unit, at, text, daemon] = units[0];
    const result = verify(unit, at, text.replace("Environment=", "Enviroment="), daemon);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Unknown key 'Enviroment'");
  });

  it("gives the director TZ=UTC and the catalog made before Debian's config test", () => {
    const text = renderDirectorDropIn(PROD_LAYOUT);
    expect(text).toContain("Environment=TZ=UTC\n");
    expect(text.split("\n").filter((l) => l.startsWith("ExecStartPre="))).toEqual(["ExecStartPre=", `ExecStartPre=+${BACKUP_COMPONENT_PATHS.catalogInit}`, "ExecStartPre=/usr/sbin/bacula-dir -t -c $CONFIG"]);
    expect(() => renderDirectorDropIn({ ...PROD_LAYOUT, catalogFile: "/var/lib/bacula/bacula.db" })).toThrow('bacula-director drop-in: catalogFile: expected a path below /srv/bacula, found "/var/lib/bacula/bacula.db"');
  });
});

describe("the catalog init (root, a tmpfs as the backup volume)", () => {
  function run(layout: BackupVolumeLayout, mounted: boolean, after = ""): ReturnType<typeof runTool> {
    const unshare = requireTool("unshare", "util-linux");
    requireTool("sqlite3", "sqlite3");
    if (!fs.existsSync(BACKUP_COMPONENT_PATHS.catalogSchema)) throw new Error(`no ${BACKUP_COMPONENT_PATHS.catalogSchema}: apt-get install -y --no-install-recommends bacula-director-sqlite3`);
    const script = path.join(path.dirname(layout.volume), "catalog-init.sh");
    fs.writeFileSync(script, renderCatalogInitScript(layout), { mode: 0o755 });
    return runTool(unshare, ["-m", "--propagation", "private", "bash", "-c", `${mounted ? `mount -t tmpfs ibac-test ${layout.volume}` : ""}\n${script}; rc=$?\n${after}\nexit $rc`]);
  }
  function layoutIn(): BackupVolumeLayout {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-catalog-"));
    tempDirs.push(dir);
    const volume = path.join(dir, "volume");
    fs.mkdirSync(volume);
    return { volume, directories: [`${volume}/director`, `${volume}/storage`, `${volume}/volumes`], catalogFile: `${volume}/director/bacula.db` };
  }

  it("passes bash -n and shellcheck", () => shellChecked(renderCatalogInitScript(PROD_LAYOUT)));

  it("creates the directories and a catalog Bacula's schema version 16, owned by bacula; keeps an existing one", () => {
    const layout = layoutIn();
    const inspect = `stat -c '%U:%G %a %n' ${layout.directories.join(" ")} ${layout.catalogFile}; sqlite3 ${layout.catalogFile} 'SELECT VersionId FROM Version;'`;
    const script = path.join(path.dirname(layout.volume), "catalog-init.sh");
    // A marker in the catalog, then the init again: it must keep the catalog as it is.
    const rerun = `sqlite3 ${layout.catalogFile} 'CREATE TABLE IbacMarker (x);' && ${script} && sqlite3 ${layout.catalogFile} "SELECT name FROM sqlite_master WHERE name = 'IbacMarker';"`;
    const first = run(layout, true, `${inspect}; ${rerun}`);
    expect(first.status, describeRun(first)).toBe(0);
    expect(first.stdout.trim().split("\n")).toEqual([
      ...layout.directories.map((d) => `bacula:bacula 750 ${d}`),
      `bacula:bacula 640 ${layout.catalogFile}`,
      "16",
      "IbacMarker",
    ]);
    expect(first.stderr).toBe(`ibac-catalog-init: created the catalog ${layout.catalogFile}\n`);
  });

  it("refuses to run where the backup volume is not mounted, and writes nothing", () => {
    const layout = layoutIn();
    const result = run(layout, false);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`ibac-catalog-init: ${layout.volume} is not mounted: the director and the storage daemon run only where Pacemaker mounted the backup volume\n`);
    expect(fs.readdirSync(layout.volume)).toEqual([]);
  });
});

describe("the catalog dump (the config job's RunBeforeJob)", () => {
  it("passes bash -n and shellcheck, and dumps a catalog that sqlite3 reads back", () => {
    shellChecked(renderCatalogDumpScript(PROD_LAYOUT.catalogFile, "/srv/bacula/dump/bacula.sql"));
    const sqlite3 = requireTool("sqlite3", "sqlite3");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-catalog-dump-"));
    tempDirs.push(dir);
    const catalog = path.join(dir, "bacula.db");
    const made = runTool(sqlite3, [catalog, "CREATE TABLE Version (VersionId INTEGER); INSERT INTO Version VALUES (16);"]);
    expect(made.status, describeRun(made)).toBe(0);
    const script = path.join(dir, "dump.sh");
    fs.writeFileSync(script, renderCatalogDumpScript(catalog, path.join(dir, "bacula.sql")), { mode: 0o755 });
    const dumped = runTool(script, []);
    expect(dumped.status, describeRun(dumped)).toBe(0);
    const restored = runTool(sqlite3, [path.join(dir, "restored.db")], { input: fs.readFileSync(path.join(dir, "bacula.sql"), "utf8") + "SELECT VersionId FROM Version;\n" });
    expect(restored.stdout).toBe("16\n");
    expect(fs.readdirSync(dir).sort()).toEqual(["bacula.db", "bacula.sql", "dump.sh", "restored.db"]);
    fs.rmSync(catalog);
    const gone = runTool(script, []);
    expect(gone.stderr).toBe(`ibac-catalog-dump: cannot read the catalog ${catalog}\n`);
  });
});

describe("the packages scripts", () => {
  it("the backup VMs' installs the six packages and the catalog's CLI, and makes the NAS mount point; bash -n and shellcheck", () => {
    const text = renderBackupPackagesScript("/mnt/ibac-nas");
    shellChecked(text);
    expect(text).toContain("install -y --no-install-recommends bacula-director bacula-director-sqlite3 bacula-sd bacula-fd bacula-console sqlite3 sshfs\n");
    expect(text).toContain("install -d -m 0700 -o bacula -g bacula /mnt/ibac-nas\n");
  });

  it("a client's installs the file daemon only; bash -n and shellcheck", () => {
    const text = renderClientPackagesScript();
    shellChecked(text);
    expect(text).toContain("install -y --no-install-recommends bacula-fd\n");
    expect(text).not.toContain("bacula-sd");
  });
});
