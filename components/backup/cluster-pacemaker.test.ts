import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { childrenNamed, descendants, parseXml } from "../replicated-volume/cib-xml";
import { stackSpec } from "../../test/fixtures/specs";
import { withNodesOnline } from "../../test/support/cib-status";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { actionsWhere, parseTransitionGraph, runnableWithout, theAction, waitsFor, type TransitionGraph } from "../../test/support/transition-graph";
import { BACKUP_CIB_IDS, deriveBackupClusterPlan } from "./cluster-plan";
import { backupClusterTextFiles } from "./cluster-files";

// What the rendered backup CIB makes Pacemaker decide, shown with bookworm's Pacemaker 2.1.5 scheduler through
// crm_simulate (a simulation of the scheduler, not a live cluster), as the object store's decisions are shown
// in test/integration/storage-pacemaker-decisions.test.ts: both VMs online with DRBD UpToDate (the promotion score
// the agent sets), settled, then one event.
//
// Left unproven here: a live corosync + Pacemaker pair of backup VMs, the agents' own start/stop/promote, real
// fence agents, and DRBD itself under the backup volume (the object store's qemu proof runs the same renderers'
// resource file on real DRBD 8.4; the backup volume's is the same text with its own name, port and peers).

const SPEC = stackSpec("prod");
const PLAN = (() => {
  const { model } = buildModel(SPEC);
  if (!model) throw new Error("prod has no model");
  return deriveBackupClusterPlan(SPEC, model);
})();
const [FIRST, SECOND] = PLAN.cluster.peers.map((p) => p.vm);
const IDS = BACKUP_CIB_IDS;
/** The group in start order: the volume, the address, the storage daemon, the director. */
const SERVICE = [IDS.fileSystem, IDS.address, IDS.storageDaemon, IDS.director];

describe("crm_simulate on the rendered backup CIB (a simulation, not a live cluster)", () => {
  let crmSimulate: string;
  let crmMon: string;
  let dir: string;
  let settled: string;
  let count = 0;

  function simulate(input: string, events: readonly string[]): { graph: TransitionGraph; after: string } {
    const n = count++;
    const graphFile = path.join(dir, `graph-${n}.xml`);
    const after = path.join(dir, `after-${n}.xml`);
    const result = runTool(crmSimulate, ["--xml-file", input, "--simulate", ...events, "--save-graph", graphFile, "--save-output", after]);
    expect(result.status, describeRun(result)).toBe(0);
    return { graph: parseTransitionGraph(fs.readFileSync(graphFile, "utf8")), after };
  }

  /** Where each resource runs in `file`, as crm_mon reports it (CIB_file: no cluster is contacted). */
  function nodesWith(file: string, id: string, role: string): string[] {
    const result = runTool(crmMon, ["--one-shot", "--output-as=xml"], { env: { ...process.env, CIB_file: file } });
    expect(result.status, describeRun(result)).toBe(0);
    const resources = childrenNamed(parseXml(result.stdout), "resources")[0];
    return descendants(resources, "resource").filter((r) => r.attributes.id === id && r.attributes.role === role)
      .flatMap((r) => childrenNamed(r, "node").map((n) => n.attributes.name)).sort();
  }

  beforeAll(() => {
    crmSimulate = requireTool("crm_simulate", "pacemaker-cli-utils");
    crmMon = requireTool("crm_mon", "pacemaker-cli-utils");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-bkp-pacemaker-"));
    const cib = backupClusterTextFiles(PLAN, 12, FIRST).cib;
    const start = path.join(dir, "online.xml");
    fs.writeFileSync(start, withNodesOnline(cib, PLAN.cluster.peers.map((p) => ({ id: p.nodeId, uname: p.vm, promotionScore: 10000 })), IDS.drbdPrimitive));
    settled = simulate(start, []).after;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("settles with one Promoted side running the volume, the address, bacula-sd and bacula-director, and stays so", () => {
    expect(nodesWith(settled, IDS.drbdPrimitive, "Promoted")).toEqual([FIRST]);
    expect(nodesWith(settled, IDS.drbdPrimitive, "Unpromoted")).toEqual([SECOND]);
    for (const id of SERVICE) expect(nodesWith(settled, id, "Started"), id).toEqual([FIRST]);
    expect(simulate(settled, []).graph.actions.size).toBe(0);
  });

  describe("the Promoted backup VM is lost", () => {
    let graph: TransitionGraph;
    let after: string;
    beforeAll(() => ({ graph, after } = simulate(settled, ["--node-fail", FIRST])));

    it("it is fenced, then the survivor is promoted, then the file system, the address, bacula-sd and bacula-director start there, in that order", () => {
      const fence = theAction(graph, { kind: "crm_event", operation: "stonith", node: FIRST });
      const promote = theAction(graph, { kind: "rsc_op", operation: "promote", resource: IDS.drbdPrimitive });
      const starts = SERVICE.map((id) => theAction(graph, { kind: "rsc_op", operation: "start", resource: id }));
      expect([promote, ...starts].map((a) => a.node)).toEqual([SECOND, SECOND, SECOND, SECOND, SECOND]);
      expect(waitsFor(graph, promote, fence)).toBe(true);
      expect(waitsFor(graph, starts[0], promote)).toBe(true);
      for (let i = 1; i < starts.length; i++) expect(waitsFor(graph, starts[i], starts[i - 1]), SERVICE[i]).toBe(true);
      expect(waitsFor(graph, fence, promote) || waitsFor(graph, starts[0], starts[3])).toBe(false);
    });

    it("while the fence does not complete, nothing moves: no promotion and no start may run without it", () => {
      const fence = theAction(graph, { kind: "crm_event", operation: "stonith", node: FIRST });
      const free = runnableWithout(graph, fence);
      expect(free.filter((a) => a.operation === "promote" || a.operation === "start")).toEqual([]);
    });

    it("nothing is asked of the lost VM; afterwards the survivor is Promoted and runs the whole group", () => {
      expect(actionsWhere(graph, { kind: "rsc_op", node: FIRST })).toEqual([]);
      expect(nodesWith(after, IDS.drbdPrimitive, "Promoted")).toEqual([SECOND]);
      for (const id of SERVICE) expect(nodesWith(after, id, "Started"), id).toEqual([SECOND]);
    });
  });

  it("losing the Unpromoted VM fences it and leaves the director where it is", () => {
    const { graph, after } = simulate(settled, ["--node-fail", SECOND]);
    theAction(graph, { kind: "crm_event", operation: "stonith", node: SECOND });
    expect(actionsWhere(graph, { kind: "rsc_op", operation: "promote" })).toEqual([]);
    expect(actionsWhere(graph, { kind: "rsc_op", operation: "start" })).toEqual([]);
    for (const id of SERVICE) expect(nodesWith(after, id, "Started"), id).toEqual([FIRST]);
  });

  it("the survivor without quorum fences nothing, promotes nothing and starts nothing", () => {
    const { graph } = simulate(settled, ["--node-fail", FIRST, "--quorum", "0"]);
    expect(actionsWhere(graph, { kind: "crm_event" })).toEqual([]);
    expect(actionsWhere(graph, { operation: "promote" })).toEqual([]);
    expect(actionsWhere(graph, { kind: "rsc_op", operation: "start" })).toEqual([]);
  });

  it("mutant: without the order after promote, the file system may start before the promotion (the test can fail)", () => {
    const cib = backupClusterTextFiles(PLAN, 12, FIRST).cib.replace(/\n\s*<rsc_order [^\n]*\/>/, "");
    const start = path.join(dir, "no-order.xml");
    fs.writeFileSync(start, withNodesOnline(cib, PLAN.cluster.peers.map((p) => ({ id: p.nodeId, uname: p.vm, promotionScore: 10000 })), IDS.drbdPrimitive));
    const { graph } = simulate(start, []);
    const promote = theAction(graph, { kind: "rsc_op", operation: "promote", resource: IDS.drbdPrimitive });
    const fsStart = theAction(graph, { kind: "rsc_op", operation: "start", resource: IDS.fileSystem });
    expect(waitsFor(graph, fsStart, promote)).toBe(false);
  });
});
