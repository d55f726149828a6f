import * as pulumi from "@pulumi/pulumi";
import type { AgentPlan, MonitoringFile, MonitoringPlan } from "../../monitoring/plan/types";
import type { MonitoringPaths } from "../../monitoring/paths";
import type { RenderedFile } from "../vm/rendered-file";
import type { IssuedCertificate } from "../pki/internal-ca";
import { withDeployedDigest } from "../vm/deployed-digest";
import { agentTlsPaths, renderAgentFiles, renderEngineFiles, renderShinkenFiles } from "./renderers";
import { toRenderedFile } from "./to-rendered-file";
import { renderAgentPackagesScript, renderMonitoringPackagesScript } from "./render-monitoring-packages";
import { ENGINE_GROUP, ENGINE_UNIT, MONITORING_COMPONENT_PATHS as C, NRPE_GROUP, NRPE_UNIT } from "./paths";

// Which files each monitored host gets from the monitoring tier, in install order, with the owner and mode its
// daemon needs from the first install: the packages script first (it creates the nagios user every later
// file may name), then the agent's files and the restart of the agent, then on a monitoring VM the engine's
// files and the engine's check-then-reload. Every file that holds a password or a key is a Pulumi secret.

export interface MonitoringFileInputs {
  plan: MonitoringPlan;
  paths: MonitoringPaths;
  /** The database's monitoring account's password: a Pulumi secret, only ever inside a secret file. */
  mysqlPassword: pulumi.Output<string>;
  /** The internal CA (PEM): the engine verifies every TLS endpoint and agent against it, each agent monitoring's client. */
  caPem: pulumi.Input<string>;
  /** Each agent's certificate, by host. */
  agentCertificates: Readonly<Record<string, IssuedCertificate>>;
  /** Each monitoring VM's client certificate, by VM. */
  clientCertificates: Readonly<Record<string, IssuedCertificate>>;
}

const baseName = (p: string): string => p.slice(p.lastIndexOf("/") + 1);
const world = { mode: "0644", owner: "root:root" } as const;
const executable = { mode: "0755", owner: "root:root" } as const;

/**
 * A value no password has, rendered in the password's place to learn the engine's files before the password
 * is known: their paths, modes and owners, and the text of every file that does not hold it. A file not
 * marked secret that contains it is a renderer's bug, stopped here before any text leaves the process.
 */
const PASSWORD_PLACEHOLDER = "ibac-monitoring-password-placeholder-7c1f";

/** The engine's files of `vm` (renderEngineFiles, and renderShinkenFiles for engine shinken), the password's ones rendered inside its Output, owned for the engine's user. */
function engineFiles(input: MonitoringFileInputs, vm: string): RenderedFile[] {
  const { plan, paths } = input;
  const render = (mysqlPassword: string): MonitoringFile[] => renderEngineFiles(plan, vm, paths.engine, { mysqlPassword });
  const shape = render(PASSWORD_PLACEHOLDER);
  const files = shape.map((file) => {
    if (!file.content.includes(PASSWORD_PLACEHOLDER)) return toRenderedFile(file);
    if (!file.secret) throw new Error(`monitoring files of ${vm}: ${file.path} holds the database monitoring password but is not marked secret`);
    const content = input.mysqlPassword.apply((password) => {
      const rendered = render(password).find((f) => f.path === file.path);
      if (!rendered) throw new Error(`monitoring files of ${vm}: renderEngineFiles gives no ${file.path} with the real password`);
      return rendered.content;
    });
    return toRenderedFile(file, content);
  });
  const shinken = plan.engine === "shinken" ? renderShinkenFiles(plan, paths.engine, vm).map((f) => toRenderedFile(f)) : [];
  return [...files, ...shinken].map((f) => forEngineUser(f, plan.engine));
}

/**
 * The renderers give the engine's readable-by-group files to nagios (nagios4's user); Shinken's daemons run as
 * shinken, so with engine shinken those files go to its group instead (the nagios user still exists there:
 * NRPE's package makes it, and the agent's files stay nagios's).
 */
function forEngineUser(file: RenderedFile, engine: MonitoringPlan["engine"]): RenderedFile {
  const [user, group] = file.owner.split(":");
  return group === ENGINE_GROUP.nagios4 && engine !== "nagios4" ? { ...file, owner: `${user}:${ENGINE_GROUP[engine]}` } : file;
}

/** What re-reads the engine's files once they changed: nagios4 checks them first (`-v`) and keeps running on its old ones if they fail. */
function engineReload(input: MonitoringFileInputs): string {
  const unit = ENGINE_UNIT[input.plan.engine];
  return input.plan.engine === "nagios4"
    ? `/usr/sbin/nagios4 -v ${input.paths.engine.mainConfig} && systemctl reload-or-restart ${unit}`
    : `systemctl restart ${unit}`;
}

/** A monitoring VM's own files: the CA its checks trust, its client certificate for the agents, the engine's files, the digest that reloads it. */
function monitoringVmFiles(input: MonitoringFileInputs, vm: string): RenderedFile[] {
  const e = input.paths.engine;
  const client = input.clientCertificates[vm];
  if (!client) throw new Error(`monitoring files: no client certificate for the monitoring VM ${vm}`);
  const files: RenderedFile[] = [
    { path: e.caFile, content: input.caPem, ...world },
    { path: e.clientCertFile, content: client.certPem, ...world },
    // check_nrpe runs as the engine's user.
    { path: e.clientKeyFile, content: pulumi.secret(client.privateKeyPem), mode: "0640", owner: `root:${ENGINE_GROUP[input.plan.engine]}` },
    ...engineFiles(input, vm),
  ];
  return withDeployedDigest(files, C.engineDigest, engineReload(input));
}

/** The agent's files of one host: its TLS files, its configuration and scripts, the digest that restarts it. */
function agentFiles(input: MonitoringFileInputs, agent: AgentPlan): RenderedFile[] {
  const cert = input.agentCertificates[agent.host];
  if (!cert) throw new Error(`monitoring files: no NRPE certificate for ${agent.host}`);
  const tls = agentTlsPaths(input.paths.agent);
  const files: RenderedFile[] = [
    { path: tls.ca, content: input.caPem, ...world },
    { path: tls.cert, content: cert.certPem, ...world },
    // NRPE runs as nagios (Debian's unit) and reads its key after dropping root.
    { path: tls.key, content: pulumi.secret(cert.privateKeyPem), mode: "0640", owner: `root:${NRPE_GROUP}` },
    ...renderAgentFiles(agent, input.paths.agent).map((f) => toRenderedFile(f)),
  ];
  return withDeployedDigest(files, C.agentDigest, `systemctl restart ${NRPE_UNIT}`);
}

/**
 * Every file `host` (a VM, a Proxmox node, the QDevice host) gets from the monitoring tier, in install order;
 * none for a host the plan neither runs an engine nor an agent on.
 */
export function monitoringFilesForHost(input: MonitoringFileInputs, host: string): RenderedFile[] {
  const server = input.plan.servers.find((s) => s.vm === host);
  const agent = input.plan.agents.find((a) => a.host === host);
  if (!server && !agent) return [];
  const files: RenderedFile[] = server
    ? [{ path: C.enginePackagesScript, content: renderMonitoringPackagesScript(input.plan.engine, baseName(C.enginePackagesScript)), ...executable, afterChange: C.enginePackagesScript }]
    : [{ path: C.agentPackagesScript, content: renderAgentPackagesScript(baseName(C.agentPackagesScript)), ...executable, afterChange: C.agentPackagesScript }];
  if (agent) files.push(...agentFiles(input, agent));
  if (server) files.push(...monitoringVmFiles(input, host));
  return files;
}
