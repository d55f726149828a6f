// nagios.cfg for Debian's nagios4 4.4. Based on Debian's own file, with what the design needs: every interval in
// seconds (interval_length=1), the objects from one directory, external commands on (the standby's takeover
// writes to the command pipe), environment macros on (the notification script reads them instead of its
// command line), plugin output stripped of shell characters, and notifications on the active engine only.

import * as path from "node:path";
import type { MonitoringServer } from "../plan/types";
import type { EnginePaths } from "../paths";
import { filePath, ILLEGAL_MACRO_OUTPUT_CHARS, ILLEGAL_OBJECT_NAME_CHARS, objectName } from "./object-text";
import { STATUS_UPDATE_SECONDS, engineStateFiles } from "../engine-state";

/** What differs between a VM and the lab: who the engine runs as (nagios4 -v as root drops to this user). */
export interface EngineOptions {
  /** Default `nagios`, Debian's. A lab running nagios4 as root over a private directory may use `root`. */
  nagiosUser?: string;
  nagiosGroup?: string;
  /** The mail client the notification script pipes to; default /usr/bin/msmtp (a test may point it at a stub). */
  mailer?: string;
}

/** A directory the engine writes to. */
export interface EngineDirectory {
  path: string;
  mode: string;
  owner: string;
}

/**
 * The directories the engine writes to, owned by its user: they must exist before it starts (nagios4 -v
 * already fails "Unable to write to temp_path / check_result_path" without them).
 */
export function engineDirectories(paths: EnginePaths, options: EngineOptions = {}): EngineDirectory[] {
  const owner = `${options.nagiosUser ?? "nagios"}:${options.nagiosGroup ?? "nagios"}`;
  const dirs = [paths.stateDir, checkResultPath(paths), path.dirname(paths.commandFile), path.dirname(paths.logFile), logArchivePath(paths)];
  return [...new Set(dirs)].map((p) => ({ path: p, mode: "0750", owner }));
}

const checkResultPath = (paths: EnginePaths): string => `${paths.stateDir}/spool/checkresults`;
const logArchivePath = (paths: EnginePaths): string => `${path.dirname(paths.logFile)}/archives`;

export function renderMainConfig(server: MonitoringServer, paths: EnginePaths, options: EngineOptions = {}): string {
  const p = (value: string, what: string): string => filePath(value, what);
  const state = p(paths.stateDir, "stateDir");
  const settings: [string, string | number][] = [
    ["log_file", p(paths.logFile, "logFile")],
    ["cfg_dir", p(paths.objectsDir, "objectsDir")],
    ["resource_file", p(paths.resourceFile, "resourceFile")],
    ["object_cache_file", `${state}/objects.cache`],
    ["precached_object_file", `${state}/objects.precache`],
    ["status_file", engineStateFiles({ stateDir: state }).statusFile],
    ["status_update_interval", STATUS_UPDATE_SECONDS],
    ["nagios_user", objectName(options.nagiosUser ?? "nagios", "nagios_user")],
    ["nagios_group", objectName(options.nagiosGroup ?? "nagios", "nagios_group")],
    ["check_external_commands", 1],
    ["command_file", p(paths.commandFile, "commandFile")],
    ["lock_file", engineStateFiles({ stateDir: state }).lockFile],
    ["temp_file", `${state}/nagios.tmp`],
    ["temp_path", state],
    ["log_rotation_method", "d"],
    ["log_archive_path", logArchivePath(paths)],
    ["use_syslog", 1],
    ["log_notifications", 1],
    ["log_service_retries", 1],
    ["log_host_retries", 1],
    ["log_event_handlers", 1],
    ["log_initial_states", 0],
    ["log_external_commands", 1],
    ["log_passive_checks", 1],
    ["check_result_path", checkResultPath(paths)],
    ["check_result_reaper_frequency", 1],
    ["max_check_result_file_age", 3600],
    ["service_check_timeout", 30],
    ["host_check_timeout", 30],
    ["event_handler_timeout", 30],
    ["notification_timeout", 30],
    ["retain_state_information", 1],
    ["state_retention_file", `${state}/retention.dat`],
    ["retention_update_interval", 60],
    ["use_retained_program_state", 1],
    ["use_retained_scheduling_info", 1],
    // The active engine's notifications are always on from this file (bit 1: notifications enabled is not
    // taken from retention); the standby keeps what its takeover handler last set across a restart.
    ["retained_process_host_attribute_mask", server.role === "active" ? 1 : 0],
    ["retained_process_service_attribute_mask", server.role === "active" ? 1 : 0],
    ["interval_length", 1],
    ["check_for_updates", 0],
    ["execute_service_checks", 1],
    ["execute_host_checks", 1],
    ["accept_passive_service_checks", 0],
    ["accept_passive_host_checks", 0],
    ["enable_notifications", server.role === "active" ? 1 : 0],
    ["enable_event_handlers", 1],
    ["process_performance_data", 0],
    ["check_for_orphaned_services", 1],
    ["check_for_orphaned_hosts", 1],
    ["enable_flap_detection", 0],
    // A dependent check (dependencies.cfg) holds back while its master fails, and its master is re-checked
    // on demand when it fails: with the master's soft state counted, a stopped service is one problem
    // (its port), whichever of the two checks ran first.
    ["soft_state_dependencies", 1],
    ["enable_predictive_service_dependency_checks", 1],
    ["illegal_object_name_chars", ILLEGAL_OBJECT_NAME_CHARS],
    ["illegal_macro_output_chars", ILLEGAL_MACRO_OUTPUT_CHARS],
    ["use_regexp_matching", 0],
    ["enable_environment_macros", 1],
    ["date_format", "iso8601"],
    ["admin_email", "root@localhost"],
    ["daemon_dumps_core", 0],
    ["allow_empty_hostgroup_assignment", 0],
    ["debug_level", 0],
  ];
  return [
    `# Nagios 4.4 main configuration of ${server.vm} (${server.role}). Rendered by ibac: edits are overwritten.`,
    ...settings.map(([k, v]) => `${k}=${v}`),
    "",
  ].join("\n");
}
