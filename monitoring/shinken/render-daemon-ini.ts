// The ini file each satellite daemon starts from (the arbiter reads shinken.cfg instead): where it listens,
// who it runs as, its TLS files, its log.

import type { ShinkenDaemon } from "../plan/types";
import type { EnginePaths } from "../paths";
import { filePath } from "../nagios/object-text";

export const SHINKEN_USER = "shinken";

/** The satellite's ini name: schedulerd.ini, pollerd.ini, ... */
export function iniName(kind: ShinkenDaemon["kind"]): string {
  return `${kind}d.ini`;
}

/** `listen`: the address to bind (the VM's daemon address), or 0.0.0.0 when rendered for no VM in particular. */
export function renderDaemonIni(kind: ShinkenDaemon["kind"], listen: string, port: number, paths: EnginePaths): string {
  return [
    `# Shinken ${kind} daemon. Rendered by ibac: edits are overwritten.`,
    "[daemon]",
    `workdir=${filePath(paths.shinkenStateDir, "shinkenStateDir")}`,
    `logdir=${filePath(paths.shinkenLogDir, "shinkenLogDir")}`,
    `pidfile=%(workdir)s/${kind}d.pid`,
    `host=${listen}`,
    `port=${port}`,
    `user=${SHINKEN_USER}`,
    `group=${SHINKEN_USER}`,
    "idontcareaboutsecurity=0",
    "daemon_enabled=1",
    "use_ssl=1",
    `ca_cert=${filePath(paths.caFile, "caFile")}`,
    `server_cert=${filePath(paths.clientCertFile, "clientCertFile")}`,
    `server_key=${filePath(paths.clientKeyFile, "clientKeyFile")}`,
    "hard_ssl_name_check=0",
    "http_backend=auto",
    "use_local_log=1",
    `local_log=%(logdir)s/${kind}d.log`,
    "log_level=WARNING",
    "",
  ].join("\n");
}
