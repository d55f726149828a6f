// For the monitoring policies' tests only: what the monitoring tier delivers to each host of a stack, made by the
// same renderers the MonitoringTier component calls (the plan, the engine's files per monitoring VM, the
// agent's per monitored host, the TLS files at the paths the component delivers them to), with production
// paths, as the judge functions' input; and edits that break one file the way a renderer bug would.
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { policyModelOf } from "../../components/model/policy-view";
import { agentTlsPaths } from "../../monitoring/agent/tls-files";
import { deriveMonitoringPlan } from "../../monitoring/plan/derive-monitoring-plan";
import { renderEngineFiles } from "../../monitoring/nagios/render-engine-files";
import { renderAgentFiles } from "../../monitoring/agent/render-agent-files";
import { renderShinkenFiles } from "../../monitoring/shinken/render-shinken-files";
import type { MonitoringEngine } from "../../components/spec/schema";
import { PRODUCTION_MONITORING_PATHS as P } from "../../monitoring/paths";
import type { HostFile } from "./host-files";
import type { MonitoringJudgeInput } from "./monitoring-evidence";

const projectDir = path.resolve(__dirname, "../..");
/** Stands in for a PEM the component issues: the policies only look for the file. */
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBfixture\n-----END CERTIFICATE-----\n";

/** The monitoring tier's files for every host of `stack` (with `engine`, the stack's spec switched to it), as judge input. */
export function renderedMonitoringInput(stack: string, engine?: MonitoringEngine): MonitoringJudgeInput {
  const loaded = loadStackFile(stackFilePath(projectDir, stack));
  const model = loaded.model;
  const spec = engine ? { ...loaded.spec, monitoring: { ...loaded.spec.monitoring, engine } } : loaded.spec;
  // Without the tiers' TLS endpoints (the components know them): no certificate checks here; the offline-plan
  // tests (monitoring-offline.test.ts) judge the component's plan, with them.
  const plan = deriveMonitoringPlan(spec, model, []);
  const files: HostFile[] = [];
  const add = (host: string, p: string, content: string): void => {
    files.push({ host, path: p, urn: `urn:pulumi:${stack}::ibac::fixture::${host}-config-${p}`, content });
  };
  for (const agent of plan.agents) {
    // Where the agent's renderer names them (the component is to deliver them there).
    const tls = agentTlsPaths(P.agent);
    for (const p of [tls.ca, tls.cert, tls.key]) add(agent.host, p, PEM);
    for (const f of renderAgentFiles(agent, P.agent)) add(agent.host, f.path, f.content);
  }
  for (const server of plan.servers) {
    for (const p of [P.engine.caFile, P.engine.clientCertFile, P.engine.clientKeyFile]) add(server.vm, p, PEM);
    for (const f of renderEngineFiles(plan, server.vm, P.engine, { mysqlPassword: "FixtureMonitoringPassword0123456789" })) add(server.vm, f.path, f.content);
    // As the component delivers them: the same daemon definitions on every monitoring VM, the ini files for that VM.
    if (plan.engine === "shinken") for (const f of renderShinkenFiles(plan, P.engine, server.vm)) add(server.vm, f.path, f.content);
  }
  return {
    spec,
    model: policyModelOf(model),
    urn: `urn:pulumi:${stack}::ibac::ibac:platform:IbacPlatform::platform`,
    files,
    pending: new Set(),
    hostUrn: (host) => `urn:pulumi:${stack}::ibac::ibac:vm:DebianVm::${host}`,
    nodeOf: (vm) => model.vms.find((v) => v.name === vm)?.node,
  };
}

/** `input` with one file's text rewritten on `hosts` (the edit must change it: a mutation that changes nothing is a wrong test). */
export function editFile(input: MonitoringJudgeInput, hosts: string | string[], filePath: string, edit: (text: string) => string): MonitoringJudgeInput {
  const targets = new Set(Array.isArray(hosts) ? hosts : [hosts]);
  const hit = new Set<string>();
  const files = input.files.map((f) => {
    if (!targets.has(f.host) || f.path !== filePath) return f;
    const content = edit(f.content);
    if (content === f.content) throw new Error(`editFile: the edit left ${f.host}:${filePath} unchanged`);
    hit.add(f.host);
    return { ...f, content };
  });
  const missed = [...targets].filter((h) => !hit.has(h));
  if (missed.length) throw new Error(`editFile: ${missed.join(", ")} get no ${filePath}`);
  return { ...input, files };
}

/** `input` without the files matching. */
export function removeFiles(input: MonitoringJudgeInput, match: (f: HostFile) => boolean): MonitoringJudgeInput {
  const files = input.files.filter((f) => !match(f));
  if (files.length === input.files.length) throw new Error("removeFiles: no file matched");
  return { ...input, files };
}

/** `input` with `vm` declared on `node` (as a VM resource's nodeName would say). */
export function placeOn(input: MonitoringJudgeInput, vm: string, node: string): MonitoringJudgeInput {
  if (input.nodeOf(vm) === node) throw new Error(`placeOn: ${vm} is on ${node} already`);
  return { ...input, nodeOf: (v) => (v === vm ? node : input.nodeOf(v)) };
}
