import type { AgentPaths } from "../paths";
import { dropInDir } from "./render-nrpe-config";

/** The account NRPE runs as (Debian's unit: User=nagios) and the one the sudoers rules name. */
export const AGENT_USER = "nagios";

/**
 * The main nrpe.cfg, replacing Debian's: its process settings only. Debian's file says
 * `allowed_hosts=127.0.0.1,::1` and NRPE adds every allowed_hosts line it reads to one list, so a drop-in
 * alone could never narrow the clients to the monitoring VMs; its sample commands (check_hda1, ...) go too.
 */
export function renderNrpeMain(paths: AgentPaths): string {
  return [
    "# iBac: NRPE main configuration, rendered (replaces Debian's). Settings and commands are in the drop-in.",
    "log_facility=daemon",
    "disable_syslog=0",
    "debug=0",
    `pid_file=${paths.pidFile}`,
    `nrpe_user=${AGENT_USER}`,
    `nrpe_group=${AGENT_USER}`,
    `include_dir=${dropInDir(paths)}`,
    "",
  ].join("\n");
}
