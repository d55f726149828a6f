import { describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { cibFacts, devicesThatMayFenceTheirOwnNode, fencingLevelsFor, fencingLevelsNamingUnknownDevices } from "./cib-facts";
import { parseXml } from "./cib-xml";
import { renderCib } from "./render-cib";

const { model } = buildModel(stackSpec("prod"));
if (!model) throw new Error("prod has no model");
const RENDERED = renderCib(model.objectStore);

/** The rendered CIB with one exact piece of text replaced; fails if the piece is not there. */
function mutate(from: string | RegExp, to: string): string {
  const changed = RENDERED.replace(from, to);
  if (changed === RENDERED) throw new Error(`the rendered CIB has no ${String(from)}`);
  return changed;
}

describe("cibFacts: what a policy reads from the rendered prod CIB", () => {
  const facts = cibFacts(RENDERED);

  it("fencing on, the quorum policy, the fence-race headstart and the nodes", () => {
    expect([facts.stonithEnabled, facts.noQuorumPolicy, facts.priorityFencingDelay, facts.nodes]).toEqual([true, "stop", "30s", ["s3-1", "s3-2"]]);
  });

  it("two levels per VM, the Proxmox API first", () => {
    expect(fencingLevelsFor(facts, "s3-1")).toEqual([["fence-pve-s3-1"], ["fence-ipmi-s3-1"]]);
    expect(fencingLevelsFor(facts, "s3-2")).toEqual([["fence-pve-s3-2"], ["fence-ipmi-s3-2"]]);
    expect(fencingLevelsNamingUnknownDevices(facts)).toEqual([]);
  });

  it("no device may run on the node it fences, and none holds a password", () => {
    expect(devicesThatMayFenceTheirOwnNode(facts)).toEqual([]);
    expect(facts.fenceDevices.filter((d) => d.inlinePassword)).toEqual([]);
  });

  it("the service follows the Promoted DRBD role", () => {
    expect([facts.promotableAgent, facts.serviceMembers, facts.serviceColocatedWithPromoted, facts.serviceOrderedAfterPromote])
      .toEqual(["ocf:linbit:drbd", ["storage-fs", "storage-ip", "storage-minio", "storage-haproxy"], true, true]);
  });
});

describe("cibFacts: mutants of the rendered CIB", () => {
  it.each([
    ["stonith-enabled false", 'value="false"'],
    ["stonith-enabled no", 'value="no"'],
    ["stonith-enabled 0", 'value="0"'],
  ])("%s: fencing off", (_what, value) => {
    expect(cibFacts(mutate('name="stonith-enabled" value="true"', `name="stonith-enabled" ${value}`)).stonithEnabled).toBe(false);
  });

  it("stonith-enabled unset reads as Pacemaker's default, on", () => {
    expect(cibFacts(mutate(/\n\s*<nvpair [^\n]*name="stonith-enabled"[^\n]*\/>/, "")).stonithEnabled).toBe(true);
  });

  it("a password in the CIB is seen", () => {
    const facts = cibFacts(mutate('name="password_script" value="/etc/ibac/fence/pve-password"', 'name="password" value="hunter2"'));
    expect(facts.fenceDevices.filter((d) => d.inlinePassword).map((d) => d.id)).toEqual(["fence-pve-s3-1"]);
  });

  it("a device allowed on the node it fences is seen", () => {
    expect(devicesThatMayFenceTheirOwnNode(cibFacts(mutate(/\n\s*<rsc_location id="location-fence-pve-s3-2-avoids-s3-2"[^\n]*\/>/, "")))).toEqual(["fence-pve-s3-2"]);
  });

  it("the deprecated Master role counts as Promoted", () => {
    expect(cibFacts(mutate('with-rsc-role="Promoted"', 'with-rsc-role="Master"')).serviceColocatedWithPromoted).toBe(true);
  });

  it.each([
    ["with the Unpromoted role", 'with-rsc-role="Promoted"', 'with-rsc-role="Unpromoted"'],
    ["without a role (any instance)", ' with-rsc-role="Promoted"', ""],
    ["a finite score (a preference, not a rule)", 'with-rsc-role="Promoted" score="INFINITY"', 'with-rsc-role="Promoted" score="100"'],
  ])("a colocation %s does not count", (_what, from, to) => {
    expect(cibFacts(mutate(from, to)).serviceColocatedWithPromoted).toBe(false);
  });

  it.each([
    ["with then-action left out (it defaults to promote, not start)", ' then-action="start"', ""],
    ["after start instead of promote", 'first-action="promote"', 'first-action="start"'],
    ["that is optional", 'kind="Mandatory"', 'kind="Optional"'],
  ])("an order %s does not count", (_what, from, to) => {
    expect(cibFacts(mutate(from, to)).serviceOrderedAfterPromote).toBe(false);
  });

  it("a clone that is not promotable has no promotable agent", () => {
    expect(cibFacts(mutate('name="promotable" value="true"', 'name="promotable" value="false"')).promotableAgent).toBeUndefined();
  });

  it("refuses a document that is not a CIB", () => {
    expect(() => cibFacts("<transition_graph/>")).toThrow(new Error("CIB: the root element is <transition_graph>, not <cib>"));
  });
});

describe("parseXml: strict about what it reads", () => {
  it("reads attributes and decodes entities", () => {
    expect(parseXml(`<?xml version="1.0"?>\n<!DOCTYPE a SYSTEM "a.dtd">\n<a x="1 &amp; 2" y='&lt;&quot;&#65;&#x42;'><b/><!-- c --><![CDATA[<d>]]></a>`))
      .toEqual({ name: "a", attributes: { x: "1 & 2", y: '<"AB' }, children: [{ name: "b", attributes: {}, children: [] }] });
  });

  it.each([
    ["a mismatched end tag", "<a><b></a></b>", "XML: </a> does not close <b> at offset 6"],
    ["an unclosed element", "<a><b/>", "XML: <a> is never closed"],
    ["two roots", "<a/><b/>", "XML: a second root element <b> at offset 4"],
    ["an unknown entity", '<a x="&nbsp;"/>', "XML: unknown entity &nbsp; at offset 0"],
    ["a bare ampersand", '<a x="a & b"/>', "XML: a bare & at offset 0"],
    ["an attribute given twice", '<a x="1" x="2"/>', "XML: attribute x twice on <a> at offset 0"],
    ["text outside the root", "junk<a/>", "XML: text outside the root element at offset 0"],
    ["a DOCTYPE with an internal subset", '<!DOCTYPE a [<!ENTITY e "x">]><a/>', "XML: a misplaced or unsupported DOCTYPE at offset 0"],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseXml(text)).toThrow(new Error(message));
  });
});
