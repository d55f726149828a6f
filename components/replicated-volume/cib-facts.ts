import type { CibResourceIds } from "./plan";
import { childrenNamed, descendants, nvpairs, parseXml, type XmlElement } from "./cib-xml";

// What a policy needs to judge a rendered CIB, read from the text itself (not from the plan that produced it):
// whether fencing is on, which devices fence which VM and from where, the fencing levels, and whether the
// service follows the Promoted DRBD role. Pure; throws on XML that does not parse.

export interface FenceDeviceFact {
  id: string;
  /** The stonith agent, such as fence_pve. */
  agent: string;
  /** pcmk_host_list: the nodes this device fences. */
  targets: string[];
  /** Nodes a -INFINITY location constraint keeps the device off. */
  bannedFrom: string[];
  /** pcmk_delay_max, when set (the fence-race delay). */
  delayMax?: string;
  passwordScript?: string;
  /** A password written into the CIB itself (password or passwd), which every node and `cibadmin -Q` shows. */
  inlinePassword: boolean;
}

export interface FencingLevelFact {
  target: string;
  index: number;
  devices: string[];
}

export interface CibFacts {
  /** stonith-enabled as Pacemaker reads it (unset means true). */
  stonithEnabled: boolean;
  /** no-quorum-policy as Pacemaker reads it (unset means stop). */
  noQuorumPolicy: string;
  priorityFencingDelay?: string;
  /** The node names of the nodes section. */
  nodes: string[];
  fenceDevices: FenceDeviceFact[];
  fencingLevels: FencingLevelFact[];
  /** The agent of the primitive inside the promotable DRBD clone (ocf:linbit:drbd), if the clone is promotable. */
  promotableAgent?: string;
  /** That primitive's drbd_resource: the DRBD resource Pacemaker promotes. */
  drbdResource?: string;
  /** The service group's members, in start order. */
  serviceMembers: string[];
  /** The agent of each of those members (`ocf:heartbeat:Filesystem`, `systemd:bacula-director`), in the same order. */
  serviceMemberAgents: string[];
  /** The service group is colocated (INFINITY) with the Promoted role of the DRBD clone. */
  serviceColocatedWithPromoted: boolean;
  /** The service group starts only after the DRBD clone is promoted (a mandatory order). */
  serviceOrderedAfterPromote: boolean;
}

// Pacemaker's booleans (crm_is_true).
const TRUE = new Set(["true", "on", "yes", "y", "1"]);
const PROMOTED = new Set(["Promoted", "Master"]);

function only(root: XmlElement, name: string): XmlElement | undefined {
  const all = descendants(root, name);
  if (all.length > 1) throw new Error(`CIB: more than one <${name}>`);
  return all[0];
}

function agentOf(p: XmlElement): string {
  const { class: cls, provider, type } = p.attributes;
  return [cls, provider, type].filter((v) => v !== undefined).join(":");
}

function isInfinity(score: string | undefined): boolean {
  return score === "INFINITY" || score === "+INFINITY";
}

/** The facts of a CIB document (the rendered file, or `cibadmin --query` output), for the cluster whose clone and group have these ids. */
export function replicatedCibFacts(xml: string, ids: Pick<CibResourceIds, "drbdClone" | "group">): CibFacts {
  const DRBD_CLONE_ID = ids.drbdClone;
  const SERVICE_GROUP_ID = ids.group;
  const root = parseXml(xml);
  if (root.name !== "cib") throw new Error(`CIB: the root element is <${root.name}>, not <cib>`);
  const configuration = childrenNamed(root, "configuration")[0];
  if (!configuration) throw new Error("CIB: no <configuration>");
  const crmConfig = only(configuration, "crm_config");
  const properties = Object.assign({}, ...(crmConfig ? childrenNamed(crmConfig, "cluster_property_set") : []).map(nvpairs)) as Record<string, string>;
  const constraints = only(configuration, "constraints");
  const locations = constraints ? childrenNamed(constraints, "rsc_location") : [];

  const resources = only(configuration, "resources");
  const primitives = resources ? descendants(resources, "primitive") : [];
  const fenceDevices = primitives.filter((p) => p.attributes.class === "stonith").map((p): FenceDeviceFact => {
    const params = nvpairs(childrenNamed(p, "instance_attributes")[0]);
    const id = p.attributes.id ?? "";
    return {
      id,
      agent: p.attributes.type ?? "",
      targets: (params.pcmk_host_list ?? "").split(/[\s,;]+/).filter(Boolean),
      bannedFrom: locations.filter((l) => l.attributes.rsc === id && l.attributes.score === "-INFINITY" && l.attributes.node).map((l) => l.attributes.node),
      ...(params.pcmk_delay_max !== undefined ? { delayMax: params.pcmk_delay_max } : {}),
      ...(params.password_script !== undefined ? { passwordScript: params.password_script } : {}),
      inlinePassword: params.password !== undefined || params.passwd !== undefined,
    };
  });

  const topology = only(configuration, "fencing-topology");
  const fencingLevels = (topology ? childrenNamed(topology, "fencing-level") : []).map((l) => ({
    target: l.attributes.target ?? "",
    index: Number(l.attributes.index),
    devices: (l.attributes.devices ?? "").split(",").filter(Boolean),
  }));

  const clone = resources ? descendants(resources, "clone").find((c) => c.attributes.id === DRBD_CLONE_ID) : undefined;
  const promotable = clone ? TRUE.has((nvpairs(childrenNamed(clone, "meta_attributes")[0]).promotable ?? "").toLowerCase()) : false;
  const clonePrimitive = clone ? childrenNamed(clone, "primitive")[0] : undefined;
  const group = resources ? descendants(resources, "group").find((g) => g.attributes.id === SERVICE_GROUP_ID) : undefined;

  const colocations = constraints ? childrenNamed(constraints, "rsc_colocation") : [];
  const orders = constraints ? childrenNamed(constraints, "rsc_order") : [];
  const serviceColocatedWithPromoted = colocations.some((c) => c.attributes.rsc === SERVICE_GROUP_ID && c.attributes["with-rsc"] === DRBD_CLONE_ID
    && PROMOTED.has(c.attributes["with-rsc-role"] ?? "") && isInfinity(c.attributes.score));
  const serviceOrderedAfterPromote = orders.some((o) => {
    const a = o.attributes;
    // then-action defaults to first-action, so "promote then <nothing>" would order the group's promote, not its start.
    const thenAction = a["then-action"] ?? a["first-action"] ?? "start";
    const mandatory = (a.kind === undefined || a.kind === "Mandatory") && (a.score === undefined || a.score !== "0");
    return a.first === DRBD_CLONE_ID && a["first-action"] === "promote" && a.then === SERVICE_GROUP_ID && thenAction === "start" && mandatory;
  });

  const nodesSection = only(configuration, "nodes");
  return {
    stonithEnabled: TRUE.has((properties["stonith-enabled"] ?? "true").toLowerCase()),
    noQuorumPolicy: properties["no-quorum-policy"] ?? "stop",
    ...(properties["priority-fencing-delay"] !== undefined ? { priorityFencingDelay: properties["priority-fencing-delay"] } : {}),
    nodes: (nodesSection ? childrenNamed(nodesSection, "node") : []).map((n) => n.attributes.uname ?? ""),
    fenceDevices,
    fencingLevels,
    ...(promotable && clonePrimitive ? { promotableAgent: agentOf(clonePrimitive) } : {}),
    ...(clonePrimitive && nvpairs(childrenNamed(clonePrimitive, "instance_attributes")[0]).drbd_resource !== undefined
      ? { drbdResource: nvpairs(childrenNamed(clonePrimitive, "instance_attributes")[0]).drbd_resource } : {}),
    serviceMembers: group ? childrenNamed(group, "primitive").map((p) => p.attributes.id ?? "") : [],
    serviceMemberAgents: group ? childrenNamed(group, "primitive").map(agentOf) : [],
    serviceColocatedWithPromoted,
    serviceOrderedAfterPromote,
  };
}

/** The ids of the devices that fence `target` at each level, lowest level first. */
export function fencingLevelsFor(facts: CibFacts, target: string): string[][] {
  return facts.fencingLevels.filter((l) => l.target === target).sort((a, b) => a.index - b.index).map((l) => l.devices);
}

/** Fence devices that may run on the node they fence (no -INFINITY location keeps them off it). */
export function devicesThatMayFenceTheirOwnNode(facts: CibFacts): string[] {
  return facts.fenceDevices.filter((d) => d.targets.some((t) => !d.bannedFrom.includes(t))).map((d) => d.id);
}

/** Fencing-level device ids that name no fence device of the CIB (crm_verify does not check this). */
export function fencingLevelsNamingUnknownDevices(facts: CibFacts): string[] {
  const known = new Set(facts.fenceDevices.map((d) => d.id));
  return facts.fencingLevels.flatMap((l) => l.devices).filter((id) => !known.has(id));
}
