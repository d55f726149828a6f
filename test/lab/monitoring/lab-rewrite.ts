import { PRODUCTION_MONITORING_PATHS, AGENT_SCRIPTS, type MonitoringPaths } from "../../../monitoring/paths";
import type { MonitoringFile } from "../../../monitoring/plan/types";

// The one place where the monitoring lab changes rendered text, and only for a lab fact: paths under the
// host's temporary root. Everything else runs as rendered.
//
// - check_ibac_engine: called without arguments (the plan's ibac_engine command), it reads the engine's files
//   at the production state directory (/var/lib/nagios4/nagios.lock, status.dat); in the lab the engine's
//   state directory is under the monitoring VM's root. The one `set -- ...` line of defaults gets the lab's
//   state directory; the script's logic is untouched.

export function labRewriteAgentFiles(files: readonly MonitoringFile[], paths: MonitoringPaths): MonitoringFile[] {
  const production = PRODUCTION_MONITORING_PATHS.engine.stateDir;
  return files.map((f) => {
    if (!f.path.endsWith(`/${AGENT_SCRIPTS.engine}`)) return f;
    const lines = f.content.split("\n");
    const at = lines.map((l, i) => (/^\[ "\$#" -eq 0 \] && set -- /.test(l) && l.includes(`${production}/`) ? i : -1)).filter((i) => i >= 0);
    if (at.length !== 1) throw new Error(`lab rewrite: ${AGENT_SCRIPTS.engine}: expected one line of default paths under ${production}, found ${at.length}`);
    lines[at[0]] = lines[at[0]].split(`${production}/`).join(`${paths.engine.stateDir}/`);
    return { ...f, content: lines.join("\n") };
  });
}
