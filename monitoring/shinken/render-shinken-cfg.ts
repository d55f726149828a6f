// shinken.cfg, the arbiter's main file: the same objects directory as nagios4 (cfg_dir), the daemon
// definitions from their own directories, the resource file, and the Nagios-compatible settings the objects
// rely on (interval_length=1, environment macros for the notification script, plugin output stripped of shell
// characters).

import type { EnginePaths } from "../paths";
import { filePath, ILLEGAL_MACRO_OUTPUT_CHARS, ILLEGAL_OBJECT_NAME_CHARS } from "../nagios/object-text";
import { SHINKEN_USER } from "./render-daemon-ini";

/** The directories of the daemon definitions under shinkenDir, one per kind, and the realm. */
export const DAEMON_DIRS = ["arbiters", "schedulers", "pollers", "reactionners", "brokers", "receivers", "realms"] as const;

export function renderShinkenCfg(paths: EnginePaths): string {
  const dir = filePath(paths.shinkenDir, "shinkenDir");
  const state = filePath(paths.shinkenStateDir, "shinkenStateDir");
  const log = filePath(paths.shinkenLogDir, "shinkenLogDir");
  const settings: [string, string | number][] = [
    ["cfg_dir", filePath(paths.objectsDir, "objectsDir")],
    ...DAEMON_DIRS.map((d): [string, string] => ["cfg_dir", `${dir}/${d}`]),
    ["resource_file", filePath(paths.resourceFile, "resourceFile")],
    ["workdir", state],
    ["lock_file", `${state}/arbiterd.pid`],
    ["local_log", `${log}/arbiterd.log`],
    ["shinken_user", SHINKEN_USER],
    ["shinken_group", SHINKEN_USER],
    ["interval_length", 1],
    ["enable_notifications", 1],
    ["enable_event_handlers", 1],
    ["enable_environment_macros", 1],
    ["enable_flap_detection", 0],
    ["enable_problem_impacts_states_change", 1],
    ["retention_update_interval", 1],
    ["service_check_timeout", 30],
    ["illegal_object_name_chars", ILLEGAL_OBJECT_NAME_CHARS],
    ["illegal_macro_output_chars", ILLEGAL_MACRO_OUTPUT_CHARS],
    ["check_external_commands", 0],
    ["use_ssl", 1],
    ["ca_cert", filePath(paths.caFile, "caFile")],
    ["server_cert", filePath(paths.clientCertFile, "clientCertFile")],
    ["server_key", filePath(paths.clientKeyFile, "clientKeyFile")],
    ["hard_ssl_name_check", 0],
    ["http_backend", "auto"],
    ["daemon_enabled", 1],
    ["disable_old_nagios_parameters_whining", 0],
  ];
  return ["# Shinken arbiter main configuration. Rendered by ibac: edits are overwritten.", ...settings.map(([k, v]) => `${k}=${v}`), ""].join("\n");
}
