import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { describeRun, runTool } from "../../test/support/require-tool";
import { PRODUCTION_BACULA_PATHS as P } from "../../backup/bacula/paths";
import { backupPlanOf } from "./plan";
import { runOfflinePlan } from "../offline-plan/run-offline-plan";
import { BACKUP_COMPONENT_PATHS as C } from "./paths";

// `ibac plan --stack prod` as an operator runs it (the CLI, in a child process): the backup tier's files are in the
// plan, and none of the passwords it generated is in anything the plan wrote. The made-up values are the mocks'
// (deterministic per stack and resource name), so the test computes the very values the CLI's run generated.

const PROJECT = path.resolve(__dirname, "../..");
const { spec, model } = loadStackFile(stackFilePath(PROJECT, "prod"));
const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function filesBelow(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe("ibac plan --stack prod (mocks, in a child process)", () => {
  it("(mocks) shows the backup tier's files and writes none of the Bacula passwords it generated", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-plan-"));
    tempDirs.push(out);
    const run = runTool(process.execPath, [path.join(PROJECT, "bin/ibac.js"), "plan", "--stack", "prod", "--out", out], { cwd: PROJECT, timeout: 300_000 });
    expect(run.status, describeRun(run)).toBe(0);

    const artifact = (vm: string, p: string) => path.join(out, "artifacts", vm, p);
    for (const vm of ["bkp-1", "bkp-2"]) {
      for (const p of [P.directorConf, P.storageConf, P.bconsoleConf, P.fileDaemonConf, P.nasMountCommand, C.nasKnownHosts, C.directorDropIn, C.catalogInit]) expect(fs.existsSync(artifact(vm, p)), `${vm}:${p}`).toBe(true);
    }
    for (const vm of ["db-1", "db-2", "s3-1", "s3-2", "frs-1", "frs-2"]) expect(fs.existsSync(artifact(vm, P.fileDaemonConf)), `${vm}:${P.fileDaemonConf}`).toBe(true);
    expect(fs.existsSync(artifact("s3-1", P.photoExportCommand))).toBe(true);
    expect(fs.existsSync(artifact("api-1", P.fileDaemonConf))).toBe(false);
    expect(fs.readFileSync(artifact("bkp-1", P.directorConf), "utf8")).toContain('Password = "[secret]"');

    const mocks = new OfflinePlanMocks(model, "prod");
    const ids = ["director", "console", "storage", ...backupPlanOf(spec, model).clients.map((c) => c.name)];
    const passwords = ids.map((id) => mocks.madeUpSecret(`ibac-backup-${id}-password`));
    const written = [path.join(out, "plan.json"), ...filesBelow(path.join(out, "artifacts"))];
    expect(written.length).toBeGreaterThan(100);
    for (const file of written) {
      const text = fs.readFileSync(file, "utf8");
      for (const [i, password] of passwords.entries()) expect(text.includes(password), `${ids[i]}'s password in ${file}`).toBe(false);
    }
    // The values above are the right ones: the plan registered the passwords under the names they were computed from.
    expect(fs.readFileSync(path.join(out, "plan.json"), "utf8")).toContain("ibac-backup-director-password");
  });

  it("(mocks) gives no VM two files at one path: the backup tier's beside the VM's own tier's and the cluster's", async () => {
    const plan = await runOfflinePlan({ stack: "prod", file: "(test)", spec, model, config: {} });
    const seen = new Map<string, number>();
    for (const a of plan.artifacts) seen.set(`${a.vm}:${a.path}`, (seen.get(`${a.vm}:${a.path}`) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1).map(([k]) => k)).toEqual([]);
    expect(plan.artifacts.filter((a) => a.path === P.fileDaemonConf).map((a) => a.vm).sort()).toEqual(["bkp-1", "bkp-2", "db-1", "db-2", "frs-1", "frs-2", "s3-1", "s3-2"]);
  });
});
