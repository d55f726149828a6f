// Every file of the monitoring engine on one monitoring VM: the main config, the object files, the resource
// and option files, the mail client's config and the two scripts. Pure: the component delivers them, the lab
// writes them under a temporary root (monitoringPathsUnder) and runs nagios4 on them.

import type { MonitoringFile, MonitoringPlan } from "../plan/types";
import type { EnginePaths } from "../paths";
import { NOTIFY_SCRIPT, renderCommands, TAKEOVER_SCRIPT } from "./render-commands";
import { renderContacts } from "./render-contacts";
import { renderDependencies } from "./render-dependencies";
import { renderEscalations } from "./render-escalations";
import { renderHostgroups, renderHosts } from "./render-hosts";
import { renderMainConfig, type EngineOptions } from "./render-main-cfg";
import { renderMsmtprc } from "./render-msmtprc";
import { renderNotifyScript } from "./render-notify-script";
import { renderMysqlClientFile, renderResource } from "./render-resource";
import { renderServices } from "./render-services";
import { isEngineCheck, renderStandby } from "./render-standby";
import { renderTakeoverScript } from "./render-takeover-script";
import { HTTPS_CHECK_SCRIPT, renderHttpsCheckScript, renderTlsCheckScript, TLS_CHECK_SCRIPT } from "./render-tls-check-scripts";
import { renderTemplates, renderTimeperiods } from "./render-templates";
import { show } from "./object-text";

/** The object files in objectsDir, in the design's order (standby.cfg only on the standby). */
export const OBJECT_FILES = ["templates.cfg", "timeperiods.cfg", "commands.cfg", "contacts.cfg", "hostgroups.cfg", "hosts.cfg", "services.cfg", "dependencies.cfg", "escalations.cfg"] as const;
export const STANDBY_OBJECT_FILE = "standby.cfg";

const ROOT_NAGIOS = "root:nagios";
const ROOT = "root:root";

/** The object files alone (shared with Shinken, which reads the same directory). */
export function renderObjectFiles(plan: MonitoringPlan, vm: string, paths: EnginePaths): MonitoringFile[] {
  const server = plan.servers.find((s) => s.vm === vm);
  if (!server) throw new Error(`nagios: ${show(vm)} is not a monitoring VM of the plan (${plan.servers.map((s) => s.vm).join(", ")})`);
  const active = plan.servers.find((s) => s.role === "active");
  // Only nagios4's standby takes over; Shinken's spares do that by themselves.
  const takeover = plan.engine === "nagios4" && server.role === "standby" ? active : undefined;
  if (plan.engine === "nagios4" && server.role === "standby" && !active) throw new Error(`nagios: standby ${vm}: the plan has no active monitoring VM`);
  const texts: Record<(typeof OBJECT_FILES)[number], string> = {
    "templates.cfg": renderTemplates(plan),
    "timeperiods.cfg": renderTimeperiods(),
    "commands.cfg": renderCommands(paths),
    "contacts.cfg": renderContacts(plan),
    "hostgroups.cfg": renderHostgroups(plan),
    "hosts.cfg": renderHosts(plan, takeover?.vm),
    "services.cfg": renderServices(plan, (c) => takeover !== undefined && isEngineCheck(c, takeover.vm)),
    "dependencies.cfg": renderDependencies(plan),
    "escalations.cfg": renderEscalations(plan),
  };
  const files = OBJECT_FILES.map((name) => objectFile(paths, name, texts[name]));
  if (takeover) files.push(objectFile(paths, STANDBY_OBJECT_FILE, renderStandby(plan, takeover, paths)));
  return files;
}

function objectFile(paths: EnginePaths, name: string, content: string): MonitoringFile {
  return { path: `${paths.objectsDir}/${name}`, content, mode: "0644", owner: ROOT };
}

export function renderEngineFiles(plan: MonitoringPlan, vm: string, paths: EnginePaths, secrets: { mysqlPassword: string }, options: EngineOptions = {}): MonitoringFile[] {
  const objects = renderObjectFiles(plan, vm, paths);
  const server = plan.servers.find((s) => s.vm === vm);
  if (!server) throw new Error(`nagios: ${show(vm)} is not a monitoring VM of the plan`);
  const files: MonitoringFile[] = [
    { path: paths.mainConfig, content: renderMainConfig(server, paths, options), mode: "0644", owner: ROOT },
    ...objects,
    { path: paths.resourceFile, content: renderResource(paths), mode: "0640", owner: ROOT_NAGIOS },
    { path: paths.mysqlClientFile, content: renderMysqlClientFile(paths, secrets.mysqlPassword), mode: "0640", owner: ROOT_NAGIOS, secret: true },
    { path: paths.msmtpConfig, content: renderMsmtprc(plan.notifications, paths), mode: "0640", owner: ROOT_NAGIOS },
    { path: `${paths.scriptDir}/${NOTIFY_SCRIPT}`, content: renderNotifyScript(plan.notifications, paths, options.mailer), mode: "0755", owner: ROOT },
    { path: `${paths.scriptDir}/${TLS_CHECK_SCRIPT}`, content: renderTlsCheckScript(paths), mode: "0755", owner: ROOT },
    { path: `${paths.scriptDir}/${HTTPS_CHECK_SCRIPT}`, content: renderHttpsCheckScript(paths), mode: "0755", owner: ROOT },
  ];
  if (plan.engine === "nagios4" && server.role === "standby") {
    files.push({ path: `${paths.scriptDir}/${TAKEOVER_SCRIPT}`, content: renderTakeoverScript(paths), mode: "0755", owner: ROOT });
  }
  return files;
}
