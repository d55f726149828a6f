// The Shinken-only files of a monitoring VM: shinken.cfg, the daemon definitions (the same on every VM: the
// arbiter that is master dispatches them), the realm, and the satellites' ini files. The objects are
// nagios4's (renderObjectFiles, also in renderEngineFiles), so one directory passes nagios4 -v and feeds
// Shinken; no Shinken-only key is ever in it.

import type { MonitoringFile, MonitoringPlan } from "../plan/types";
import type { EnginePaths } from "../paths";
import { show } from "../nagios/object-text";
import { checkDaemons } from "./check-daemons";
import { iniName, renderDaemonIni } from "./render-daemon-ini";
import { renderDaemon, renderRealm } from "./render-daemons";
import { renderShinkenCfg } from "./render-shinken-cfg";

const ROOT = "root:root";
const HEADER = "# Rendered by ibac from the monitoring plan: edits are overwritten.\n";

/**
 * `vm`: the monitoring VM the ini files are for (each satellite binds its daemon's address there); without
 * it they bind 0.0.0.0, which needs every VM's daemon of a kind on the same port.
 */
export function renderShinkenFiles(plan: MonitoringPlan, paths: EnginePaths, vm?: string): MonitoringFile[] {
  const daemons = checkDaemons(plan);
  if (vm !== undefined && !plan.servers.some((s) => s.vm === vm)) throw new Error(`shinken: ${show(vm)} is not a monitoring VM of the plan`);
  const files: MonitoringFile[] = [
    { path: `${paths.shinkenDir}/shinken.cfg`, content: renderShinkenCfg(paths), mode: "0644", owner: ROOT },
    ...daemons.map((d) => ({ path: `${paths.shinkenDir}/${d.kind}s/${d.name}.cfg`, content: HEADER + renderDaemon(d), mode: "0644", owner: ROOT })),
    { path: `${paths.shinkenDir}/realms/all.cfg`, content: HEADER + renderRealm(), mode: "0644", owner: ROOT },
  ];
  for (const kind of ["scheduler", "poller", "reactionner", "broker", "receiver"] as const) {
    const of = daemons.filter((d) => d.kind === kind);
    const mine = vm === undefined ? undefined : of.find((d) => d.vm === vm);
    if (vm !== undefined && !mine) continue;
    const ports = new Set(of.map((d) => d.port));
    if (!mine && ports.size > 1) throw new Error(`shinken: the ${kind}s listen on different ports (${[...ports].join(", ")}): render the ini files for one VM`);
    const listen = mine ? mine.address : "0.0.0.0";
    const port = mine ? mine.port : of[0].port;
    files.push({ path: `${paths.shinkenDir}/daemons/${iniName(kind)}`, content: renderDaemonIni(kind, listen, port, paths), mode: "0644", owner: ROOT });
  }
  return files;
}
