import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../components/model/build";
import { DRBD_PRIMITIVE_ID } from "../../components/storage/cib-resource-ids";
import { renderCib } from "../../components/storage/render-cib";
import { renderCorosyncConf } from "../../components/storage/render-corosync-conf";
import type { StoragePlan } from "../../components/storage/storage-plan";
import { PROJECT_DIR, stackSpec } from "../fixtures/specs";
import { withNodesOnline } from "../support/cib-status";
import { describeRun, requireTool, runTool, type ToolResult } from "../support/require-tool";
import { parseTransitionGraph, theAction, waitsFor } from "../support/transition-graph";

// The storage cluster's files read by trixie's own corosync 3.1.9 and Pacemaker 3.0.0, in a Debian 13 chroot
// (scripts/build-trixie-validators.sh, cached under out/), for stacks whose VMs run trixie; the other tests run
// bookworm's. Left unproven: a live trixie cluster, as for bookworm.

const PLAN: StoragePlan = (() => {
  const { model } = buildModel(stackSpec("prod"));
  if (!model) throw new Error("prod has no model");
  return model.objectStore;
})();

describe("the storage cluster's files, read by trixie's corosync and Pacemaker (in a chroot)", () => {
  let root: string;
  let work: string;
  let inside: string;
  let chroot: string;
  let count = 0;

  beforeAll(() => {
    chroot = requireTool("chroot", "coreutils");
    requireTool("mmdebstrap", "mmdebstrap");
    const built = runTool("bash", [path.join(PROJECT_DIR, "scripts/build-trixie-validators.sh")], { timeout: 600_000 });
    expect(built.status, describeRun(built)).toBe(0);
    root = built.stdout.trim();
    work = fs.mkdtempSync(path.join(root, "tmp", "ibac-storage-"));
    inside = `/tmp/${path.basename(work)}`;
  }, 620_000);
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Writes `text` into the chroot; returns its path as seen inside. */
  function put(name: string, text: string): string {
    fs.writeFileSync(path.join(work, name), text);
    return `${inside}/${name}`;
  }

  function inChroot(command: string, args: readonly string[]): ToolResult {
    return runTool(chroot, [root, command, ...args]);
  }

  it("trixie's crm_verify (Pacemaker 3.0.0) accepts the trixie rendering in a quorate cluster, with nothing to say at -V", () => {
    const version = inChroot("crm_verify", ["--version"]);
    expect(version.stdout).toMatch(/^Pacemaker 3\.0\./);
    const cib = withNodesOnline(renderCib(PLAN, { release: "trixie" }), PLAN.cluster.peers.map((p) => ({ id: p.nodeId, uname: p.vm, promotionScore: 10000 })), DRBD_PRIMITIVE_ID);
    const result = inChroot("crm_verify", ["--xml-file", put("cib.xml", cib), "-V"]);
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout + result.stderr).toBe("");
  });

  it("mutant: the deprecated Master/Slave role names draw warnings from Pacemaker 3.0.0, and crm_verify exits 78", () => {
    const text = renderCib(PLAN, { release: "trixie" }).replace(/role="Promoted"/g, 'role="Master"').replace(/role="Unpromoted"/g, 'role="Slave"');
    const cib = withNodesOnline(text, PLAN.cluster.peers.map((p) => ({ id: p.nodeId, uname: p.vm, promotionScore: 10000 })), DRBD_PRIMITIVE_ID);
    const result = inChroot("crm_verify", ["--xml-file", put("cib-master.xml", cib), "-V"]);
    expect(result.status, describeRun(result)).toBe(78);
    expect(result.stderr).toContain("Support for the Master role is deprecated");
  });

  it("trixie's crm_simulate: a lost Promoted VM is fenced before the peer is promoted and the service starts there", () => {
    const cib = withNodesOnline(renderCib(PLAN, { release: "trixie" }), PLAN.cluster.peers.map((p) => ({ id: p.nodeId, uname: p.vm, promotionScore: 10000 })), DRBD_PRIMITIVE_ID);
    const settle = inChroot("crm_simulate", ["--xml-file", put("online.xml", cib), "--simulate", "--save-output", `${inside}/settled.xml`]);
    expect(settle.status, describeRun(settle)).toBe(0);
    const [first, second] = PLAN.cluster.peers.map((p) => p.vm);
    const fail = inChroot("crm_simulate", ["--xml-file", `${inside}/settled.xml`, "--simulate", "--node-fail", first, "--save-graph", `${inside}/graph.xml`]);
    expect(fail.status, describeRun(fail)).toBe(0);
    const graph = parseTransitionGraph(fs.readFileSync(path.join(work, "graph.xml"), "utf8"));
    const fence = theAction(graph, { kind: "crm_event", operation: "stonith", node: first });
    const promote = theAction(graph, { kind: "rsc_op", operation: "promote", resource: "storage-drbd" });
    const minioStart = theAction(graph, { kind: "rsc_op", operation: "start", resource: "storage-minio" });
    expect([promote.node, minioStart.node]).toEqual([second, second]);
    expect(waitsFor(graph, promote, fence) && waitsFor(graph, minioStart, promote)).toBe(true);
  });

  it("trixie's corosync -t (3.1.9) accepts corosync.conf on each VM (its storage address local, in a namespace)", () => {
    const ip = requireTool("ip", "iproute2");
    const unshare = requireTool("unshare", "util-linux");
    const keyDir = path.join(work, "etc-corosync");
    fs.mkdirSync(keyDir, { mode: 0o700 });
    const key = runTool(requireTool("corosync-keygen", "corosync"), ["-k", path.join(keyDir, "authkey")]);
    expect(key.status, describeRun(key)).toBe(0);
    expect(inChroot("corosync", ["-v"]).stdout).toContain("version '3.1.9'");
    const conf = put("corosync.conf", renderCorosyncConf(PLAN.cluster));
    for (const peer of PLAN.cluster.peers) {
      const ns = `ibac-corosync13-${process.pid}-${count++}`;
      expect(runTool(ip, ["netns", "add", ns]).status).toBe(0);
      try {
        for (const args of [["link", "set", "lo", "up"], ["addr", "add", `${peer.storageAddress}/32`, "dev", "lo"]]) {
          const r = runTool(ip, ["-n", ns, ...args]);
          expect(r.status, describeRun(r)).toBe(0);
        }
        const result = runTool(ip, ["netns", "exec", ns, unshare, "-m", "-u", "sh", "-c",
          'mount --bind "$1" "$2/etc/corosync" && hostname ibac-corosync-check && exec chroot "$2" corosync -t -c "$3"', "sh", keyDir, root, conf]);
        expect(result.status, describeRun(result)).toBe(0);
      } finally {
        expect(runTool(ip, ["netns", "delete", ns]).status).toBe(0);
      }
    }
  });
});
