import * as path from "node:path/posix";
import type { AgentPaths } from "../paths";

/**
 * The agent's TLS files in `AgentPaths.tlsDir`, by name. The monitoring component delivers them (the agent's
 * certificate and key from the internal CA, and the CA that signs the monitoring VMs' client certificates);
 * the NRPE drop-in names them, so both read the names from here.
 */
export const AGENT_TLS_FILES = {
  /** The CA a client certificate must chain to (`ssl_cacert_file`). */
  ca: "ca.pem",
  /** The agent's own certificate (`ssl_cert_file`). */
  cert: "agent.pem",
  /** Its private key (`ssl_privatekey_file`): 0640 root:nagios, NRPE reads it after dropping to nagios. */
  key: "agent-key.pem",
} as const;

export interface AgentTlsPaths {
  ca: string;
  cert: string;
  key: string;
}

export function agentTlsPaths(paths: AgentPaths): AgentTlsPaths {
  return {
    ca: path.join(paths.tlsDir, AGENT_TLS_FILES.ca),
    cert: path.join(paths.tlsDir, AGENT_TLS_FILES.cert),
    key: path.join(paths.tlsDir, AGENT_TLS_FILES.key),
  };
}
