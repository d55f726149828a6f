import { ipmiFenceDeviceId, pveFenceDeviceId } from "./cib-ids";
import { checkClusterPeers, checkInteger, checkIpv4, checkPattern, refuse } from "./checks";
import type { FencePlan, GroupMember, ReplicatedCibPlan, ReplicatedClusterPlan, ReplicatedPeer } from "./plan";

// The Pacemaker CIB of a replicated volume's cluster: its configuration section. Role names are Promoted/Unpromoted:
// bookworm's Pacemaker 2.1.5 reads them and the deprecated Master/Slave alike, trixie's 3.0.0 warns about
// Master/Slave (crm_verify exits 78 on the warning), so the new names serve both. The release picks the schema.

export type PacemakerRelease = "bookworm" | "trixie";

export interface CibOptions {
  /** The Debian release the VMs run (bookworm: Pacemaker 2.1.5; trixie: 3.0). */
  release?: PacemakerRelease;
}

/** How the renderer names the plan in its errors (`storage plan (Pacemaker CIB)`) and the cluster's VMs (`storage VMs`). */
export interface CibText {
  where: string;
  vms: string;
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

const PVE_USER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}@(pve|pam)$/;
// IPMI 2.0 user names are at most 16 bytes.
const IPMI_USER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;
const DRBD_NAME = /^[a-z][a-z0-9-]{0,31}$/;
// An absolute path without spaces or quotes, no segment starting with a dot (so no . or ..): Filesystem's directory.
const ABSOLUTE_PATH = /^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;

/** Escapes a value for a double-quoted XML attribute; values are validated before, this keeps the XML whole regardless. */
export function xmlAttributeIn(where: string, value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`${where}: a value with a control character cannot go into the CIB: ${JSON.stringify(value)}`);
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

type Attributes = Record<string, string>;

interface Op {
  name: string;
  interval: string;
  timeout: string;
  role?: "Promoted" | "Unpromoted";
}

interface Primitive {
  id: string;
  class: string;
  provider?: string;
  type: string;
  params?: Attributes;
  ops: readonly Op[];
}

/** The element writers, bound to the plan's name for the one error they can raise. */
function xmlWriter(where: string) {
  const attrs = (a: Attributes): string => Object.entries(a).map(([k, v]) => `${k}="${xmlAttributeIn(where, v)}"`).join(" ");
  /** A name/value set; each pair's id is the set's id and the name, which keeps ids unique and stable. */
  const nvset = (element: string, id: string, pairs: Attributes, indent: string): string => {
    const lines = Object.entries(pairs).map(([name, value]) => `${indent}  <nvpair ${attrs({ id: `${id}-${name}`, name, value })}/>`);
    return `${indent}<${element} ${attrs({ id })}>\n${lines.join("\n")}\n${indent}</${element}>`;
  };
  const operations = (rsc: string, ops: readonly Op[], indent: string): string => {
    const lines = ops.map((op) => {
      const id = `${rsc}-${op.name}-${op.interval}${op.role ? `-${op.role.toLowerCase()}` : ""}`;
      return `${indent}  <op ${attrs({ id, name: op.name, interval: op.interval, timeout: op.timeout, ...(op.role ? { role: op.role } : {}) })}/>`;
    });
    return `${indent}<operations>\n${lines.join("\n")}\n${indent}</operations>`;
  };
  const primitive = (p: Primitive, indent: string): string => {
    const head = attrs({ id: p.id, class: p.class, ...(p.provider ? { provider: p.provider } : {}), type: p.type });
    const body = [
      ...(p.params ? [nvset("instance_attributes", `${p.id}-instance_attributes`, p.params, `${indent}  `)] : []),
      operations(p.id, p.ops, `${indent}  `),
    ];
    return `${indent}<primitive ${head}>\n${body.join("\n")}\n${indent}</primitive>`;
  };
  return { attrs, nvset, primitive };
}

type Writer = ReturnType<typeof xmlWriter>;

function checkFence(text: CibText, fence: FencePlan, index: number, peers: readonly ReplicatedPeer[]): void {
  const where = text.where;
  const at = `cluster.fencing[${index}]`;
  const peer = peers.find((p) => p.vm === fence.target);
  if (!peer) refuse(where, `${at}.target`, `one of the ${text.vms} (${peers.map((p) => p.vm).join(", ")})`, fence.target);
  checkIpv4(where, `${at}.pve.address`, fence.pve.address);
  if (fence.pve.address !== peer.proxmoxNodeAddress) refuse(where, `${at}.pve.address`, `the address of ${peer.proxmoxNode}, which runs ${peer.vm} (${peer.proxmoxNodeAddress})`, fence.pve.address);
  if (fence.pve.proxmoxNode !== peer.proxmoxNode) refuse(where, `${at}.pve.proxmoxNode`, `${peer.proxmoxNode}, the node that runs ${peer.vm}`, fence.pve.proxmoxNode);
  if (fence.pve.vmId !== peer.vmId) refuse(where, `${at}.pve.vmId`, `${peer.vmId}, the VM id of ${peer.vm}`, fence.pve.vmId);
  checkPattern(where, `${at}.pve.user`, fence.pve.user, PVE_USER, "a Proxmox user such as ibac-fence@pve (name@pve or name@pam)");
  if (fence.ipmi) {
    checkIpv4(where, `${at}.ipmi.address`, fence.ipmi.address);
    checkPattern(where, `${at}.ipmi.user`, fence.ipmi.user, IPMI_USER, "an IPMI user name of at most 16 letters, digits, dots, hyphens or underscores");
  }
}

/** The cluster, its fencing and the DRBD resource's name and device, checked before they reach the CIB. */
export function validateReplicatedCluster(text: CibText, drbd: { name: string; device: string }, cluster: ReplicatedClusterPlan): void {
  const where = text.where;
  checkClusterPeers(where, cluster);
  if (!Array.isArray(cluster.fencing) || cluster.fencing.length !== 2) refuse(where, "cluster.fencing", "a fence plan for each of the two VMs", cluster.fencing);
  cluster.fencing.forEach((f, i) => checkFence(text, f, i, cluster.peers));
  if (cluster.fencing[0].target === cluster.fencing[1].target) refuse(where, "cluster.fencing[1].target", "the VM other than cluster.fencing[0].target", cluster.fencing[1].target);
  checkInteger(where, "cluster.fenceDelayMaxSeconds", cluster.fenceDelayMaxSeconds, 1, 60);
  checkPattern(where, "drbd.name", drbd.name, DRBD_NAME, "a DRBD resource name such as ibac-s3");
  checkPattern(where, "drbd.device", drbd.device, /^\/dev\/drbd[0-9]{1,7}$/, "a DRBD device such as /dev/drbd0");
}

// Pacemaker ids: the renderer derives the ids of sets and operations from them.
const RESOURCE_ID = /^[a-z][a-z0-9-]{0,47}$/;
// A systemd service name without `.service`: what Pacemaker's systemd class takes.
const UNIT = /^[a-z][a-z0-9_.@-]{0,63}$/;
const DURATION = /^[1-9][0-9]{0,3}s$/;

function checkMember(text: CibText, member: GroupMember, index: number, peers: readonly ReplicatedPeer[]): void {
  const where = text.where;
  const at = `members[${index}]`;
  checkPattern(where, `${at}.id`, member.id, RESOURCE_ID, "a resource id such as backup-fs (a lower-case letter, then letters, digits or hyphens)");
  switch (member.kind) {
    case "filesystem":
      checkPattern(where, `${at}.directory`, member.directory, ABSOLUTE_PATH, "an absolute path such as /srv/minio (no spaces, quotes or dot segments)");
      if (member.fileSystem !== "ext4") refuse(where, `${at}.fileSystem`, '"ext4"', member.fileSystem);
      return;
    case "address":
      checkIpv4(where, `${at}.address`, member.address);
      checkInteger(where, `${at}.prefix`, member.prefix, 8, 30);
      if (peers.some((p) => p.serviceAddress === member.address)) refuse(where, `${at}.address`, "an address neither VM has as its own", member.address);
      return;
    case "systemd":
      checkPattern(where, `${at}.unit`, member.unit, UNIT, "a systemd service name without .service, such as bacula-sd");
      for (const key of ["monitorInterval", "monitorTimeout", "startTimeout", "stopTimeout"] as const) {
        checkPattern(where, `${at}.${key}`, member[key], DURATION, "a duration in seconds such as 30s");
      }
      return;
    default: {
      const unknown: never = member;
      refuse(where, `${at}.kind`, '"filesystem", "address" or "systemd"', (unknown as { kind: unknown }).kind);
    }
  }
}

/** Everything the CIB takes from the plan: the cluster, the ids and the group's members. */
export function validateReplicatedCib(text: CibText, plan: ReplicatedCibPlan): void {
  validateReplicatedCluster(text, plan.drbd, plan.cluster);
  const where = text.where;
  for (const key of ["drbdPrimitive", "drbdClone", "group"] as const) checkPattern(where, `ids.${key}`, plan.ids[key], RESOURCE_ID, "a resource id such as backup-drbd");
  if (!Array.isArray(plan.members) || plan.members.length === 0) refuse(where, "members", "at least one group member", plan.members);
  plan.members.forEach((m, i) => checkMember(text, m, i, plan.cluster.peers));
  const ids = [plan.ids.drbdPrimitive, plan.ids.drbdClone, plan.ids.group, ...plan.members.map((m) => m.id)];
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) refuse(where, "members", "resource ids used once each", twice);
}

function fenceDevices(x: Writer, cluster: ReplicatedClusterPlan): string[] {
  // The random delay sits on the devices that fence the first VM only: when both try to fence each other, the
  // first VM's fencing waits up to the delay, the second's does not, so the first VM wins the race.
  const delayed = cluster.fencing[0].target;
  return cluster.fencing.flatMap((fence) => {
    const delay: Attributes = fence.target === delayed ? { pcmk_delay_max: `${cluster.fenceDelayMaxSeconds}s` } : {};
    const target: Attributes = { pcmk_host_list: fence.target, pcmk_host_check: "static-list" };
    const monitor: Op[] = [{ name: "monitor", interval: "60s", timeout: "30s" }];
    const devices = [x.primitive({
      id: pveFenceDeviceId(fence.target), class: "stonith", type: "fence_pve",
      // fence_pve 4.12's own names: username (login is deprecated), plug is the VM id, pve_node the node that runs it.
      params: { ...target, ip: fence.pve.address, username: fence.pve.user, password_script: PVE_PASSWORD_SCRIPT, plug: String(fence.pve.vmId), pve_node: fence.pve.proxmoxNode, vmtype: "qemu", ...delay },
      ops: monitor,
    }, "      ")];
    if (fence.ipmi) {
      devices.push(x.primitive({
        id: ipmiFenceDeviceId(fence.target), class: "stonith", type: "fence_ipmilan",
        params: { ...target, ip: fence.ipmi.address, username: fence.ipmi.user, password_script: ipmiPasswordScript(fence.pve.proxmoxNode), lanplus: "1", ...delay },
        ops: monitor,
      }, "      "));
    }
    return devices;
  });
}

function drbdClone(x: Writer, plan: ReplicatedCibPlan): string {
  const drbd = x.primitive({
    id: plan.ids.drbdPrimitive, class: "ocf", provider: "linbit", type: "drbd",
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
  const meta = x.nvset("meta_attributes", `${plan.ids.drbdClone}-meta_attributes`, {
    promotable: "true", "promoted-max": "1", "promoted-node-max": "1", "clone-max": "2", "clone-node-max": "1", notify: "true", priority: "10",
  }, "        ");
  return `      <clone ${x.attrs({ id: plan.ids.drbdClone })}>\n${meta}\n${drbd}\n      </clone>`;
}

function memberPrimitive(x: Writer, plan: ReplicatedCibPlan, member: GroupMember): string {
  switch (member.kind) {
    case "filesystem":
      return x.primitive({
        id: member.id, class: "ocf", provider: "heartbeat", type: "Filesystem",
        params: { device: plan.drbd.device, directory: member.directory, fstype: member.fileSystem, options: "noatime" },
        ops: [{ name: "monitor", interval: "20s", timeout: "40s" }, { name: "start", interval: "0s", timeout: "60s" }, { name: "stop", interval: "0s", timeout: "60s" }],
      }, "        ");
    case "address":
      // No nic: IPaddr2 finds the interface whose route covers the address, the service NIC, whatever its name.
      return x.primitive({
        id: member.id, class: "ocf", provider: "heartbeat", type: "IPaddr2",
        params: { ip: member.address, cidr_netmask: String(member.prefix) },
        ops: [{ name: "monitor", interval: "10s", timeout: "20s" }],
      }, "        ");
    case "systemd":
      // Loaded, never enabled: Pacemaker alone starts and stops the unit.
      return x.primitive({
        id: member.id, class: "systemd", type: member.unit,
        ops: [{ name: "monitor", interval: member.monitorInterval, timeout: member.monitorTimeout }, { name: "start", interval: "0s", timeout: member.startTimeout }, { name: "stop", interval: "0s", timeout: member.stopTimeout }],
      }, "        ");
  }
}

function serviceGroup(x: Writer, plan: ReplicatedCibPlan): string {
  const members = plan.members.map((m) => memberPrimitive(x, plan, m));
  return `      <group ${x.attrs({ id: plan.ids.group })}>\n${members.join("\n")}\n      </group>`;
}

function constraints(x: Writer, plan: ReplicatedCibPlan): string {
  const { cluster, ids } = plan;
  const devices = cluster.fencing.flatMap((f) => [pveFenceDeviceId(f.target), ...(f.ipmi ? [ipmiFenceDeviceId(f.target)] : [])].map((id) => ({ id, target: f.target })));
  // A node never runs the device that fences itself: a node that must be fenced cannot be trusted to do it.
  const locations = devices.map(({ id, target }) => `    <rsc_location ${x.attrs({ id: `location-${id}-avoids-${target}`, rsc: id, node: target, score: "-INFINITY" })}/>`);
  return [
    "    <constraints>",
    ...locations.map((l) => `  ${l}`),
    `      <rsc_colocation ${x.attrs({ id: `colocation-${ids.group}-with-promoted`, rsc: ids.group, "with-rsc": ids.drbdClone, "with-rsc-role": "Promoted", score: "INFINITY" })}/>`,
    `      <rsc_order ${x.attrs({ id: `order-promote-then-${ids.group}`, first: ids.drbdClone, "first-action": "promote", then: ids.group, "then-action": "start", kind: "Mandatory" })}/>`,
    "    </constraints>",
  ].join("\n");
}

function fencingTopology(x: Writer, cluster: ReplicatedClusterPlan): string {
  const levels = cluster.fencing.flatMap((f) => [
    `      <fencing-level ${x.attrs({ id: `fencing-${f.target}-1`, target: f.target, index: "1", devices: pveFenceDeviceId(f.target) })}/>`,
    ...(f.ipmi ? [`      <fencing-level ${x.attrs({ id: `fencing-${f.target}-2`, target: f.target, index: "2", devices: ipmiFenceDeviceId(f.target) })}/>`] : []),
  ]);
  return `    <fencing-topology>\n${levels.join("\n")}\n    </fencing-topology>`;
}

/**
 * A replicated volume's CIB: fencing first (fence_pve per VM, fence_ipmilan as the second level), the promotable
 * DRBD clone, and the service group (the members in start order) that runs only where DRBD is Promoted and
 * starts only after the promotion. Pure. The document holds the configuration only: no status section and no
 * have-quorum, which the cluster itself writes (the tests add them where crm_verify and crm_simulate need them).
 * The delivery replaces the cluster's configuration section with this one (`cibadmin --replace --scope
 * configuration`), so the epochs here only satisfy the schema; the cluster numbers its own updates.
 */
export function renderReplicatedCib(plan: ReplicatedCibPlan, text: CibText, options: CibOptions = {}): string {
  const release = options.release ?? "bookworm";
  if (!(release in CIB_SCHEMA)) refuse(text.where, "release", '"bookworm" or "trixie"', release);
  validateReplicatedCib(text, plan);
  const x = xmlWriter(text.where);
  const { cluster } = plan;
  const properties = x.nvset("cluster_property_set", "cib-bootstrap-options", {
    "stonith-enabled": "true",
    // stop, not freeze: the half without quorum stops its service, so it releases the address and demotes
    // DRBD on its own while the quorate half fences it; freeze would keep a cut-off service answering.
    "no-quorum-policy": "stop",
    // Only bites without a QDevice (two_node, both halves quorate): the node holding the Promoted instance
    // (priority 10) gets this head start, twice the random delay so the two do not blur into each other.
    "priority-fencing-delay": `${2 * cluster.fenceDelayMaxSeconds}s`,
    // A fence may first wait both delays; the 60 s Pacemaker allows by default is then left to the agent itself.
    "stonith-timeout": `${3 * cluster.fenceDelayMaxSeconds + 60}s`,
    "cluster-name": cluster.name,
  }, "      ");
  const nodes = [...cluster.peers].sort((a, b) => a.nodeId - b.nodeId)
    .map((p) => `      <node ${x.attrs({ id: String(p.nodeId), uname: p.vm })}/>`);
  // A returning node does not pull the service back: a move costs an outage, staying costs nothing.
  const defaults = x.nvset("meta_attributes", "rsc-defaults-options", { "resource-stickiness": "100" }, "      ");
  return `<cib ${x.attrs({ "validate-with": CIB_SCHEMA[release], admin_epoch: "0", epoch: "1", num_updates: "0" })}>
  <configuration>
    <crm_config>
${properties}
    </crm_config>
    <nodes>
${nodes.join("\n")}
    </nodes>
    <resources>
${[...fenceDevices(x, cluster), drbdClone(x, plan), serviceGroup(x, plan)].join("\n")}
    </resources>
${constraints(x, plan)}
${fencingTopology(x, cluster)}
    <rsc_defaults>
${defaults}
    </rsc_defaults>
  </configuration>
</cib>
`;
}
