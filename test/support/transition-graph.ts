import { childrenNamed, parseXml } from "../../components/storage/cib-xml";

// crm_simulate's transition graph (-G FILE): synapses, each one action and the actions it waits for. A test
// asserts order from it: an action runs only after every action in its inputs has completed.

export interface GraphAction {
  id: string;
  /** rsc_op (a resource agent call), crm_event (fencing), pseudo_event (bookkeeping). */
  kind: string;
  operation: string;
  /** The resource's id without its clone instance (storage-drbd, not storage-drbd:1), or the fence target's event key. */
  resource: string;
  node?: string;
}

export interface TransitionGraph {
  actions: Map<string, GraphAction>;
  /** For each action id, the ids it waits for directly. */
  inputs: Map<string, Set<string>>;
}

function actionOf(e: { name: string; attributes: Readonly<Record<string, string>> }): GraphAction {
  const a = e.attributes;
  // operation_key is RESOURCE_OPERATION_INTERVAL; the resource id may itself contain underscores.
  const key = a.operation_key ?? "";
  const suffix = new RegExp(`_${a.operation}_[0-9]+$`);
  return {
    id: a.id,
    kind: e.name,
    operation: a.operation,
    resource: e.name === "crm_event" ? key : key.replace(suffix, "").replace(/:[0-9]+$/, ""),
    ...(a.on_node !== undefined ? { node: a.on_node } : {}),
  };
}

export function parseTransitionGraph(xml: string): TransitionGraph {
  const root = parseXml(xml);
  if (root.name !== "transition_graph") throw new Error(`not a transition graph: <${root.name}>`);
  const actions = new Map<string, GraphAction>();
  const inputs = new Map<string, Set<string>>();
  for (const synapse of childrenNamed(root, "synapse")) {
    const [set] = childrenNamed(synapse, "action_set");
    for (const e of set.children) {
      const action = actionOf(e);
      actions.set(action.id, action);
      const waits = inputs.get(action.id) ?? new Set<string>();
      for (const inputSet of childrenNamed(synapse, "inputs")) {
        for (const trigger of childrenNamed(inputSet, "trigger")) for (const t of trigger.children) waits.add(t.attributes.id);
      }
      inputs.set(action.id, waits);
    }
  }
  return { actions, inputs };
}

/** The actions matching `where`; throws unless there is exactly one. */
export function theAction(graph: TransitionGraph, where: Partial<GraphAction>): GraphAction {
  const found = [...graph.actions.values()].filter((a) => Object.entries(where).every(([k, v]) => a[k as keyof GraphAction] === v));
  if (found.length !== 1) throw new Error(`expected one action ${JSON.stringify(where)}, found ${found.length}: ${JSON.stringify(found)}`);
  return found[0];
}

export function actionsWhere(graph: TransitionGraph, where: Partial<GraphAction>): GraphAction[] {
  return [...graph.actions.values()].filter((a) => Object.entries(where).every(([k, v]) => a[k as keyof GraphAction] === v));
}

/** Whether `later` waits, directly or through other actions, for `earlier`. */
export function waitsFor(graph: TransitionGraph, later: GraphAction, earlier: GraphAction): boolean {
  const seen = new Set<string>();
  const queue = [...(graph.inputs.get(later.id) ?? [])];
  while (queue.length) {
    const id = queue.pop() as string;
    if (id === earlier.id) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(graph.inputs.get(id) ?? []));
  }
  return false;
}

/** The actions that can still run if `blocked` never completes (a fence that fails): those not waiting for it. */
export function runnableWithout(graph: TransitionGraph, blocked: GraphAction): GraphAction[] {
  return [...graph.actions.values()].filter((a) => a.id !== blocked.id && !waitsFor(graph, a, blocked));
}
