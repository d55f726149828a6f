import { parseCidr } from "../../components/model/addresses";
import type { PolicyModel } from "../../components/model/policy-view";
import { includesPort, isNearlyAllPorts } from "../../components/network/firewall/port-spec";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { declaredOpenings, type DeclaredOpening } from "./declared-firewall";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

const IPV4_MEMBER = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** Whether an IP set member (address or CIDR) lies wholly inside `cidr`. */
export function memberInside(member: string, cidr: string): boolean {
  if (!IPV4_MEMBER.test(member)) return false;
  const inner = parseCidr(member.includes("/") ? member : `${member}/32`);
  const outer = parseCidr(cidr);
  return inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;
}

/** Ports of administrative interfaces: SSH, and the Proxmox GUI/API on the nodes. */
export const ADMIN_PORTS = ["22", "8006"];

/** Who a platform address is: a node, the QDevice host, or a VM of a tier (and role). */
type Party = { kind: "node" } | { kind: "qdevice" } | { kind: "vm"; tier: string; role?: string };

/**
 * The design's own machine-to-machine uses of an admin port, the only ones besides the admin network: the
 * nodes among themselves (cluster file sync, replication and migration run over SSH) and to the QDevice
 * host (`pvecm qdevice setup` copies its certificates over SSH), the database replica to the backup VMs
 * (mariabackup and binary-log copies over SSH), the monitoring VMs to the nodes' API (cluster, quorum and HA
 * checks), the storage VMs to the nodes' API (fence_pve). A tier facing the mobiles or the internet (vpn, loadBalancer) is never here: a compromised
 * gateway must not reach a hypervisor. The spec cannot add to this list.
 */
export const MACHINE_ADMIN_ACCESS: readonly { from: Party; to: Party["kind"] | { tier: string }; port: string; why: string }[] = [
  { from: { kind: "node" }, to: "node", port: "22", why: "cluster file sync, storage replication and migration" },
  { from: { kind: "node" }, to: "qdevice", port: "22", why: "pvecm qdevice setup" },
  { from: { kind: "vm", tier: "monitoring" }, to: "node", port: "8006", why: "cluster, quorum and HA checks" },
  { from: { kind: "vm", tier: "objectStore" }, to: "node", port: "8006", why: "fence_pve powers off a storage VM that stopped answering" },
  { from: { kind: "vm", tier: "backup" }, to: "node", port: "8006", why: "fence_pve powers off a backup VM that stopped answering" },
];

function parties(model: PolicyModel): Map<string, Party> {
  const byAddress = new Map<string, Party>();
  for (const n of model.nodes) for (const a of [n.managementAddress, n.clusterAddress]) byAddress.set(a, { kind: "node" });
  if (model.qdevice) byAddress.set(model.qdevice.address, { kind: "qdevice" });
  for (const vm of model.vms) for (const nic of vm.nics) byAddress.set(nic.address, { kind: "vm", tier: vm.tier, ...(vm.role ? { role: vm.role } : {}) });
  return byAddress;
}

function machineAccessAllowed(from: Party, o: DeclaredOpening, port: string, model: PolicyModel): boolean {
  const to = model.vms.find((vm) => vm.name === o.host);
  return MACHINE_ADMIN_ACCESS.some((a) => {
    if (a.port !== port || a.from.kind !== from.kind) return false;
    if (a.from.kind === "vm" && from.kind === "vm" && (a.from.tier !== from.tier || (a.from.role !== undefined && a.from.role !== from.role))) return false;
    return typeof a.to === "string" ? a.to === o.hostKind : to?.tier === a.to.tier;
  });
}

/** The admin ports an opening reaches: by range, list or name; an unreadable port field may be any port. */
function adminPortsOf(o: DeclaredOpening): string[] {
  if (o.protocol && o.protocol !== "tcp") return [];
  if (o.ports.unreadable.length) return ADMIN_PORTS;
  return ADMIN_PORTS.filter((p) => includesPort(o.ports.ranges, Number(p)));
}

/**
 * Administrative interfaces answer a limited set of hosts only: Proxmox's `management` IP set (which opens
 * the GUI and SSH on every node) holds nothing but the admin network, and every accepting rule of every
 * rule set the stack delivers (VMs, nodes, security groups, the QDevice's nftables) whose ports include 22
 * or 8006, however spelt (a range, a list, a service name, an unreadable field), has sources inside the admin
 * network or named by the design's own machine-to-machine list (MACHINE_ADMIN_ACCESS). The platform's VMs
 * are not exempt as such.
 */
export function adminInterfacesRestrictedPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "admin-interfaces-restricted",
    description: "SSH and the Proxmox GUI/API are reachable only from the admin network and the design's own machine-to-machine uses (never from an internet-facing VM), whatever the rule's port spelling.",
    requirements: ["IBAC-ACC-001"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const admin = view.spec.networks.admin.cidr;
    const management = resources.find((r) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy) && r.props.name === "management");
    const managementMembers = ((management?.props.cidrs as { name: string }[] | undefined) ?? []).map((c) => c.name);
    const outside = managementMembers.filter((m) => !memberInside(m, admin));
    if (!management) reportFinding(report, { subject: "Proxmox management IP set", observed: "not declared", expected: `the admin network ${admin} only`, urn: view.urn });
    else if (outside.length) reportFinding(report, { subject: "Proxmox management IP set", observed: outside.join(", "), expected: `members inside the admin network ${admin} only`, urn: management.urn, location: "inputs.cidrs" });

    const who = parties(view.model);
    const reported = new Set<string>();
    for (const o of declaredOpenings(resources, view.model)) {
      if (o.direction !== "in") continue;
      for (const port of adminPortsOf(o)) {
        const strangers = o.peer.members.filter((m) => {
          if (memberInside(m, admin)) return false;
          const party = who.get(m.replace(/\/32$/, ""));
          return !(party && machineAccessAllowed(party, o, port, view.model));
        });
        // A security group's rule is found once per VM using it: each VM is a host it opens.
        const once = `${o.host}|${o.urn}|${o.location}|${port}`;
        if (!strangers.length || reported.has(once)) continue;
        reported.add(once);
        const spelling = o.portField === port ? "" : ` (port field ${JSON.stringify(o.portField || "any")}${isNearlyAllPorts(o.ports.ranges) ? ", nearly every port" : ""}${o.ports.unreadable.length ? `, unreadable ${o.ports.unreadable.join(", ")}` : ""})`;
        reportFinding(report, {
          subject: `port ${port} on ${o.host}`,
          observed: `open to ${o.peer.name === "any" ? "any source" : o.peer.name} (${strangers.join(", ")})${spelling}`,
          expected: `the admin network ${admin}, or a machine-to-machine use the design names`,
          urn: o.urn,
          location: `${o.location}${o.hostKind === "qdevice" ? "" : ".source"}`,
        });
      }
    }
  });
}
