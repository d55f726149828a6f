import type { MonitoringEngine } from "../spec/schema";
import { ENGINE_GROUP, NRPE_UNIT } from "./paths";
import { installMissingPackagesLines } from "../vm/install-missing-packages";

// The monitoring packages from Debian, installed by the first file of each host's list: nothing after it may
// name the nagios user (Debian's nagios4-common and nagios-nrpe-server create it) or a plugin before it ran.

/**
 * A monitoring VM running nagios4: the engine (no web UI: nagios4-core, not nagios4), the plugins its checks
 * run (liburiparser1 is only a Recommends of monitoring-plugins-standard, and check_curl does not load without
 * it), check_nrpe, the mail client and the relay's trust store.
 */
export const NAGIOS4_VM_PACKAGES = ["nagios4-core", "monitoring-plugins-standard", "liburiparser1", "monitoring-plugins-basic", "nagios-nrpe-plugin", "msmtp", "ca-certificates"] as const;
/**
 * Every monitored host's agent: NRPE, the plugins its commands run, and sudo for the commands that run as
 * root (a sudoers drop-in allows exactly those).
 */
export const AGENT_PACKAGES = ["nagios-nrpe-server", "monitoring-plugins-basic", "sudo"] as const;

/**
 * The packages of a monitoring VM: the engine's and the agent's (the standby checks the active VM's engine
 * through its agent). With engine `shinken` the Debian part only: Shinken is in neither Debian 12 nor 13, so
 * its packages are the site's own, installed before the first deployment (the script stops if they are not).
 */
export function monitoringVmPackages(engine: MonitoringEngine): string[] {
  const engineSide = engine === "nagios4" ? NAGIOS4_VM_PACKAGES : NAGIOS4_VM_PACKAGES.filter((p) => p !== "nagios4-core");
  return [...new Set([...engineSide, ...AGENT_PACKAGES])];
}


function script(name: string, what: string, packages: readonly string[], extra: string): string {
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs ${what}.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
fresh=0
${installMissingPackagesLines(packages, "monitoring packages")}
[ "$fresh" = 0 ] || echo "${name}: installed ${packages.join(" ")}" >&2
${extra}`;
}

/** The agent's part of every script: NRPE enabled at boot (its configuration arrives after this script, and restarts it). */
const enableAgent = `systemctl enable --quiet ${NRPE_UNIT}\n`;

/** A monitoring VM's packages script (`name`: the script's own name, for its messages). */
export function renderMonitoringPackagesScript(engine: MonitoringEngine, name: string): string {
  const packages = monitoringVmPackages(engine);
  if (engine === "nagios4") return script(name, "the nagios4 engine, the monitoring plugins, check_nrpe, msmtp and the NRPE agent", packages, `systemctl enable --quiet nagios4.service\n${enableAgent}`);
  const user = ENGINE_GROUP.shinken;
  // Checked after the Debian part, so that a site installing Shinken afterwards re-runs only this script.
  return script(name, "the monitoring plugins, check_nrpe, msmtp and the NRPE agent (Shinken itself is the site's own)", packages, `${enableAgent}if ! getent passwd ${user} >/dev/null; then
  echo "${name}: engine shinken: no ${user} user; install Shinken 2.4 (the site's own packages: Shinken is not in Debian) and deploy again" >&2
  exit 1
fi
`);
}

/** Every other monitored host's packages script: the NRPE agent only. */
export function renderAgentPackagesScript(name: string): string {
  return script(name, "the NRPE agent, the monitoring plugins it runs and sudo", AGENT_PACKAGES, enableAgent);
}
