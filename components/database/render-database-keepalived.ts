import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel } from "../model/types";
import type { KeepalivedPaths } from "../network/vrrp/keepalived-paths";
import { renderKeepalivedConf } from "../network/vrrp/render-keepalived-conf";
import { planVrrpInstance, type VrrpTrack } from "../network/vrrp/vrrp-plan";

/**
 * keepalived's tracked role check on a database VM. Every second (keepalived's shortest script interval);
 * 2 s before keepalived kills a run (the script gives up after ROLE_CHECK_TIMEOUT_SECONDS itself); 2 failures
 * in a row give the address up (one slow answer does not move it), 1 success takes it: after a promotion
 * the address follows within about a second plus the VRRP master-down time (3 adverts and the skew).
 */
export function databaseRoleTrack(roleCheckPath: string): VrrpTrack {
  return { kind: "script", name: "ibac_db_is_primary", path: roleCheckPath, intervalMs: 1000, timeoutMs: 2000, fall: 2, rise: 1 };
}

/**
 * keepalived.conf of one database VM: the databasePrimary instance, tracking the role check, so that only the
 * server that is the primary holds the address (every other one is in FAULT, and so is the primary while its
 * server is down: then nobody holds it).
 */
export function renderDatabaseKeepalivedConf(
  model: Pick<PlatformModel, "vms" | "virtualIps">,
  spec: Pick<PlatformSpec, "loadBalancer">,
  vmName: string,
  paths: KeepalivedPaths,
  roleCheckPath: string,
): string {
  const instance = planVrrpInstance(model, spec, { virtualAddress: "databasePrimary", vmName, track: databaseRoleTrack(roleCheckPath) });
  return renderKeepalivedConf([instance], paths, vmName);
}
