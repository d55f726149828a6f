import type { PlatformModel } from "../../../components/model/types";
import type { PlatformSpec } from "../../../components/spec/schema";
import type { TlsEndpoint } from "../../../components/tiers/tier-component";
import { planApplicationService } from "../../../components/app-service/service-plan";
import type { MonitorCheck } from "../../../monitoring/plan/types";
import { stackSpec } from "../../fixtures/specs";

// The monitoring lab's spec and what it serves: the lab stack with the lab's relay address and a test's check
// timing; which of the plan's checks the lab answers; the TLS endpoints the plan's certificate checks read.

/** The address the test spec gives the relay: the sink's, in its own namespace on the core switch. */
export const LAB_RELAY_ADDRESS = "10.60.9.25";
export const LAB_RELAY_PORT = 25;
/** The hosts of the lab stack this lab runs. */
export const LAB_NODES = { pve1: ["db-1", "api-1"], pve2: ["db-2", "api-2"] } as const;
export const LAB_MONITORING_VMS = ["mon-1", "mon-2"] as const;

export type CheckTiming = PlatformSpec["monitoring"]["checks"];

/** The lab stack's spec with the lab's relay and the given check timing. */
export function labMonitoringSpec(timing: CheckTiming): PlatformSpec {
  const spec = stackSpec("lab");
  spec.notifications.smtpRelay = { host: LAB_RELAY_ADDRESS, port: LAB_RELAY_PORT };
  spec.monitoring.checks = { ...timing };
  return spec;
}

/**
 * The checks the lab answers: every network check (TCP, TLS, HTTPS, MariaDB, the Proxmox API) and, of the NRPE
 * checks, the monitoring engine. Left out: the server layer's load, memory, disk, time, updates and quorum
 * (they would read this machine, shared by other jobs, not a lab VM) and the VRRP state (no keepalived here).
 */
export function labServes(check: MonitorCheck): boolean {
  return check.command.kind !== "nrpe" || check.command.agentCommand === "ibac_engine";
}

/** The API's TLS endpoints, as components/app-service/component.ts lists them (the plan's certificate checks). */
export function labTlsEndpoints(spec: PlatformSpec, model: PlatformModel): TlsEndpoint[] {
  const plan = planApplicationService(model, spec, "api");
  return plan.instances.map((i) => ({ vm: i.vm, address: i.address, port: plan.port, serverName: i.fqdn, what: `${plan.label} (HTTPS)` }));
}


/** The lab's hosts: its nodes, the VMs behind them and the monitoring VMs it runs. */
export function labHosts(monitoringVms: readonly string[]): string[] {
  return [...Object.keys(LAB_NODES), ...Object.values(LAB_NODES).flat(), ...monitoringVms];
}
