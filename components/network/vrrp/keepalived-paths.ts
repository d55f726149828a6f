/**
 * Where keepalived's files are. Production uses Debian's layout; a lab runs several keepalived daemons on one
 * machine and gives each its own directory, which is the only thing it changes in the rendered files.
 */
export interface KeepalivedPaths {
  /** keepalived.conf (`-f`). */
  configFile: string;
  /** The notify script every instance runs on a transition. */
  notifyScript: string;
  /** The main process's pid file (`-p`) and the VRRP child's (`-r`): command-line options, not config. */
  pidFile: string;
  vrrpPidFile: string;
}

export const PRODUCTION_KEEPALIVED_PATHS: KeepalivedPaths = {
  configFile: "/etc/keepalived/keepalived.conf",
  // Root-owned directories only up to the script (enable_script_security refuses anything a non-root user could replace).
  notifyScript: "/usr/local/libexec/ibac/keepalived-notify",
  pidFile: "/run/keepalived.pid",
  vrrpPidFile: "/run/keepalived_vrrp.pid",
};

/** keepalived's arguments for these paths: VRRP only (no LVS), config and pid files, logs to syslog. */
export function keepalivedArguments(paths: KeepalivedPaths): string[] {
  return ["--vrrp", "--use-file", paths.configFile, "--pid", paths.pidFile, "--vrrp_pid", paths.vrrpPidFile];
}
