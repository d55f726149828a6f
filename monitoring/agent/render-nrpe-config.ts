import { isIP } from "node:net";
import * as path from "node:path/posix";
import type { AgentPaths } from "../paths";
import type { AgentPlan } from "../plan/types";
import { nrpeCommandLine } from "./command-line";
import { agentTlsPaths } from "./tls-files";

/**
 * NRPE kills a command after this many seconds and answers UNKNOWN: below check_nrpe's default timeout (10 s),
 * so a hung plugin yields the agent's answer, not a client-side timeout that looks like a dead host.
 */
export const AGENT_COMMAND_TIMEOUT_SECONDS = 8;
/** A client that connects and sends nothing holds a forked NRPE this long (Debian's file says 300). */
export const AGENT_CONNECTION_TIMEOUT_SECONDS = 30;

function checkAddress(agent: AgentPlan, what: string, value: string, cidr: boolean): void {
  const [addr, prefix, extra] = value.split("/");
  const family = isIP(addr ?? "");
  const prefixOk = prefix === undefined || (cidr && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
  if (family === 0 || extra !== undefined || !prefixOk) {
    throw new Error(`agent of ${agent.host}: ${what} "${value}" is not an IP address${cidr ? " or network" : ""}`);
  }
}

export function checkAgentPlan(agent: AgentPlan): void {
  checkAddress(agent, "address", agent.address, false);
  // NRPE refuses a server_port below 1024 at startup ("Invalid port number").
  if (!Number.isInteger(agent.port) || agent.port < 1024 || agent.port > 65535) {
    throw new Error(`agent of ${agent.host}: port ${agent.port} is not in 1024-65535 (NRPE refuses privileged ports)`);
  }
  if (agent.allowedFrom.length === 0) throw new Error(`agent of ${agent.host}: allowedFrom is empty (no monitoring VM could ask it)`);
  for (const a of agent.allowedFrom) checkAddress(agent, "allowedFrom", a, true);
  const names = new Set<string>();
  for (const c of agent.commands) {
    // NRPE keeps every definition and answers with the last one read: a duplicate would silently replace one.
    if (names.has(c.name)) throw new Error(`agent of ${agent.host}: command ${c.name} is defined twice`);
    names.add(c.name);
  }
}

/**
 * The drop-in in nrpe.d/: every setting that decides who may ask what. NRPE reads the main file top to
 * bottom and the include_dir where it appears (at the end in Debian's file), so for scalar settings the
 * drop-in's value wins; `allowed_hosts` is different: every occurrence ADDS to the list (measured with
 * nrpe 4.1), so the main file (render-nrpe-main.ts) carries no allowed_hosts of its own.
 */
export function renderNrpeDropIn(agent: AgentPlan, paths: AgentPaths): string {
  checkAgentPlan(agent);
  const tls = agentTlsPaths(paths);
  return [
    `# iBac NRPE agent of ${agent.host}: rendered, do not edit.`,
    `server_address=${agent.address}`,
    `server_port=${agent.port}`,
    `allowed_hosts=${agent.allowedFrom.join(",")}`,
    // Arguments from the network are refused (NRPE: "Request contained command arguments!").
    "dont_blame_nrpe=0",
    "allow_bash_command_substitution=0",
    `command_timeout=${AGENT_COMMAND_TIMEOUT_SECONDS}`,
    `connection_timeout=${AGENT_CONNECTION_TIMEOUT_SECONDS}`,
    // TLS 1.2 or newer, no anonymous DH, and a client certificate from the internal CA required and verified.
    "ssl_version=TLSv1.2+",
    "ssl_use_adh=0",
    "ssl_client_certs=2",
    `ssl_cacert_file=${tls.ca}`,
    `ssl_cert_file=${tls.cert}`,
    `ssl_privatekey_file=${tls.key}`,
    ...agent.commands.map(nrpeCommandLine),
    "",
  ].join("\n");
}

/** The directory of the drop-in, as the main file's include_dir. */
export function dropInDir(paths: AgentPaths): string {
  return `${path.dirname(paths.config)}/`;
}
