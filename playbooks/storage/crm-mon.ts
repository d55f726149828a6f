import { UnsafeStateError } from "../engine/errors";
import { hostNodeName } from "../engine/host-values";
import { DRBD_CLONE_ID, DRBD_PRIMITIVE_ID, SERVICE_GROUP_ID, SERVICE_GROUP_MEMBERS } from "../../components/storage/cib-resource-ids";
import { childNamed, childrenNamed, readXml, type XmlElement } from "./xml-reader";

/** A cluster node as crm_mon sees it. */
export interface ClusterNode {
  name: string;
  online: boolean;
  standby: boolean;
  maintenance: boolean;
  /** Lost without being fenced yet: Pacemaker will fence it before it recovers anything. */
  unclean: boolean;
}

/** A failed resource action (crm_mon's `failures`): it stays until `crm_resource --cleanup`. */
export interface FailedAction {
  /** `storage-minio_monitor_30000`. */
  operation: string;
  node: string;
  exitCode: number;
  /** The OCF result in words (`not running`), when it is one. */
  status?: string;
}

/** One fencing event from crm_mon's fencing history (present when the fencer answered). */
export interface FenceEvent {
  action: string;
  target: string;
  status: "success" | "failed" | "pending";
  completed?: string;
}

/** The storage tier's part of `crm_mon --one-shot --output-as=xml`. */
export interface ClusterView {
  /** The partition that answered has quorum (with the QDevice's vote). */
  quorate: boolean;
  dc?: string;
  maintenanceMode: boolean;
  nodes: ClusterNode[];
  /** Nodes where the DRBD clone's Promoted instance runs (one, in a healthy cluster). */
  promoted: string[];
  /** Nodes where it runs Unpromoted. */
  unpromoted: string[];
  /** Where every member of the service group runs, when they all run on one node. */
  serviceOn?: string;
  /** Each member of the service group: where it runs (a member that runs nowhere is stopped). */
  serviceMembers: { id: string; nodes: string[]; failed: boolean; managed: boolean }[];
  failures: FailedAction[];
  /** Undefined when crm_mon printed no fencing history (the fencer did not answer, or it was not asked). */
  fencing?: FenceEvent[];
}

const OPERATION = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}$/;


const flag = (e: XmlElement, name: string): boolean => e.attributes[name] === "true";

/** Pacemaker 2.1 says Promoted/Unpromoted; 2.0 said Master/Slave. */
function roleOf(e: XmlElement): string | undefined {
  const role = e.attributes.role;
  return role === "Master" ? "Promoted" : role === "Slave" ? "Unpromoted" : role;
}

function runningOn(resource: XmlElement, where: string): string[] {
  return childrenNamed(resource, "node").map((n) => hostNodeName(n.attributes.name, `${where}: node of ${resource.attributes.id ?? "a resource"}`));
}

/**
 * Reads crm_mon's XML (Pacemaker 2.1's `pacemaker-result`, api 2.x; 3.0 writes the same elements): quorum,
 * nodes, where the DRBD clone is Promoted and where the service group runs, failed actions, fencing
 * history. Node names and operation keys are checked before they are used or printed; free text (exit
 * reasons) is left out.
 */
export function parseCrmMon(text: string, where: string): ClusterView {
  const root = readXml(text, where);
  if (root.name !== "pacemaker-result") throw new UnsafeStateError(`${where}: expected crm_mon's <pacemaker-result>, found <${root.name}>`);
  const status = childNamed(root, "status");
  if (status && status.attributes.code !== "0") {
    throw new UnsafeStateError(`${where}: crm_mon answered with status ${JSON.stringify(status.attributes.code ?? "")}: the cluster's state could not be read (is Pacemaker running?)`);
  }
  const summary = childNamed(root, "summary");
  const dc = childNamed(summary, "current_dc");
  const options = childNamed(summary, "cluster_options");
  const nodes = childrenNamed(childNamed(root, "nodes"), "node").map((n) => ({
    name: hostNodeName(n.attributes.name, `${where}: nodes`),
    online: flag(n, "online"),
    standby: flag(n, "standby"),
    maintenance: flag(n, "maintenance"),
    unclean: flag(n, "unclean"),
  }));
  const resources = childNamed(root, "resources");
  const clone = childrenNamed(resources, "clone").find((c) => c.attributes.id === DRBD_CLONE_ID);
  const instances = childrenNamed(clone, "resource").filter((r) => r.attributes.id === DRBD_PRIMITIVE_ID);
  const promoted = instances.filter((r) => roleOf(r) === "Promoted").flatMap((r) => runningOn(r, where));
  const unpromoted = instances.filter((r) => roleOf(r) === "Unpromoted").flatMap((r) => runningOn(r, where));
  const group = childrenNamed(resources, "group").find((g) => g.attributes.id === SERVICE_GROUP_ID);
  const serviceMembers = SERVICE_GROUP_MEMBERS.map((id) => {
    const member = childrenNamed(group, "resource").find((r) => r.attributes.id === id);
    return { id, nodes: member && member.attributes.active === "true" ? runningOn(member, where) : [], failed: member ? flag(member, "failed") : false, managed: member ? member.attributes.managed !== "false" : true };
  });
  const first = serviceMembers[0].nodes;
  const serviceOn = first.length === 1 && serviceMembers.every((m) => m.nodes.length === 1 && m.nodes[0] === first[0]) ? first[0] : undefined;
  const failures = childrenNamed(childNamed(root, "failures"), "failure").map((f) => {
    const operation = f.attributes.op_key ?? "";
    if (!OPERATION.test(operation)) throw new UnsafeStateError(`${where}: failures: expected an operation key such as storage-minio_monitor_30000, found ${JSON.stringify(operation.slice(0, 80))}`);
    const exitCode = Number(f.attributes.exitcode);
    const words = f.attributes.exitstatus;
    return {
      operation,
      node: hostNodeName(f.attributes.node, `${where}: failures`),
      exitCode: Number.isInteger(exitCode) ? exitCode : -1,
      ...(words !== undefined && /^[a-z][a-z ]{0,40}$/.test(words) ? { status: words } : {}),
    };
  });
  const history = childNamed(root, "fence_history");
  const fencing = history
    ? childrenNamed(history, "fence_event").map((e): FenceEvent => {
        const status = e.attributes.status;
        if (status !== "success" && status !== "failed" && status !== "pending") throw new UnsafeStateError(`${where}: fence_history: expected status success, failed or pending, found ${JSON.stringify(status ?? "")}`);
        const action = e.attributes.action ?? "";
        if (!/^[a-z-]{1,20}$/.test(action)) throw new UnsafeStateError(`${where}: fence_history: expected an action such as reboot or off, found ${JSON.stringify(action.slice(0, 40))}`);
        const completed = e.attributes.completed;
        return { action, target: hostNodeName(e.attributes.target, `${where}: fence_history`), status, ...(completed !== undefined && /^[0-9 :TZ.+-]{1,40}$/.test(completed) ? { completed } : {}) };
      })
    : undefined;
  return {
    quorate: dc?.attributes.with_quorum === "true",
    ...(dc && dc.attributes.present === "true" && dc.attributes.name ? { dc: hostNodeName(dc.attributes.name, `${where}: current_dc`) } : {}),
    maintenanceMode: options ? flag(options, "maintenance-mode") : false,
    nodes,
    promoted,
    unpromoted,
    ...(serviceOn ? { serviceOn } : {}),
    serviceMembers,
    failures,
    ...(fencing ? { fencing } : {}),
  };
}

/** The ids of move/ban constraints crm_resource left on the storage resources (`cli-prefer-...`, `cli-ban-...`). */
export function leftoverMoveConstraints(cibConstraintsXml: string, where: string): string[] {
  const root = readXml(cibConstraintsXml, where);
  const all: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === "rsc_location") all.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  const ours = new Set<string>([DRBD_CLONE_ID, SERVICE_GROUP_ID, ...SERVICE_GROUP_MEMBERS]);
  return all
    .filter((c) => /^cli-(prefer|ban)-/.test(c.attributes.id ?? "") && ours.has(c.attributes.rsc ?? ""))
    .map((c) => {
      const id = c.attributes.id ?? "";
      if (!OPERATION.test(id)) throw new UnsafeStateError(`${where}: expected a constraint id, found ${JSON.stringify(id.slice(0, 80))}`);
      return id;
    });
}

/**
 * The constraint DRBD's fence handler (crm-fence-peer.sh, `fencing resource-and-stonith`) places when the
 * peer is lost or outdated: `drbd-fence-by-handler-<clone>`, which forbids the Promoted role on every node
 * but the one that placed it, until crm-unfence-peer.sh removes it after the resync. Undefined when absent.
 */
export function fenceHandlerPin(cibConstraintsXml: string, where: string): { id: string; onlyOn: string } | undefined {
  const root = readXml(cibConstraintsXml, where);
  const id = `drbd-fence-by-handler-${DRBD_CLONE_ID}`;
  const constraint = root.children.find((c) => c.name === "rsc_location" && c.attributes.id === id);
  if (!constraint) return undefined;
  const expression = childNamed(childNamed(constraint, "rule"), "expression");
  return { id, onlyOn: hostNodeName(expression?.attributes.value, `${where}: ${id}`) };
}
