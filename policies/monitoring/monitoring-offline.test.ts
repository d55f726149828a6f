import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { PRODUCTION_MONITORING_PATHS as P } from "../../monitoring/paths";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { targetPathOf } from "../../components/vm/deliver";
import { editDeliveredFile, findingsOf, mutate, outcomeOf, remove, stackResources } from "../../test/fixtures/policy-fixture";
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { runOfflinePlan } from "../../components/offline-plan/run-offline-plan";
import { policyResourcesOf } from "../offline/policy-resources";
import { engineDeployedPolicy } from "./engine-deployed";
import { monitoringCoveragePolicy } from "./monitoring-coverage";
import { monitoringEveryNodePolicy } from "./monitoring-every-node";

// The three policies as `ibac check` runs them: on the prod stack's offline plan (pulumi.runtime.setMocks, not
// a deployment), where the engine's files reach the monitoring VMs and the agents' every host, the nodes and
// the QDevice host included (delivered over SSH to their addresses).

const POLICIES = [monitoringCoveragePolicy(), engineDeployedPolicy(), monitoringEveryNodePolicy()];
const deliversTo = (path: string) => (r: PolicyResource): boolean => isResourceOf(r, RESOURCES.CopyToRemote) && targetPathOf(String(r.props.remotePath)) === path;
const vmNamed = (name: string) => (r: PolicyResource): boolean => isResourceOf(r, RESOURCES.VmLegacy) && r.props.name === name;

describe("the monitoring policies on the prod stack's offline plan (mocks)", () => {
  it.each(["prod", "staging", "lab"])("%s passes monitoring-coverage, monitoring-engine-deployed and monitoring-every-node (mocks)", async (stack) => {
    const resources = await stackResources(stack);
    for (const policy of POLICIES) expect(await findingsOf(policy, resources), policy.name).toEqual([]);
  });

  it("judges the agents on the nodes and the QDevice host too: one allowing any host fails (mocks)", async () => {
    const resources = mutate(await stackResources("prod"), (r) => deliversTo(P.agent.config)(r) && r.name.startsWith("ibac-monitoring-qdev1-agent-"), (r) => {
      const source = r.props.source as { text: string };
      r.props.source = { text: source.text.replace(/^allowed_hosts=.*$/m, "allowed_hosts=0.0.0.0/0") };
    });
    expect(await findingsOf(engineDeployedPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "NRPE agent of qdev1", observed: "allowed_hosts lets in 0.0.0.0/0; allowed_hosts leaves out mon-1, mon-2", urn: expect.stringContaining("qdev1-agent"), location: P.agent.config }),
    ]);
  });

  it("a notification path without STARTTLS fails (mocks)", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "mon-1", P.engine.msmtpConfig, (t) => t.replace("tls_starttls on", "tls_starttls off"));
    expect(await findingsOf(monitoringCoveragePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "mail relay settings of mon-1", observed: "tls_starttls off", location: `${P.engine.msmtpConfig}: account default` }),
    ]);
  });

  it("both monitoring VMs declared on one node fail all three, the finding on mon-2's VM (mocks)", async () => {
    const resources = mutate(await stackResources("prod"), vmNamed("mon-2"), (r) => { r.props.nodeName = "pve1"; });
    const subjects = await Promise.all(POLICIES.map(async (p) => (await findingsOf(p, resources)).map((f) => [f.subject, f.observed])));
    expect(subjects).toEqual([
      [["monitoring VMs", "engine configuration on mon-1 (on pve1), mon-2 (on pve1)"]],
      [["monitoring engines mon-1 (active) and mon-2 (standby)", "both on pve1"]],
      [["monitoring on node pve2", "no monitoring VM with the engine's configuration runs there (engines: mon-1 on pve1, mon-2 on pve1)"]],
    ]);
    expect((await findingsOf(engineDeployedPolicy(), resources))[0].urn).toContain("DebianVm::mon-2");
  });

  it("prod with engine shinken passes too: a master and a spare of every daemon on different nodes (mocks)", async () => {
    const loaded = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
    const resources = policyResourcesOf(await runOfflinePlan({ ...loaded, spec: { ...loaded.spec, monitoring: { ...loaded.spec.monitoring, engine: "shinken" } } }));
    expect(resources.some((r) => deliversTo(`${P.engine.shinkenDir}/schedulers/scheduler-mon-2.cfg`)(r))).toBe(true);
    for (const policy of POLICIES) expect(await findingsOf(policy, resources), policy.name).toEqual([]);
  });

  it("without the engine's files each policy is not applicable: the requirements read declared, never pass (mocks)", async () => {
    const resources = remove(await stackResources("prod"), (r) => deliversTo(P.engine.mainConfig)(r));
    for (const policy of POLICIES) expect(await outcomeOf(policy, resources), policy.name).toMatchObject({ status: "not-applicable", findings: [] });
  });
});
