import { TIER_NAMES, type PlatformSpec } from "./schema";
import type { FieldProblem } from "./errors";
import { formatFieldPath, type FieldPath } from "../input/input-error";
import { closestWord } from "../input/did-you-mean";
import { tlsPolicyProblems } from "../pki/tls-policy";
import { checkSshHostKeys } from "./ssh-host-key";
import { checkExtraFlows } from "../model/extra-flows";
import { designFlows } from "../model/flows";
import { formatSubnet, ipv4ToInt, parseCidr, subnetContains, subnetsOverlap } from "../model/addresses";
import { logicalCpus } from "../model/capacity";
import { addressBoundProblems } from "./address-bounds";
import { calendarEventProblem } from "./calendar-event";
import { debianImageProblems } from "./debian-release";
import { reservedUserProblem } from "./reserved-users";
import { timeZoneProblem } from "./time-zone";
import { objectStoreProblems } from "../storage/spec-checks";
import { applicationServiceProblems } from "../app-service/spec-checks";
import { loadBalancerProblems } from "../loadbalancer/spec-checks";
import { backupProblems } from "../backup/spec-checks";
import { monitoringProblems } from "../monitoring/spec-checks";
import { FIRST_VM_HOST, highestServiceHost, FIRST_NODE_CLUSTER_HOST, virtualAddressPlan } from "../tiers/address-plan";

const NETWORK_ROLES = ["management", "cluster", "service", "storage", "admin", "vpnClients"] as const;

/** Checks that need more than one field: what a schema cannot say. Each problem names the field to fix. */
export function crossCheckSpec(spec: PlatformSpec): FieldProblem[] {
  return [
    ...addressBoundProblems(spec),
    ...checkSubnetsDisjoint(spec),
    ...checkAddresses(spec),
    ...checkNodeNames(spec),
    ...checkVmSizesFit(spec),
    ...checkSubnetSizes(spec),
    ...checkDatabasePrimary(spec),
    ...tlsPolicyProblems(spec),
    ...checkExtraFlows(spec, designFlows(spec).map((f) => f.id)),
    ...checkSiteSubnets(spec),
    ...checkOffsiteNas(spec),
    ...checkFieldMeanings(spec),
    ...checkSshHostKeys(spec),
    ...objectStoreProblems(spec),
    ...applicationServiceProblems(spec),
    ...loadBalancerProblems(spec),
    ...backupProblems(spec),
    ...monitoringProblems(spec),
  ];
}

/** Single fields whose meaning a pattern cannot hold: the schedule's grammar, the zone database, reserved names, the image's release. */
function checkFieldMeanings(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const schedule = spec.proxmox.replicationSchedule;
  const scheduleProblem = calendarEventProblem(schedule);
  if (scheduleProblem) {
    problems.push({ path: ["proxmox", "replicationSchedule"], detail: `expected a Proxmox calendar event such as */15 or mon..fri 8..18:00/30, found "${schedule}": ${scheduleProblem}` });
  }
  const zone = timeZoneProblem(spec.site.timeZone);
  if (zone) problems.push({ path: ["site", "timeZone"], detail: zone });
  const adminNames = spec.admins.map((a) => a.name);
  adminNames.forEach((name, i) => {
    const reserved = reservedUserProblem(name);
    if (reserved) problems.push({ path: ["admins", i, "name"], detail: reserved });
    else if (adminNames.indexOf(name) !== i) {
      problems.push({ path: ["admins", i, "name"], detail: `expected a user name used once, found "${name}" again (first at admins[${adminNames.indexOf(name)}])` });
    }
  });
  return [...problems, ...debianImageProblems(spec)];
}

/**
 * The off-site NAS is a zone of its own (it receives backup copies, nothing more): an address inside the
 * admin or VPN-client network would give it every opening those zones have (SSH, the Proxmox GUI).
 */
function checkOffsiteNas(spec: PlatformSpec): FieldProblem[] {
  const nas = spec.backupPolicy.offsite.nasAddress;
  const inside = (["admin", "vpnClients"] as const).filter((role) => subnetContains(parseCidr(spec.networks[role].cidr), nas));
  if (!inside.length) return [];
  return [{
    path: ["backupPolicy", "offsite", "nasAddress"],
    detail: `expected an address outside the admin and VPN-client networks, found ${nas}, which is inside ${inside.map((r) => `networks.${r} (${spec.networks[r].cidr})`).join(", ")} and would get its openings`,
  }];
}

/** The site tunnel's remote subnets are another zone: they must not overlap any network of the platform. */
function checkSiteSubnets(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  spec.vpn.siteTunnel.remoteSubnets.forEach((cidr, i) => {
    const remote = parseCidr(cidr);
    const overlapped = NETWORK_ROLES.filter((role) => subnetsOverlap(remote, parseCidr(spec.networks[role].cidr)));
    if (overlapped.length) {
      problems.push({
        path: ["vpn", "siteTunnel", "remoteSubnets", i],
        detail: `expected a subnet outside the platform's networks, found ${cidr}, which overlaps ${overlapped.map((r) => `networks.${r} (${spec.networks[r].cidr})`).join(", ")}`,
      });
    }
  });
  return problems;
}

function checkDatabasePrimary(spec: PlatformSpec): FieldProblem[] {
  const primary = spec.database.primary;
  const count = 1 + spec.database.replicas;
  const index = primary ? Number(primary.slice("db-".length)) : 1;
  if (index <= count) return [];
  return [{
    path: ["database", "primary"],
    detail: `expected one of the database VMs (db-1 to db-${count}), found "${primary}"`,
  }];
}

function checkSubnetsDisjoint(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // One problem per network, naming every earlier network it overlaps (the first of a pair is left alone).
  NETWORK_ROLES.forEach((role, i) => {
    const a = parseCidr(spec.networks[role].cidr);
    const overlapped = NETWORK_ROLES.slice(0, i)
      .filter((other) => subnetsOverlap(a, parseCidr(spec.networks[other].cidr)))
      .map((other) => `networks.${other} (${formatSubnet(parseCidr(spec.networks[other].cidr))})`);
    if (overlapped.length) {
      problems.push({
        path: ["networks", role, "cidr"],
        detail: `expected a subnet that overlaps no other network, found ${spec.networks[role].cidr}, which overlaps ${overlapped.join(", ")}`,
      });
    }
  });
  return problems;
}

function checkAddresses(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Map<string, FieldPath>();
  const claim = (address: string, path: FieldPath): void => {
    const first = seen.get(address);
    if (first) {
      problems.push({ path, detail: `expected an address no other host uses, found ${address}, already used by ${formatFieldPath(first)}` });
    } else {
      seen.set(address, path);
    }
  };

  const management = parseCidr(spec.networks.management.cidr);
  spec.proxmox.nodes.forEach((node, i) => {
    claim(node.address, ["proxmox", "nodes", i, "address"]);
    if (!subnetContains(management, node.address)) {
      problems.push({
        path: ["proxmox", "nodes", i, "address"],
        detail: `expected an address inside networks.management (${spec.networks.management.cidr}), found ${node.address}`,
      });
    }
  });
  if (spec.proxmox.qdevice) claim(spec.proxmox.qdevice.address, ["proxmox", "qdevice", "address"]);

  for (const role of NETWORK_ROLES) {
    const network = spec.networks[role];
    if (!network.gateway) continue;
    const path: FieldPath = ["networks", role, "gateway"];
    claim(network.gateway, path);
    const subnet = parseCidr(network.cidr);
    if (!subnetContains(subnet, network.gateway)) {
      problems.push({ path, detail: `expected an address inside ${network.cidr}, found ${network.gateway}` });
    } else if (role === "service" || role === "storage") {
      const host = ipv4ToInt(network.gateway) - subnet.network;
      const vip = virtualAddressPlan().find((v) => v.host === host)?.name;
      if (host >= FIRST_VM_HOST && host <= highestServiceHost(spec)) {
        problems.push({
          path,
          detail: `expected a gateway outside the VM range (hosts ${FIRST_VM_HOST} to ${highestServiceHost(spec)} of ${network.cidr}), found ${network.gateway}`,
        });
      } else if (role === "service" && vip) {
        problems.push({ path, detail: `expected a gateway that is not a virtual IP, found ${network.gateway}, the ${vip} virtual IP (host ${host} of ${network.cidr})` });
      }
    } else if (role === "cluster") {
      const host = ipv4ToInt(network.gateway) - subnet.network;
      const last = FIRST_NODE_CLUSTER_HOST + spec.proxmox.nodes.length - 1;
      if (host >= FIRST_NODE_CLUSTER_HOST && host <= last) {
        problems.push({
          path,
          detail: `expected a gateway outside the nodes' corosync addresses (hosts ${FIRST_NODE_CLUSTER_HOST} to ${last} of ${network.cidr}), found ${network.gateway}`,
        });
      }
    }
  }
  return problems;
}

function checkNodeNames(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const names = spec.proxmox.nodes.map((n) => n.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      problems.push({ path: ["proxmox", "nodes", i, "name"], detail: `expected a node name used once, found "${name}" again (first at proxmox.nodes[${names.indexOf(name)}])` });
    }
  });
  for (const tier of TIER_NAMES) {
    const restricted: { nodes?: string[] } = spec[tier];
    restricted.nodes?.forEach((name, i) => {
      if (names.includes(name)) return;
      const suggestion = closestWord(name, names);
      problems.push({
        path: [tier, "nodes", i],
        detail: `expected the name of a node in proxmox.nodes (${names.join(", ")}), found "${name}"` + (suggestion ? `; did you mean "${suggestion}"?` : ""),
      });
    });
  }
  return problems;
}

function checkVmSizesFit(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const reserve = spec.proxmox.hypervisorReserve;
  for (const tier of TIER_NAMES) {
    const restricted: { nodes?: string[] } = spec[tier];
    const eligible = spec.proxmox.nodes.filter((n) => !restricted.nodes || restricted.nodes.includes(n.name));
    if (eligible.length === 0) continue;
    const vm = spec[tier].vm;
    const largestMemory = eligible.reduce((a, b) => (b.memoryGiB > a.memoryGiB ? b : a));
    const maxMemory = largestMemory.memoryGiB - reserve.memoryGiB;
    if (vm.memoryGiB > maxMemory) {
      problems.push({
        path: [tier, "vm", "memoryGiB"],
        detail: `expected at most ${maxMemory} (${largestMemory.name}'s ${largestMemory.memoryGiB} GiB less the ${reserve.memoryGiB} GiB hypervisor reserve), found ${vm.memoryGiB}`,
      });
    }
    const largestCpu = eligible.reduce((a, b) => (logicalCpus(b) > logicalCpus(a) ? b : a));
    const maxCores = logicalCpus(largestCpu) - reserve.cores;
    if (vm.cores > maxCores) {
      problems.push({
        path: [tier, "vm", "cores"],
        detail: `expected at most ${maxCores} (${largestCpu.name}'s ${logicalCpus(largestCpu)} logical CPUs less the ${reserve.cores} reserved), found ${vm.cores}`,
      });
    }
  }
  return problems;
}

function checkSubnetSizes(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const needed = highestServiceHost(spec) + 1;
  for (const role of ["service", "storage"] as const) {
    const subnet = parseCidr(spec.networks[role].cidr);
    if (subnet.size - 2 < needed) {
      problems.push({
        path: ["networks", role, "cidr"],
        detail: `expected a subnet with at least ${needed} usable addresses for the VMs and virtual IPs, found ${spec.networks[role].cidr} (${subnet.size - 2})`,
      });
    }
  }
  const cluster = parseCidr(spec.networks.cluster.cidr);
  const clusterNeeded = FIRST_NODE_CLUSTER_HOST + spec.proxmox.nodes.length;
  if (cluster.size - 2 < clusterNeeded) {
    problems.push({
      path: ["networks", "cluster", "cidr"],
      detail: `expected a subnet with at least ${clusterNeeded} usable addresses for ${spec.proxmox.nodes.length} nodes, found ${spec.networks.cluster.cidr} (${cluster.size - 2})`,
    });
  }
  return problems;
}
