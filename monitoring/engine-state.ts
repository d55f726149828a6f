import type { EnginePaths } from "./paths";

// The engine's own state files, said once: the main configuration writes them, the engine check on every
// monitoring VM (the standby's view of the active one) reads them.

/** The agent command that checks the engine of a monitoring VM (`AGENT_SCRIPTS.engine`). */
export const ENGINE_AGENT_COMMAND = "ibac_engine";

/** How often nagios4 rewrites status.dat (`status_update_interval`). */
export const STATUS_UPDATE_SECONDS = 10;

/** A status file older than six updates means a hung engine (it keeps its pid but stops writing). */
export const ENGINE_STATUS_MAX_AGE_SECONDS = 6 * STATUS_UPDATE_SECONDS;

/** The engine's lock file (its pid) and status file under the state directory. */
export function engineStateFiles(paths: Pick<EnginePaths, "stateDir">): { lockFile: string; statusFile: string } {
  return { lockFile: `${paths.stateDir}/nagios.lock`, statusFile: `${paths.stateDir}/status.dat` };
}
