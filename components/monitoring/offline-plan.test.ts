import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { runOfflinePlan, SECRET_MARK, type OfflinePlan, type PlanResource } from "../offline-plan/run-offline-plan";
import { describeRun, runTool } from "../../test/support/require-tool";
import { RESOURCE_TYPES } from "../resource-types";
import { targetPathOf } from "../vm/deliver";
import { PRODUCTION_MONITORING_PATHS as P } from "../../monitoring/paths";
import { agentTlsPaths } from "../../monitoring/agent/tls-files";
import { MONITORING_COMPONENT_PATHS as C } from "./paths";

// `ibac plan --stack prod` as an operator runs it (the CLI, in a child process): the monitoring files are under
// mon-1's and mon-2's artifacts, the agent's under every VM's, and neither the database monitoring password nor
// any key monitoring made is in anything the plan wrote. The made-up values are the mocks' (deterministic per
// stack and resource name), so the test computes the very values the CLI's run generated.

const PROJECT = path.resolve(__dirname, "../..");
const { spec, model } = loadStackFile(stackFilePath(PROJECT, "prod"));
const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const tls = agentTlsPaths(P.agent);

function filesBelow(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe("ibac plan --stack prod (mocks, in a child process)", () => {
  it("(mocks) shows the monitoring files under mon-1 and mon-2, the agent's under every VM, and writes no monitoring secret", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-monitoring-plan-"));
    tempDirs.push(out);
    const run = runTool(process.execPath, [path.join(PROJECT, "bin/ibac.js"), "plan", "--stack", "prod", "--out", out], { cwd: PROJECT, timeout: 300_000 });
    expect(run.status, describeRun(run)).toBe(0);

    const artifact = (vm: string, p: string) => path.join(out, "artifacts", vm, p);
    for (const vm of ["mon-1", "mon-2"]) {
      for (const p of [C.enginePackagesScript, P.engine.mainConfig, P.engine.mysqlClientFile, P.engine.caFile, P.engine.clientCertFile, P.engine.clientKeyFile, C.engineDigest]) expect(fs.existsSync(artifact(vm, p)), `${vm}:${p}`).toBe(true);
      expect(fs.readdirSync(artifact(vm, P.engine.objectsDir)).length, `${vm}:${P.engine.objectsDir}`).toBeGreaterThan(0);
      expect(fs.readFileSync(artifact(vm, C.enginePackagesScript), "utf8")).toContain("nagios4-core");
      expect(fs.readFileSync(artifact(vm, P.engine.mysqlClientFile), "utf8")).toContain(SECRET_MARK);
      expect(fs.readFileSync(artifact(vm, P.engine.clientKeyFile), "utf8").trim()).toBe(SECRET_MARK);
    }
    for (const vm of model.vms) {
      for (const p of [P.agent.config, tls.ca, tls.cert, tls.key, C.agentDigest]) expect(fs.existsSync(artifact(vm.name, p)), `${vm.name}:${p}`).toBe(true);
      expect(fs.readFileSync(artifact(vm.name, tls.key), "utf8").trim(), vm.name).toBe(SECRET_MARK);
      if (vm.tier !== "monitoring") expect(fs.existsSync(artifact(vm.name, P.engine.mainConfig)), `${vm.name}:${P.engine.mainConfig}`).toBe(false);
    }

    const planText = fs.readFileSync(path.join(out, "plan.json"), "utf8");
    const resources = (JSON.parse(planText) as { resources: PlanResource[] }).resources;
    const mocks = new OfflinePlanMocks(model, "prod");
    const keys = resources.filter((r) => r.type === RESOURCE_TYPES.PrivateKey && r.name.startsWith("ibac-monitoring-")).map((r) => r.name);
    // One key per agent (every VM, node and the QDevice host) and one client key per monitoring VM.
    expect(keys).toHaveLength(model.vms.length + model.nodes.length + (model.qdevice ? 1 : 0) + 2);
    const secrets = [mocks.madeUpSecret("ibac-database-monitoring-password"), ...keys.map((k) => mocks.madeUpSecret(`${k}-pem`))];
    // The values above are the right ones: the plan registered the password under the name it was computed from.
    expect(planText).toContain('"ibac-database-monitoring-password"');
    const written = [path.join(out, "plan.json"), ...filesBelow(path.join(out, "artifacts"))];
    for (const file of written) {
      const text = fs.readFileSync(file, "utf8");
      for (const secret of secrets) expect(text.includes(secret), `a monitoring secret in ${file}`).toBe(false);
    }
  });
});

describe("the prod plan's monitoring (mocks, in process)", () => {
  let plan: OfflinePlan;
  beforeAll(async () => {
    plan = await runOfflinePlan({ stack: "prod", file: "(test)", spec, model, config: {} });
  });

  it("(mocks) gives no VM two files at one path: the monitoring tier's beside every other tier's", () => {
    const seen = new Map<string, number>();
    for (const a of plan.artifacts) seen.set(`${a.vm}:${a.path}`, (seen.get(`${a.vm}:${a.path}`) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1).map(([k]) => k)).toEqual([]);
    expect(plan.artifacts.filter((a) => a.path === P.agent.config).map((a) => a.vm).sort()).toEqual(model.vms.map((v) => v.name).sort());
    expect(plan.artifacts.filter((a) => a.path === P.engine.mainConfig).map((a) => a.vm).sort()).toEqual(["mon-1", "mon-2"]);
    // The password the child-process test looks for is the one this run made up, and it is masked.
    const password = new OfflinePlanMocks(model, "prod").madeUpSecret("ibac-database-monitoring-password");
    expect(plan.knownSecrets).toContain(password);
    expect(plan.artifacts.filter((a) => a.path === P.engine.mysqlClientFile).every((a) => !a.content.includes(password) && a.content.includes(SECRET_MARK))).toBe(true);
  });

  it("(mocks) delivers the agent to each Proxmox node and the QDevice host as root with the key masked, the staged files outside any VM's artifacts", () => {
    const targets = [...model.nodes.map((n) => ({ host: n.name, address: n.managementAddress })), ...(model.qdevice ? [{ host: model.qdevice.name, address: model.qdevice.address }] : [])];
    for (const { host, address } of targets) {
      const copies = plan.resources.filter((r) => r.type === RESOURCE_TYPES.CopyToRemote && r.name.startsWith(`ibac-monitoring-${host}-agent-config-copy-`));
      const paths = copies.map((r) => targetPathOf(String(r.inputs.remotePath)));
      expect(paths, host).toEqual(expect.arrayContaining([C.agentPackagesScript, P.agent.config, P.agent.sudoers, tls.ca, tls.cert, tls.key, C.agentDigest]));
      for (const r of copies) expect(r.inputs.connection, `${host} ${r.name}`).toMatchObject({ host: address, user: "root", privateKey: SECRET_MARK });
      expect(plan.artifacts.some((a) => a.vm === host)).toBe(false);
    }
  });
});
