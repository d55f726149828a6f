import { describe, expect, it } from "vitest";
import { fenceHandlerPin, leftoverMoveConstraints, parseCrmMon } from "./crm-mon";
import { readXml } from "./xml-reader";
import { crmMonSample } from "../../test/support/crm-mon-samples";

// The XML comes from the real crm_mon of pacemaker-cli-utils (bookworm: Pacemaker 2.1.5), run against a CIB
// file that crm_simulate brought to each state: the format is Pacemaker's own, not written by hand.
describe("parseCrmMon (real crm_mon --output-as=xml, Pacemaker 2.1)", () => {
  it("healthy: quorate, both online, s3-1 Promoted with the service, nothing failed", () => {
    const view = parseCrmMon(crmMonSample("healthy").crmMon, "s3-1: crm_mon");
    expect(view).toMatchObject({ quorate: true, dc: "s3-1", maintenanceMode: false, promoted: ["s3-1"], unpromoted: ["s3-2"], serviceOn: "s3-1", failures: [] });
    expect(view.nodes.map((n) => [n.name, n.online])).toEqual([["s3-1", true], ["s3-2", true]]);
    expect(view.serviceMembers.map((m) => [m.id, m.nodes])).toEqual([["storage-fs", ["s3-1"]], ["storage-ip", ["s3-1"]], ["storage-minio", ["s3-1"]], ["storage-haproxy", ["s3-1"]]]);
    // Offline, crm_mon has no fencer to ask: the history is absent, not empty.
    expect(view.fencing).toBeUndefined();
  });

  it("after crm_resource --move --promoted: s3-2 Promoted with the service", () => {
    expect(parseCrmMon(crmMonSample("moved-to-s3-2").crmMon, "x")).toMatchObject({ promoted: ["s3-2"], unpromoted: ["s3-1"], serviceOn: "s3-2" });
  });

  it("a failed monitor of MinIO is a failed action with its operation, node and exit code", () => {
    expect(parseCrmMon(crmMonSample("minio-monitor-failed").crmMon, "x").failures).toEqual([{ operation: "storage-minio_monitor_30000", node: "s3-1", exitCode: 7, status: "not running" }]);
  });

  it("s3-2 offline: s3-1 serves alone", () => {
    const view = parseCrmMon(crmMonSample("s3-2-offline").crmMon, "x");
    expect(view.nodes.find((n) => n.name === "s3-2")?.online).toBe(false);
    expect(view).toMatchObject({ promoted: ["s3-1"], serviceOn: "s3-1" });
  });

  it("no quorum", () => {
    expect(parseCrmMon(crmMonSample("no-quorum").crmMon, "x").quorate).toBe(false);
  });

  it("nothing promoted: the service group runs nowhere", () => {
    const view = parseCrmMon(crmMonSample("nothing-promoted").crmMon, "x");
    expect(view.promoted).toEqual([]);
    expect(view.serviceOn).toBeUndefined();
    expect(view.serviceMembers.every((m) => m.nodes.length === 0)).toBe(true);
  });

  it("reads a fencing history when crm_mon prints one (fence_event as in Pacemaker's fence-event-2.15.rng)", () => {
    const withHistory = crmMonSample("healthy").crmMon.replace("</pacemaker-result>", '<fence_history status="0"><fence_event action="reboot" target="s3-2" client="pacemaker-controld.1" origin="s3-1" status="success" completed="2026-12-01 20:59:01Z"/><fence_event action="off" target="s3-1" client="x" origin="s3-2" status="failed"/></fence_history></pacemaker-result>');
    expect(parseCrmMon(withHistory, "x").fencing).toEqual([
      { action: "reboot", target: "s3-2", status: "success", completed: "2026-12-01 20:59:01Z" },
      { action: "off", target: "s3-1", status: "failed" },
    ]);
  });

  it.each([
    ["a node name with a shell in it", (t: string) => t.replace('<node name="s3-2" id="2" online', '<node name="s3-2;reboot" id="2" online'), 's3-1: crm_mon: nodes: expected a node name such as s3-1, found "s3-2;reboot"'],
    ["an error status", (t: string) => t.replace('<status code="0" message="OK"/>', '<status code="102" message="Not connected"/>'), 's3-1: crm_mon: crm_mon answered with status "102": the cluster\'s state could not be read (is Pacemaker running?)'],
    ["not crm_mon's XML", () => "<cib/>", "s3-1: crm_mon: expected crm_mon's <pacemaker-result>, found <cib>"],
  ])("refuses %s", (_, mutate, message) => {
    expect(() => parseCrmMon(mutate(crmMonSample("healthy").crmMon), "s3-1: crm_mon")).toThrowError(message);
  });
});

describe("leftoverMoveConstraints (cibadmin --query --scope constraints)", () => {
  it("finds the cli-prefer constraint crm_resource --move leaves, and nothing in a clean CIB", () => {
    expect(leftoverMoveConstraints(crmMonSample("moved-to-s3-2").constraints, "x")).toEqual(["cli-prefer-storage-drbd-clone"]);
    expect(leftoverMoveConstraints(crmMonSample("healthy").constraints, "x")).toEqual([]);
  });
});

describe("fenceHandlerPin (the constraint crm-fence-peer.sh places)", () => {
  // The element crm-fence-peer.sh of drbd-utils writes (its template, with the clone's id and the node).
  const placed = (node: string): string => crmMonSample("healthy").constraints.replace("</constraints>", `  <rsc_location rsc="storage-drbd-clone" id="drbd-fence-by-handler-storage-drbd-clone">
    <rule role="Promoted" score="-INFINITY" id="drbd-fence-by-handler-rule-storage-drbd-clone">
      <expression attribute="#uname" operation="ne" value="${node}" id="drbd-fence-by-handler-expr-storage-drbd-clone"/>
    </rule>
  </rsc_location>
</constraints>`);

  it("names the one node allowed to be Promoted", () => {
    expect(fenceHandlerPin(placed("s3-1"), "x")).toEqual({ id: "drbd-fence-by-handler-storage-drbd-clone", onlyOn: "s3-1" });
    expect(fenceHandlerPin(crmMonSample("healthy").constraints, "x")).toBeUndefined();
  });

  it("refuses a node value that is not a node name", () => {
    expect(() => fenceHandlerPin(placed("s3-1 $(id)"), "s3-1: cibadmin")).toThrowError('s3-1: cibadmin: drbd-fence-by-handler-storage-drbd-clone: expected a node name such as s3-1, found "s3-1 $(id)"');
  });
});

describe("readXml (the small reader for Pacemaker's XML)", () => {
  it("reads elements, attributes and entities, skipping the declaration, comments and text", () => {
    const root = readXml('<?xml version="1.0"?>\n<!-- c --><a x="1 &lt; 2" y=\'&#x41;\'>text<b/><c z="&quot;"></c></a>', "x");
    expect(root).toEqual({ name: "a", attributes: { x: "1 < 2", y: "A" }, children: [{ name: "b", attributes: {}, children: [] }, { name: "c", attributes: { z: '"' }, children: [] }] });
  });

  it.each([
    ["a document type with entity definitions (never expanded)", '<!DOCTYPE a [<!ENTITY e "x">]><a/>', "x: expected XML, found a misplaced or unsupported DOCTYPE at offset 0"],
    ["a tag closed twice", "<a></a></a>", "x: expected XML, found </a> does not close anything at offset 7"],
    ["an element never closed", "<a>\n<b>", "x: expected XML, found <b> is never closed"],
    ["an unknown entity", '<a x="&bomb;"/>', "x: expected XML, found unknown entity &bomb; at offset 0"],
    ["the same attribute twice", '<a x="1" x="2"/>', "x: expected XML, found attribute x twice on <a> at offset 0"],
    ["two roots", "<a/><b/>", "x: expected XML, found a second root element <b> at offset 4"],
  ])("refuses %s", (_, text, message) => {
    expect(() => readXml(text, "x")).toThrowError(message);
  });
});
