import {
  DRBD_CLONE_ID, DRBD_PRIMITIVE_ID, FILESYSTEM_ID, MINIO_RESOURCE_ID, S3_HAPROXY_RESOURCE_ID, SERVICE_GROUP_ID, SERVICE_IP_ID, ipmiFenceDeviceId, pveFenceDeviceId,
} from "./cib-resource-ids";
import { S3_HAPROXY_UNIT } from "./s3-haproxy-paths";
import { checkClusterPeers, checkInteger, checkIpv4, checkPattern, refuse } from "./cluster-plan-checks";
import type { FencePlan, StoragePlan } from "./storage-plan";

// The Pacemaker CIB of the storage cluster: its configuration section. Role names are Promoted/Unpromoted:
// bookworm's Pacemaker 2.1.5 reads them and the deprecated Master/Slave alike, trixie's 3.0.0 warns about
// Master/Slave (crm_verify exits 78 on the warning), so the new names serve both. The release picks the schema.

const WHERE = "storage plan (Pacemaker CIB)";

export type PacemakerRelease = "bookworm" | "trixie";

export interface CibOptions {
  /** The Debian release the storage VMs run (bookworm: Pacemaker 2.1.5; trixie: 3.0). */
  release?: PacemakerRelease;
}

/**
 * The schema the configuration is written against: the newest each release ships, so that its crm_verify
 * holds the file to the newest rules it knows (pacemaker-3.9 for 2.1.5, pacemaker-4.0 for 3.0.0; 2.1.5 has no
 * 4.0). Each checked by that release's own crm_verify in the tests (trixie's in a chroot).
 */
export const CIB_SCHEMA: Record<PacemakerRelease, string> = { bookworm: "pacemaker-3.9", trixie: "pacemaker-4.0" };

/**
 * Root-only scripts (0700) that print a fence password: fence agents run `password_script` and read its output,
 * so the password is never in the CIB, which every cluster node and `cibadmin --query` shows.
 */
export const PVE_PASSWORD_SCRIPT = "/etc/ibac/fence/pve-password";
export function ipmiPasswordScript(proxmoxNode: string): string {
  return `/etc/ibac/fence/ipmi-password-${proxmoxNode}`;
}

/** Monitor intervals of the two DRBD roles; they must differ or Pacemaker treats them as one operation. */
export const DRBD_MONITOR_PROMOTED = "29s";
export const DRBD_MONITOR_UNPROMOTED = "31s";
export const MINIO_MONITOR_INTERVAL = "30s";
export const S3_HAPROXY_MONITOR_INTERVAL = "20s";

const PVE_USER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}@(pve|pam)$/;
// IPMI 2.0 user names are at most 16 bytes.
const IPMI_USER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;
const DRBD_NAME = /^[a-z][a-z0-9-]{0,31}$/;
// An absolute path without spaces or quotes, no segment starting with a dot (so no . or ..): Filesystem's directory.
const ABSOLUTE_PATH = /^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;

/** Escapes a value for a double-quoted XML attribute; values are validated before, this keeps the XML whole regardless. */
export function xmlAttribute(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`${WHERE}: a value with a control character cannot go into the CIB: ${JSON.stringify(value)}`);
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

type Attributes = Record<string, string>;

function attrs(a: Attributes): string {
  return Object.entries(a).map(([k, v]) => `${k}="${xmlAttribute(v)}"`).join(" ");
}

/** A name/value set; each pair's id is the set's id and the name, which keeps ids unique and stable. */
function nvset(element: string, id: string, pairs: Attributes, indent: string): string {
  const lines = Object.entries(pairs).map(([name, value]) => `${indent}  <nvpair ${attrs({ id: `${id}-${name}`, name, value })}/>`);
  return `${indent}<${element} ${attrs({ id })}>\n${lines.join("\n")}\n${indent}</${element}>`;
}

interface Op {
  name: string;
  interval: string;
  timeout: string;
  role?: "Promoted" | "Unpromoted";
}

function operations(rsc: string, ops: readonly Op[], indent: string): string {
  const lines = ops.map((op) => {
    const id = `${rsc}-${op.name}-${op.interval}${op.role ? `-${op.role.toLowerCase()}` : ""}`;
    return `${indent}  <op ${attrs({ id, name: op.name, interval: op.interval, timeout: op.timeout, ...(op.role ? { role: op.role } : {}) })}/>`;
  });
  return `${indent}<operations>\n${lines.join("\n")}\n${indent}</operations>`;
}

interface Primitive {
  id: string;
  class: string;
  provider?: string;
  type: string;
  params?: Attributes;
  ops: readonly Op[];
}

function primitive(p: Primitive, indent: string): string {
  const head = attrs({ id: p.id, class: p.class, ...(p.provider ? { provider: p.provider } : {}), type: p.type });
  const body = [
    ...(p.params ? [nvset("instance_attributes", `${p.id}-instance_attributes`, p.params, `${indent}  `)] : []),
    operations(p.id, p.ops, `${indent}  `),
  ];
  return `${indent}<primitive ${head}>\n${body.join("\n")}\n${indent}</primitive>`;
}

function checkFence(fence: FencePlan, index: number, peers: StoragePlan["cluster"]["peers"]): void {
  const at = `cluster.fencing[${index}]`;
  const peer = peers.find((p) => p.vm === fence.target);
  if (!peer) refuse(WHERE, `${at}.target`, `one of the storage VMs (${peers.map((p) => p.vm).join(", ")})`, fence.target);
  checkIpv4(WHERE, `${at}.pve.address`, fence.pve.address);
  if (fence.pve.address !== peer.proxmoxNodeAddress) refuse(WHERE, `${at}.pve.address`, `the address of ${peer.proxmoxNode}, which runs ${peer.vm} (${peer.proxmoxNodeAddress})`, fence.pve.address);
  if (fence.pve.proxmoxNode !== peer.proxmoxNode) refuse(WHERE, `${at}.pve.proxmoxNode`, `${peer.proxmoxNode}, the node that runs ${peer.vm}`, fence.pve.proxmoxNode);
  if (fence.pve.vmId !== peer.vmId) refuse(WHERE, `${at}.pve.vmId`, `${peer.vmId}, the VM id of ${peer.vm}`, fence.pve.vmId);
  checkPattern(WHERE, `${at}.pve.user`, fence.pve.user, PVE_USER, "a Proxmox user such as ibac-fence@pve (name@pve or name@pam)");
  if (fence.ipmi) {
    checkIpv4(WHERE, `${at}.ipmi.address`, fence.ipmi.address);
    checkPattern(WHERE, `${at}.ipmi.user`, fence.ipmi.user, IPMI_USER, "an IPMI user name of at most 16 letters, digits, dots, hyphens or underscores");
  }
}

function validate(plan: StoragePlan): void {
  const { cluster, drbd, service } = plan;
  checkClusterPeers(WHERE, cluster);
  if (!Array.isArray(cluster.fencing) || cluster.fencing.length !== 2) refuse(WHERE, "cluster.fencing", "a fence plan for each of the two VMs", cluster.fencing);
  cluster.fencing.forEach((f, i) => checkFence(f, i, cluster.peers));
  if (cluster.fencing[0].target === cluster.fencing[1].target) refuse(WHERE, "cluster.fencing[1].target", "the VM other than cluster.fencing[0].target", cluster.fencing[1].target);
  checkInteger(WHERE, "cluster.fenceDelayMaxSeconds", cluster.fenceDelayMaxSeconds, 1, 60);
  checkPattern(WHERE, "drbd.name", drbd.name, DRBD_NAME, "a DRBD resource name such as ibac-s3");
  checkPattern(WHERE, "drbd.device", drbd.device, /^\/dev\/drbd[0-9]{1,7}$/, "a DRBD device such as /dev/drbd0");
  checkIpv4(WHERE, "service.address", service.address);
  checkInteger(WHERE, "service.prefix", service.prefix, 8, 30);
  checkPattern(WHERE, "service.mountPoint", service.mountPoint, ABSOLUTE_PATH, "an absolute path such as /srv/minio (no spaces, quotes or dot segments)");
  if (service.fileSystem !== "ext4") refuse(WHERE, "service.fileSystem", '"ext4"', service.fileSystem);
  if (cluster.peers.some((p) => p.serviceAddress === service.address)) refuse(WHERE, "service.address", "an address neither VM has as its own", service.address);
}

function fenceDevices(plan: StoragePlan): string[] {
  const { cluster } = plan;
  // The random delay sits on the devices that fence the first VM only: when both try to fence each other, the
  // first VM's fencing waits up to the delay, the second's does not, so the first VM wins the race.
  const delayed = cluster.fencing[0].target;
  return cluster.fencing.flatMap((fence) => {
    const delay: Attributes = fence.target === delayed ? { pcmk_delay_max: `${cluster.fenceDelayMaxSeconds}s` } : {};
    const target: Attributes = { pcmk_host_list: fence.target, pcmk_host_check: "static-list" };
    const monitor: Op[] = [{ name: "monitor", interval: "60s", timeout: "30s" }];
    const devices = [primitive({
      id: pveFenceDeviceId(fence.target), class: "stonith", type: "fence_pve",
      // fence_pve 4.12's own names: username (login is deprecated), plug is the VM id, pve_node the node that runs it.
      params: { ...target, ip: fence.pve.address, username: fence.pve.user, password_script: PVE_PASSWORD_SCRIPT, plug: String(fence.pve.vmId), pve_node: fence.pve.proxmoxNode, vmtype: "qemu", ...delay },
      ops: monitor,
    }, "      ")];
    if (fence.ipmi) {
      devices.push(primitive({
        id: ipmiFenceDeviceId(fence.target), class: "stonith", type: "fence_ipmilan",
        params: { ...target, ip: fence.ipmi.address, username: fence.ipmi.user, password_script: ipmiPasswordScript(fence.pve.proxmoxNode), lanplus: "1", ...delay },
        ops: monitor,
      }, "      "));
    }
    return devices;
  });
}

function drbdClone(plan: StoragePlan): string {
  const drbd = primitive({
    id: DRBD_PRIMITIVE_ID, class: "ocf", provider: "linbit", type: "drbd",
    params: { drbd_resource: plan.drbd.name },
    // The agent's advised timeouts; the two monitors differ in interval, as Pacemaker requires per role.
    ops: [
      { name: "monitor", interval: DRBD_MONITOR_PROMOTED, timeout: "20s", role: "Promoted" },
      { name: "monitor", interval: DRBD_MONITOR_UNPROMOTED, timeout: "20s", role: "Unpromoted" },
      { name: "start", interval: "0s", timeout: "240s" },
      { name: "promote", interval: "0s", timeout: "90s" },
      { name: "demote", interval: "0s", timeout: "90s" },
      { name: "stop", interval: "0s", timeout: "100s" },
      { name: "notify", interval: "0s", timeout: "90s" },
    ],
  }, "        ");
  // priority makes the node with the Promoted instance the more valuable one for priority-fencing-delay.
  const meta = nvset("meta_attributes", `${DRBD_CLONE_ID}-meta_attributes`, {
    promotable: "true", "promoted-max": "1", "promoted-node-max": "1", "clone-max": "2", "clone-node-max": "1", notify: "true", priority: "10",
  }, "        ");
  return `      <clone ${attrs({ id: DRBD_CLONE_ID })}>\n${meta}\n${drbd}\n      </clone>`;
}

function serviceGroup(plan: StoragePlan): string {
  const { service, drbd } = plan;
  const members = [
    primitive({
      id: FILESYSTEM_ID, class: "ocf", provider: "heartbeat", type: "Filesystem",
      params: { device: drbd.device, directory: service.mountPoint, fstype: service.fileSystem, options: "noatime" },
      ops: [{ name: "monitor", interval: "20s", timeout: "40s" }, { name: "start", interval: "0s", timeout: "60s" }, { name: "stop", interval: "0s", timeout: "60s" }],
    }, "        "),
    // No nic: IPaddr2 finds the interface whose route covers the address, the service NIC, whatever its name.
    primitive({
      id: SERVICE_IP_ID, class: "ocf", provider: "heartbeat", type: "IPaddr2",
      params: { ip: service.address, cidr_netmask: String(service.prefix) },
      ops: [{ name: "monitor", interval: "10s", timeout: "20s" }],
    }, "        "),
    // minio.service, the unit the MinIO renderer writes (MinIO on the loopback).
    primitive({
      id: MINIO_RESOURCE_ID, class: "systemd", type: "minio",
      ops: [{ name: "monitor", interval: MINIO_MONITOR_INTERVAL, timeout: "60s" }, { name: "start", interval: "0s", timeout: "100s" }, { name: "stop", interval: "0s", timeout: "100s" }],
    }, "        "),
    // ibac-s3-haproxy.service: S3's TLS on the service address, in front of MinIO. After the address, so it binds
    // an address this VM holds (no ip_nonlocal_bind); after MinIO, so it opens the port once MinIO serves.
    primitive({
      id: S3_HAPROXY_RESOURCE_ID, class: "systemd", type: S3_HAPROXY_UNIT.replace(/\.service$/, ""),
      ops: [{ name: "monitor", interval: S3_HAPROXY_MONITOR_INTERVAL, timeout: "30s" }, { name: "start", interval: "0s", timeout: "60s" }, { name: "stop", interval: "0s", timeout: "60s" }],
    }, "        "),
  ];
  return `      <group ${attrs({ id: SERVICE_GROUP_ID })}>\n${members.join("\n")}\n      </group>`;
}

function constraints(plan: StoragePlan): string {
  const { cluster } = plan;
  const devices = cluster.fencing.flatMap((f) => [pveFenceDeviceId(f.target), ...(f.ipmi ? [ipmiFenceDeviceId(f.target)] : [])].map((id) => ({ id, target: f.target })));
  // A node never runs the device that fences itself: a node that must be fenced cannot be trusted to do it.
  const locations = devices.map(({ id, target }) => `    <rsc_location ${attrs({ id: `location-${id}-avoids-${target}`, rsc: id, node: target, score: "-INFINITY" })}/>`);
  return [
    "    <constraints>",
    ...locations.map((l) => `  ${l}`),
    `      <rsc_colocation ${attrs({ id: `colocation-${SERVICE_GROUP_ID}-with-promoted`, rsc: SERVICE_GROUP_ID, "with-rsc": DRBD_CLONE_ID, "with-rsc-role": "Promoted", score: "INFINITY" })}/>`,
    `      <rsc_order ${attrs({ id: `order-promote-then-${SERVICE_GROUP_ID}`, first: DRBD_CLONE_ID, "first-action": "promote", then: SERVICE_GROUP_ID, "then-action": "start", kind: "Mandatory" })}/>`,
    "    </constraints>",
  ].join("\n");
}

function fencingTopology(plan: StoragePlan): string {
  const levels = plan.cluster.fencing.flatMap((f) => [
    `      <fencing-level ${attrs({ id: `fencing-${f.target}-1`, target: f.target, index: "1", devices: pveFenceDeviceId(f.target) })}/>`,
    ...(f.ipmi ? [`      <fencing-level ${attrs({ id: `fencing-${f.target}-2`, target: f.target, index: "2", devices: ipmiFenceDeviceId(f.target) })}/>`] : []),
  ]);
  return `    <fencing-topology>\n${levels.join("\n")}\n    </fencing-topology>`;
}

/**
 * The storage cluster's CIB: fencing first (fence_pve per VM, fence_ipmilan as the second level), the promotable
 * DRBD clone, and the service group (file system, address, MinIO, HAProxy) that runs only where DRBD is Promoted and
 * starts only after the promotion. Pure. The document holds the configuration only: no status section and no
 * have-quorum, which the cluster itself writes (the tests add them where crm_verify and crm_simulate need them).
 * The delivery replaces the cluster's configuration section with this one (`cibadmin --replace --scope
 * configuration`), so the epochs here only satisfy the schema; the cluster numbers its own updates.
 */
export function renderCib(plan: StoragePlan, options: CibOptions = {}): string {
  const release = options.release ?? "bookworm";
  if (!(release in CIB_SCHEMA)) refuse(WHERE, "release", '"bookworm" or "trixie"', release);
  validate(plan);
  const { cluster } = plan;
  const properties = nvset("cluster_property_set", "cib-bootstrap-options", {
    "stonith-enabled": "true",
    // stop, not freeze: the half without quorum stops its service, so it releases the address and demotes
    // DRBD on its own while the quorate half fences it; freeze would keep a cut-off MinIO answering.
    "no-quorum-policy": "stop",
    // Only bites without a QDevice (two_node, both halves quorate): the node holding the Promoted instance
    // (priority 10) gets this head start, twice the random delay so the two do not blur into each other.
    "priority-fencing-delay": `${2 * cluster.fenceDelayMaxSeconds}s`,
    // A fence may first wait both delays; the 60 s Pacemaker allows by default is then left to the agent itself.
    "stonith-timeout": `${3 * cluster.fenceDelayMaxSeconds + 60}s`,
    "cluster-name": cluster.name,
  }, "      ");
  const nodes = [...cluster.peers].sort((a, b) => a.nodeId - b.nodeId)
    .map((p) => `      <node ${attrs({ id: String(p.nodeId), uname: p.vm })}/>`);
  // A returning node does not pull the service back: a move costs an outage, staying costs nothing.
  const defaults = nvset("meta_attributes", "rsc-defaults-options", { "resource-stickiness": "100" }, "      ");
  return `<cib ${attrs({ "validate-with": CIB_SCHEMA[release], admin_epoch: "0", epoch: "1", num_updates: "0" })}>
  <configuration>
    <crm_config>
${properties}
    </crm_config>
    <nodes>
${nodes.join("\n")}
    </nodes>
    <resources>
${[...fenceDevices(plan), drbdClone(plan), serviceGroup(plan)].join("\n")}
    </resources>
${constraints(plan)}
${fencingTopology(plan)}
    <rsc_defaults>
${defaults}
    </rsc_defaults>
  </configuration>
</cib>
`;
}
