// hostgroups.cfg and hosts.cfg. Host names are the model's; parents make a node failure one problem (the
// node DOWN, its VMs UNREACHABLE); custom variables _KIND and _TIER carry what the policies and the report
// read from the rendered objects.

import type { MonitoredHost, MonitoringPlan } from "../plan/types";
import { COMMANDS, hostCheckByServicePort, hostCheckCommand } from "./render-commands";
import { HOST_TEMPLATE } from "./object-names";
import { commandArgument, defineObject, HOST_NAME, HOST_NAME_EXPECTED, objectFile, objectName, show } from "./object-text";

const KIND_LABEL: Record<MonitoredHost["kind"], string> = {
  node: "Proxmox node",
  vm: "VM",
  qdevice: "QDevice host",
  "virtual-address": "virtual address",
};

/** The agent port of each host that runs one (plan.agents), for the host check and the NRPE checks. */
export function agentPorts(plan: MonitoringPlan): Map<string, number> {
  return new Map(plan.agents.map((a) => [a.host, a.port]));
}

/** Checks every host's name, address, parents and group; throws on the first problem. */
export function checkHosts(plan: MonitoringPlan): void {
  const names = new Set<string>();
  for (const h of plan.hosts) {
    objectName(h.name, `host ${show(h.name)}: name`);
    if (names.has(h.name)) throw new Error(`nagios: host ${show(h.name)}: defined twice`);
    names.add(h.name);
    // $HOSTADDRESS$ reaches every command line: an address or a DNS name, nothing a shell would read.
    commandArgument(h.address, HOST_NAME, HOST_NAME_EXPECTED, `host ${h.name}: address`);
    objectName(h.hostgroup, `host ${h.name}: hostgroup`);
    if (h.tier !== undefined) objectName(h.tier, `host ${h.name}: tier`);
    if (h.agent && !plan.agents.some((a) => a.host === h.name)) throw new Error(`nagios: host ${h.name}: runs an agent but the plan has no agent for it`);
  }
  for (const h of plan.hosts) {
    for (const p of h.parents) if (!names.has(p)) throw new Error(`nagios: host ${h.name}: parent ${show(p)} is not a monitored host`);
  }
}

export function renderHostgroups(plan: MonitoringPlan): string {
  const groups = [...new Set(plan.hosts.map((h) => h.hostgroup))];
  return objectFile(
    "Host groups: one per tier, the Proxmox nodes, the QDevice host",
    groups.map((g) => defineObject("hostgroup", [["hostgroup_name", objectName(g, "hostgroup")], ["alias", g]])),
  );
}

/**
 * `takeoverOn`: on the standby, the active VM's host, which gets the takeover event handler (its DOWN or
 * UNREACHABLE state turns the standby's notifications on; standby.cfg holds the rest).
 */
export function renderHosts(plan: MonitoringPlan, takeoverOn?: string): string {
  checkHosts(plan);
  const ports = agentPorts(plan);
  return objectFile(
    "Hosts: every node, VM, QDevice host and virtual address",
    plan.hosts.map((h) => {
      const agentPort = ports.get(h.name);
      const check = h.agent && agentPort !== undefined ? hostCheckCommand(agentPort) : hostCheckByServicePort(plan, h.name);
      return defineObject("host", [
        ["use", HOST_TEMPLATE],
        ["host_name", h.name],
        ["alias", `${KIND_LABEL[h.kind]} ${h.name}${h.tier ? ` (${h.tier})` : ""}`],
        ["address", h.address],
        ["parents", h.parents.length > 0 ? h.parents.join(",") : undefined],
        ["hostgroups", h.hostgroup],
        ["check_command", check],
        ["event_handler", takeoverOn === h.name ? COMMANDS.standbyTakeover : undefined],
        ["_KIND", h.kind],
        ["_TIER", h.tier],
      ]);
    }),
  );
}
