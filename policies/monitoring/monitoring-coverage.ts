import type { PolicyModel } from "../../components/model/policy-view";
import type { Flow } from "../../components/model/types";
import { findTier } from "../../components/tiers/registry";
import type { TierName } from "../../components/spec/schema";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

/** The server-level check agent the design's monitoring uses on every VM and node (NRPE). */
export const AGENT_PORT = "5666";
export const MIN_MONITORING_VMS = 2;

/** Whether the monitoring tier may reach every VM of a tier (all roles) on a TCP port. */
function monitoringReaches(flows: readonly Flow[], model: PolicyModel, tier: TierName, port: string): boolean {
  const matching = flows.filter((f) => f.source.kind === "tier" && f.source.tier === "monitoring" && f.source.role === undefined && f.protocol === "tcp" && f.ports === port && f.destination.kind === "tier" && f.destination.tier === tier);
  if (matching.some((f) => f.destination.kind === "tier" && f.destination.role === undefined)) return true;
  const roles = new Set(model.vms.filter((v) => v.tier === tier).map((v) => v.role));
  const covered = new Set(matching.map((f) => (f.destination.kind === "tier" ? f.destination.role : undefined)));
  return roles.size > 0 && [...roles].every((r) => covered.has(r));
}

function monitoringReachesZone(flows: readonly Flow[], zone: string, port: string): boolean {
  return flows.some((f) => f.source.kind === "tier" && f.source.tier === "monitoring" && f.destination.kind === "zone" && f.destination.zone === zone && f.protocol === "tcp" && f.ports === port);
}

/**
 * Seed design, "Monitoring services": Shinken on every cluster node, effective at the server and the service
 * layer, notifying through the RIK relay. The toolkit does not render Shinken's configuration yet, so this checks
 * what exists: the monitoring VMs (at least two, on different nodes, from the VM resources), the model's flows
 * (the monitoring tier reaches every tier's agent and service and the nodes), and the spec's notification
 * settings (an SMTP relay the monitoring tier may reach and at least one address).
 */
export function monitoringCoveragePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "monitoring-coverage",
    description:
      "Monitoring runs on at least two VMs on different nodes, the model's flows let it check every tier at the server and the service layer and the Proxmox nodes, and alerts go through an SMTP relay to at least one address (Shinken's own configuration is not built by the toolkit yet).",
    requirements: ["IBAC-MON-001"],
    // Shinken's objects and daemons are not rendered (IBAC-MON-002): the checks exist only as flows.
    declaredOnly: ["IBAC-MON-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const { model, spec } = view;
    const monitoringVms = resources
      .filter((r) => isResourceOf(r, RESOURCES.VmLegacy) && model.vms.some((v) => v.name === String(r.props.name) && v.tier === "monitoring"))
      .map((r) => ({ name: String(r.props.name), node: String(r.props.nodeName), urn: r.urn }));
    const nodes = new Set(monitoringVms.map((v) => v.node));
    if (monitoringVms.length < MIN_MONITORING_VMS || nodes.size < MIN_MONITORING_VMS) {
      reportFinding(report, {
        subject: "monitoring VMs",
        observed: monitoringVms.length ? monitoringVms.map((v) => `${v.name} on ${v.node}`).join(", ") : "none",
        expected: `at least ${MIN_MONITORING_VMS} monitoring VMs on different nodes`,
        urn: monitoringVms[monitoringVms.length - 1]?.urn ?? view.urn,
        location: "inputs.nodeName",
      });
    }

    const tiers = [...new Set(model.vms.map((v) => v.tier))];
    for (const tier of tiers) {
      const missing: string[] = [];
      if (!monitoringReaches(model.flows, model, tier, AGENT_PORT)) missing.push(`server level (tcp/${AGENT_PORT}, NRPE)`);
      const service = findTier(tier)?.servicePort?.(spec);
      if (service && !monitoringReaches(model.flows, model, tier, service.port)) missing.push(`service level (tcp/${service.port}, ${service.what})`);
      if (missing.length) {
        reportFinding(report, { subject: `monitoring of the ${tier} tier`, observed: `no flow from the monitoring tier for the ${missing.join(" and the ")}`, expected: "flows that let the monitoring tier check it at the server and the service layer", urn: view.urn, location: "model.flows" });
      }
    }
    if (!monitoringReachesZone(model.flows, "proxmoxNodes", AGENT_PORT)) {
      reportFinding(report, { subject: "monitoring of the Proxmox nodes", observed: `no flow from the monitoring tier to the nodes on tcp/${AGENT_PORT}`, expected: "a flow that lets the monitoring tier check every node", urn: view.urn, location: "model.flows" });
    }

    const relay = spec.notifications.smtpRelay;
    const relayPort = Number(relay.port);
    if (!relay.host?.trim() || !Number.isInteger(relayPort) || relayPort < 1 || relayPort > 65535) {
      reportFinding(report, { subject: "alert notifications", observed: `smtpRelay ${relay.host ?? ""}:${String(relay.port)}`, expected: "an SMTP relay host and port", urn: view.urn, location: "spec.notifications.smtpRelay" });
    } else if (!monitoringReachesZone(model.flows, "smtpRelay", String(relayPort))) {
      reportFinding(report, { subject: "alert notifications", observed: `no flow from the monitoring tier to the relay on tcp/${relayPort}`, expected: "a monitoring -> smtpRelay flow on the relay's port", urn: view.urn, location: "model.flows" });
    }
    const addresses = (spec.notifications.email ?? []).filter((e) => /^[^@\s]+@[^@\s]+$/.test(e));
    if (addresses.length === 0) {
      reportFinding(report, { subject: "alert notifications", observed: "no e-mail address", expected: "at least one address alerts go to", urn: view.urn, location: "spec.notifications.email" });
    }
  });
}
