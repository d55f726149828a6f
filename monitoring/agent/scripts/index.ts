import { AGENT_SCRIPTS, type AgentScript } from "../../paths";
import { BACULA_JOB_SCRIPT } from "./bacula-job";
import { CERT_FILE_SCRIPT } from "./cert-file";
import { DRBD_SCRIPT } from "./drbd";
import { ENGINE_SCRIPT } from "./engine";
import { HAPROXY_SCRIPT } from "./haproxy";
import { IPSEC_SCRIPT } from "./ipsec";
import { MEMORY_SCRIPT } from "./memory";
import { PACEMAKER_SCRIPT } from "./pacemaker";
import { QUORUM_SCRIPT } from "./quorum";
import { TIMESYNC_SCRIPT } from "./timesync";
import { VRRP_SCRIPT } from "./vrrp";

// The scripts are POSIX sh (dash), written without `${` and backquotes so a template literal holds them as is.

/** Each AGENT_SCRIPTS name with its text; the compiler checks that no script is missing. */
export const AGENT_SCRIPT_TEXT: Record<AgentScript, string> = {
  [AGENT_SCRIPTS.memory]: MEMORY_SCRIPT,
  [AGENT_SCRIPTS.drbd]: DRBD_SCRIPT,
  [AGENT_SCRIPTS.pacemaker]: PACEMAKER_SCRIPT,
  [AGENT_SCRIPTS.haproxy]: HAPROXY_SCRIPT,
  [AGENT_SCRIPTS.vrrp]: VRRP_SCRIPT,
  [AGENT_SCRIPTS.baculaJob]: BACULA_JOB_SCRIPT,
  [AGENT_SCRIPTS.ipsec]: IPSEC_SCRIPT,
  [AGENT_SCRIPTS.certFile]: CERT_FILE_SCRIPT,
  [AGENT_SCRIPTS.timesync]: TIMESYNC_SCRIPT,
  [AGENT_SCRIPTS.quorum]: QUORUM_SCRIPT,
  [AGENT_SCRIPTS.engine]: ENGINE_SCRIPT,
};
