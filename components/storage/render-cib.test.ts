import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec, STACKS } from "../../test/fixtures/specs";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import { withNodesOnline } from "../../test/support/cib-status";
import { cibFacts, fencingLevelsNamingUnknownDevices } from "./cib-facts";
import { DRBD_PRIMITIVE_ID } from "./cib-resource-ids";
import { childrenNamed, descendants, nvpairs, parseXml, type XmlElement } from "./cib-xml";
import { renderCib, xmlAttribute } from "./render-cib";
import type { FencePlan, StoragePeer, StoragePlan } from "./storage-plan";

function planOf(stack: string): StoragePlan {
  const { model } = buildModel(stackSpec(stack));
  if (!model) throw new Error(`${stack} has no model`);
  return model.objectStore;
}

const PROD = planOf("prod");

function withFence(index: 0 | 1, change: Partial<FencePlan>): StoragePlan {
  const fencing = [...PROD.cluster.fencing] as [FencePlan, FencePlan];
  fencing[index] = { ...fencing[index], ...change };
  return { ...PROD, cluster: { ...PROD.cluster, fencing } };
}

function withPeer(index: 0 | 1, change: Partial<StoragePeer>): StoragePlan {
  const peers = [...PROD.cluster.peers] as [StoragePeer, StoragePeer];
  peers[index] = { ...peers[index], ...change };
  return { ...PROD, cluster: { ...PROD.cluster, peers } };
}

function primitiveById(root: XmlElement, id: string): XmlElement {
  const found = descendants(root, "primitive").filter((p) => p.attributes.id === id);
  if (found.length !== 1) throw new Error(`expected one primitive ${id}, found ${found.length}`);
  return found[0];
}

function paramsOf(p: XmlElement): Record<string, string> {
  return nvpairs(childrenNamed(p, "instance_attributes")[0]);
}

describe("renderCib: the prod storage cluster", () => {
  const text = renderCib(PROD);
  const root = parseXml(text);
  const facts = cibFacts(text);

  it("turns fencing on, stops the side without quorum, and names the cluster", () => {
    expect(nvpairs(descendants(root, "cluster_property_set")[0])).toEqual({
      "stonith-enabled": "true", "no-quorum-policy": "stop", "priority-fencing-delay": "30s", "stonith-timeout": "105s", "cluster-name": "ibac-s3",
    });
  });

  it("is configuration only: no status section, no have-quorum, no crm_feature_set", () => {
    expect(root.attributes).toEqual({ "validate-with": "pacemaker-3.9", admin_epoch: "0", epoch: "1", num_updates: "0" });
    expect(root.children.map((c) => c.name)).toEqual(["configuration"]);
  });

  it("fences each VM through the Proxmox API of its node, the password from a root-only script", () => {
    expect(paramsOf(primitiveById(root, "fence-pve-s3-1"))).toEqual({
      pcmk_host_list: "s3-1", pcmk_host_check: "static-list", ip: "10.20.0.11", username: "ibac-fence@pve",
      password_script: "/etc/ibac/fence/pve-password", plug: "1200", pve_node: "pve1", vmtype: "qemu", pcmk_delay_max: "15s",
    });
    expect(paramsOf(primitiveById(root, "fence-pve-s3-2"))).toEqual({
      pcmk_host_list: "s3-2", pcmk_host_check: "static-list", ip: "10.20.0.12", username: "ibac-fence@pve",
      password_script: "/etc/ibac/fence/pve-password", plug: "1201", pve_node: "pve2", vmtype: "qemu",
    });
  });

  it("powers off the Proxmox node through its BMC as the second level (IPMI over lanplus)", () => {
    expect(paramsOf(primitiveById(root, "fence-ipmi-s3-1"))).toEqual({
      pcmk_host_list: "s3-1", pcmk_host_check: "static-list", ip: "10.20.8.11", username: "ibacfence",
      password_script: "/etc/ibac/fence/ipmi-password-pve1", lanplus: "1", pcmk_delay_max: "15s",
    });
    expect(paramsOf(primitiveById(root, "fence-ipmi-s3-2"))).toEqual({
      pcmk_host_list: "s3-2", pcmk_host_check: "static-list", ip: "10.20.8.12", username: "ibacfence",
      password_script: "/etc/ibac/fence/ipmi-password-pve2", lanplus: "1",
    });
  });

  it("never writes a password into the CIB", () => {
    expect(text).not.toMatch(/name="(password|passwd)"/);
    expect(facts.fenceDevices.every((d) => !d.inlinePassword && d.passwordScript?.startsWith("/etc/ibac/fence/"))).toBe(true);
  });

  it("puts the fence-race delay on the first VM's devices only", () => {
    expect(facts.fenceDevices.map((d) => [d.id, d.delayMax ?? null])).toEqual([
      ["fence-pve-s3-1", "15s"], ["fence-ipmi-s3-1", "15s"], ["fence-pve-s3-2", null], ["fence-ipmi-s3-2", null],
    ]);
  });

  it("keeps each fence device off the node it fences", () => {
    expect(facts.fenceDevices.map((d) => [d.id, d.targets, d.bannedFrom])).toEqual([
      ["fence-pve-s3-1", ["s3-1"], ["s3-1"]], ["fence-ipmi-s3-1", ["s3-1"], ["s3-1"]],
      ["fence-pve-s3-2", ["s3-2"], ["s3-2"]], ["fence-ipmi-s3-2", ["s3-2"], ["s3-2"]],
    ]);
  });

  it("tries the Proxmox API first and the BMC second for each VM", () => {
    expect(facts.fencingLevels).toEqual([
      { target: "s3-1", index: 1, devices: ["fence-pve-s3-1"] }, { target: "s3-1", index: 2, devices: ["fence-ipmi-s3-1"] },
      { target: "s3-2", index: 1, devices: ["fence-pve-s3-2"] }, { target: "s3-2", index: 2, devices: ["fence-ipmi-s3-2"] },
    ]);
  });

  it("clones ocf:linbit:drbd as promotable, one Promoted instance, with notifications", () => {
    const clone = descendants(root, "clone")[0];
    expect(clone.attributes.id).toBe("storage-drbd-clone");
    expect(nvpairs(childrenNamed(clone, "meta_attributes")[0])).toEqual({
      promotable: "true", "promoted-max": "1", "promoted-node-max": "1", "clone-max": "2", "clone-node-max": "1", notify: "true", priority: "10",
    });
    expect(paramsOf(primitiveById(root, "storage-drbd"))).toEqual({ drbd_resource: "ibac-s3" });
    expect(facts.promotableAgent).toBe("ocf:linbit:drbd");
  });

  it("monitors both DRBD roles, at different intervals", () => {
    const monitors = descendants(primitiveById(root, "storage-drbd"), "op").filter((o) => o.attributes.name === "monitor");
    expect(monitors.map((o) => [o.attributes.role, o.attributes.interval])).toEqual([["Promoted", "29s"], ["Unpromoted", "31s"]]);
  });

  it("groups file system, address, MinIO and HAProxy (S3's TLS on the address), in that start order", () => {
    expect(facts.serviceMembers).toEqual(["storage-fs", "storage-ip", "storage-minio", "storage-haproxy"]);
    expect(paramsOf(primitiveById(root, "storage-fs"))).toEqual({ device: "/dev/drbd0", directory: "/srv/minio", fstype: "ext4", options: "noatime" });
    expect(paramsOf(primitiveById(root, "storage-ip"))).toEqual({ ip: "10.20.2.12", cidr_netmask: "24" });
    const minio = primitiveById(root, "storage-minio");
    expect(minio.attributes).toEqual({ id: "storage-minio", class: "systemd", type: "minio" });
    expect(descendants(minio, "op").find((o) => o.attributes.name === "monitor")?.attributes.interval).toBe("30s");
    // The unit the S3 HAProxy renderer writes (ibac-s3-haproxy.service), never Debian's haproxy.service.
    const haproxy = primitiveById(root, "storage-haproxy");
    expect(haproxy.attributes).toEqual({ id: "storage-haproxy", class: "systemd", type: "ibac-s3-haproxy" });
    expect(descendants(haproxy, "op").map((o) => [o.attributes.name, o.attributes.interval, o.attributes.timeout])).toEqual([["monitor", "20s", "30s"], ["start", "0s", "60s"], ["stop", "0s", "60s"]]);
  });

  it("runs the group only with the Promoted role and starts it only after the promotion", () => {
    expect(text).toContain('<rsc_colocation id="colocation-storage-service-with-promoted" rsc="storage-service" with-rsc="storage-drbd-clone" with-rsc-role="Promoted" score="INFINITY"/>');
    expect(text).toContain('<rsc_order id="order-promote-then-storage-service" first="storage-drbd-clone" first-action="promote" then="storage-service" then-action="start" kind="Mandatory"/>');
    expect(facts.serviceColocatedWithPromoted).toBe(true);
    expect(facts.serviceOrderedAfterPromote).toBe(true);
  });

  it("gives every element of the document a unique id", () => {
    const ids = descendants(root, "nvpair").concat(descendants(root, "op"), descendants(root, "primitive"), descendants(root, "rsc_location"))
      .map((e) => e.attributes.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("for trixie, differs only in the schema it is written against (Pacemaker 3.0's newest)", () => {
    expect(renderCib(PROD, { release: "trixie" })).toBe(text.replace('validate-with="pacemaker-3.9"', 'validate-with="pacemaker-4.0"'));
  });

  it("without IPMI: one fencing level and no fence_ipmilan device", () => {
    const noIpmi = { ...PROD, cluster: { ...PROD.cluster, fencing: PROD.cluster.fencing.map((f) => ({ target: f.target, pve: f.pve })) as unknown as [FencePlan, FencePlan] } };
    const f = cibFacts(renderCib(noIpmi));
    expect(f.fenceDevices.map((d) => d.agent)).toEqual(["fence_pve", "fence_pve"]);
    expect(f.fencingLevels.map((l) => [l.target, l.index])).toEqual([["s3-1", 1], ["s3-2", 1]]);
  });
});

describe("renderCib: every value is escaped and checked", () => {
  it("escapes the five XML specials in an attribute value", () => {
    expect(xmlAttribute(`a&b<c>d"e'f`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f");
  });

  it("refuses a control character outright", () => {
    expect(() => xmlAttribute("a\nb")).toThrow(new Error('storage plan (Pacemaker CIB): a value with a control character cannot go into the CIB: "a\\nb"'));
  });

  const where = "storage plan (Pacemaker CIB)";
  it.each<[string, StoragePlan, string]>([
    ["a VM name with a quote", withPeer(0, { vm: 's3-1"' }), `${where}: peers[0].vm: expected a host name label such as s3-1 (lower-case letters, digits and inner hyphens), found "s3-1\\""`],
    ["a fence target that is not a storage VM", withFence(1, { target: "s3-3" }), `${where}: cluster.fencing[1].target: expected one of the storage VMs (s3-1, s3-2), found "s3-3"`],
    ["twice the same fence target", withFence(1, { target: "s3-1", pve: PROD.cluster.fencing[0].pve }), `${where}: cluster.fencing[1].target: expected the VM other than cluster.fencing[0].target, found "s3-1"`],
    ["fence_pve pointed at another node's address", withFence(0, { pve: { ...PROD.cluster.fencing[0].pve, address: "10.20.0.12" } }), `${where}: cluster.fencing[0].pve.address: expected the address of pve1, which runs s3-1 (10.20.0.11), found "10.20.0.12"`],
    ["fence_pve on the wrong VM id", withFence(1, { pve: { ...PROD.cluster.fencing[1].pve, vmId: 1200 } }), `${where}: cluster.fencing[1].pve.vmId: expected 1201, the VM id of s3-2, found 1200`],
    ["a Proxmox user without a realm", withFence(0, { pve: { ...PROD.cluster.fencing[0].pve, user: "ibac-fence" } }), `${where}: cluster.fencing[0].pve.user: expected a Proxmox user such as ibac-fence@pve (name@pve or name@pam), found "ibac-fence"`],
    ["an IPMI user with an ampersand", withFence(1, { ipmi: { address: "10.20.8.12", user: "a&b" } }), `${where}: cluster.fencing[1].ipmi.user: expected an IPMI user name of at most 16 letters, digits, dots, hyphens or underscores, found "a&b"`],
    ["an IPMI address that is a name", withFence(0, { ipmi: { address: "bmc1", user: "ibacfence" } }), `${where}: cluster.fencing[0].ipmi.address: expected an IPv4 address such as 10.20.3.40, found "bmc1"`],
    ["no fence-race delay", { ...PROD, cluster: { ...PROD.cluster, fenceDelayMaxSeconds: 0 } }, `${where}: cluster.fenceDelayMaxSeconds: expected an integer from 1 to 60, found 0`],
    ["a DRBD name with a space", { ...PROD, drbd: { ...PROD.drbd, name: "ibac s3" } }, `${where}: drbd.name: expected a DRBD resource name such as ibac-s3, found "ibac s3"`],
    ["a device that is not DRBD's", { ...PROD, drbd: { ...PROD.drbd, device: "/dev/sdb" } }, `${where}: drbd.device: expected a DRBD device such as /dev/drbd0, found "/dev/sdb"`],
    ["a service address with a prefix", { ...PROD, service: { ...PROD.service, address: "10.20.2.12/24" } }, `${where}: service.address: expected an IPv4 address such as 10.20.3.40, found "10.20.2.12/24"`],
    ["a service address a VM has", { ...PROD, service: { ...PROD.service, address: "10.20.2.41" } }, `${where}: service.address: expected an address neither VM has as its own, found "10.20.2.41"`],
    ["a prefix of 33", { ...PROD, service: { ...PROD.service, prefix: 33 } }, `${where}: service.prefix: expected an integer from 8 to 30, found 33`],
    ["a mount point with a dot segment", { ...PROD, service: { ...PROD.service, mountPoint: "/srv/../etc" } }, `${where}: service.mountPoint: expected an absolute path such as /srv/minio (no spaces, quotes or dot segments), found "/srv/../etc"`],
    ["a relative mount point", { ...PROD, service: { ...PROD.service, mountPoint: "srv/minio" } }, `${where}: service.mountPoint: expected an absolute path such as /srv/minio (no spaces, quotes or dot segments), found "srv/minio"`],
  ])("%s is refused", (_what, plan, message) => {
    expect(() => renderCib(plan)).toThrow(new Error(message));
  });

  it("an unknown release is refused", () => {
    expect(() => renderCib(PROD, { release: "buster" as "bookworm" })).toThrow(new Error(`${where}: release: expected "bookworm" or "trixie", found "buster"`));
  });
});

/**
 * The real crm_verify of bookworm's Pacemaker 2.1.5. Two forms: the file as rendered (configuration only), and
 * the same configuration in a quorate cluster with both VMs online, which is how the cluster itself will see it:
 * with an empty status section crm_verify finds both nodes unclean and warns that it would fence them; without
 * have-quorum it skips placing resources ("Fencing and resource management disabled due to lack of quorum").
 */
describe("renderCib, read by the real crm_verify (Pacemaker 2.1.5)", () => {
  let crmVerify: string;
  let dir: string;
  let count = 0;

  beforeAll(() => {
    crmVerify = requireTool("crm_verify", "pacemaker-cli-utils");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-cib-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function verify(xml: string): ToolResult {
    const file = path.join(dir, `cib-${count++}.xml`);
    fs.writeFileSync(file, xml);
    return runTool(crmVerify, ["--xml-file", file, "-V"]);
  }

  function online(plan: StoragePlan, text = renderCib(plan)): string {
    return withNodesOnline(text, plan.cluster.peers.map((p) => ({ id: p.nodeId, uname: p.vm, promotionScore: 10000 })), DRBD_PRIMITIVE_ID);
  }

  for (const stack of STACKS) {
    it(`${stack}: the rendered file passes, with nothing to say at -V`, () => {
      const result = verify(renderCib(planOf(stack)));
      expect(result.status, describeRun(result)).toBe(0);
      expect(result.stdout + result.stderr).toBe("");
    });

    it(`${stack}: in a quorate cluster with both VMs online it passes, with nothing to say at -V`, () => {
      const result = verify(online(planOf(stack)));
      expect(result.status, describeRun(result)).toBe(0);
      expect(result.stdout + result.stderr).toBe("");
    });
  }

  it("mutant: the trixie rendering is refused here: bookworm's 2.1.5 has no pacemaker-4.0 schema (so the release matters)", () => {
    const result = verify(online(PROD, renderCib(PROD, { release: "trixie" })));
    expect(result.status, describeRun(result)).toBe(78);
    expect(result.stderr).toContain("CIB did not pass schema validation");
  });

  it("the deprecated Master role name passes too (2.1.5 reads both; Promoted is the one Pacemaker 3 keeps)", () => {
    const result = verify(online(PROD, renderCib(PROD).replace('with-rsc-role="Promoted"', 'with-rsc-role="Master"')));
    expect(result.status, describeRun(result)).toBe(0);
  });

  it.each<[string, (t: string) => string, RegExp]>([
    ["a constraint on an unknown resource", (t) => t.replace('rsc="storage-service" with-rsc=', 'rsc="storage-servic" with-rsc='), /IDREF attribute rsc references an unknown ID "storage-servic"/],
    ["an order on an unknown resource", (t) => t.replace('then="storage-service"', 'then="storage-services"'), /IDREF attribute then references an unknown ID "storage-services"/],
    ["a role Pacemaker does not know", (t) => t.replace('with-rsc-role="Promoted"', 'with-rsc-role="Leader"'), /Relax-NG validity error/],
    ["two operations with one id", (t) => t.replace('id="storage-ip-monitor-10s"', 'id="storage-fs-monitor-20s"'), /Relax-NG validity error/],
  ])("mutant: %s is refused (exit 78)", (_what, mutate, reason) => {
    const text = mutate(online(PROD));
    expect(text).not.toBe(online(PROD));
    const result = verify(text);
    expect(result.status, describeRun(result)).toBe(78);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain("Errors found during check: config not valid");
  });

  // A Pacemaker 2.1.5 quirk: without validate-with, crm_verify checks against the oldest schema, prints a page
  // of validity errors and still exits 0. That is why the happy paths above also require -V to print nothing.
  it("mutant: without validate-with crm_verify prints validity errors yet exits 0 (so the output is read too)", () => {
    const result = verify(online(PROD).replace(' validate-with="pacemaker-3.9"', ""));
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stderr).toMatch(/Relax-NG validity error/);
  });

  // Valid CIBs that are still wrong: crm_verify accepts them, so the policy reads them through cibFacts and the
  // decisions test (test/integration/storage-pacemaker-decisions.test.ts) shows what the cluster would then do.
  it.each<[string, (t: string) => string, (f: ReturnType<typeof cibFacts>) => unknown, unknown]>([
    ["fencing turned off", (t) => t.replace('name="stonith-enabled" value="true"', 'name="stonith-enabled" value="false"'), (f) => f.stonithEnabled, false],
    ["the colocation with Promoted removed", (t) => t.replace(/\n\s*<rsc_colocation [^\n]*\/>/, ""), (f) => f.serviceColocatedWithPromoted, false],
    ["the order after promote removed", (t) => t.replace(/\n\s*<rsc_order [^\n]*\/>/, ""), (f) => f.serviceOrderedAfterPromote, false],
    ["a fencing level naming a device that does not exist", (t) => t.replace('devices="fence-ipmi-s3-2"', 'devices="fence-ipmi-s3-3"'), (f) => fencingLevelsNamingUnknownDevices(f), ["fence-ipmi-s3-3"]],
  ])("mutant: %s passes crm_verify, and cibFacts shows it", (_what, mutate, fact, expected) => {
    const text = mutate(online(PROD));
    expect(text).not.toBe(online(PROD));
    const result = verify(text);
    expect(result.status, describeRun(result)).toBe(0);
    expect(fact(cibFacts(text))).toEqual(expected);
  });
});

/**
 * crm_verify does not look inside agents' parameters: a misspelt fence_pve option passes it and fails only
 * when the node must be fenced. So the fence devices go through the agents' own validate-all
 * (`stonith_admin --validate`, run locally: validate-all exits before any login, so nothing is sent to the
 * Proxmox or BMC addresses), the OCF resources' parameters are looked up in the agents' own metadata, and
 * IPaddr2's validate-all runs in a network namespace shaped like a VM's service network.
 */
describe("renderCib's agent parameters, read by the agents themselves", () => {
  const root = parseXml(renderCib(PROD));
  let stonithAdmin: string;
  let crmResource: string;
  let namespaces = 0;

  beforeAll(() => {
    stonithAdmin = requireTool("stonith_admin", "pacemaker-cli-utils");
    crmResource = requireTool("crm_resource", "pacemaker-cli-utils");
    requireTool("fence_pve", "fence-agents");
    requireTool("fence_ipmilan", "fence-agents");
  });

  function validateFence(agent: string, params: Record<string, string>): ToolResult {
    return runTool(stonithAdmin, ["--validate", "--agent", agent, ...Object.entries(params).flatMap(([k, v]) => ["--option", `${k}=${v}`])]);
  }

  for (const device of descendants(root, "primitive").filter((p) => p.attributes.class === "stonith")) {
    it(`${device.attributes.id}: ${device.attributes.type} validates every option and knows each by name`, () => {
      const result = validateFence(device.attributes.type, paramsOf(device));
      expect(result.status, describeRun(result)).toBe(0);
      expect(result.stdout).toContain(`Validation of ${device.attributes.type} succeeded`);
      expect(result.stdout + result.stderr).not.toMatch(/unknown option/i);
    });
  }

  it("mutant: fence_pve without a password or password script fails its validation", () => {
    const params = paramsOf(primitiveById(root, "fence-pve-s3-1"));
    delete params.password_script;
    const result = validateFence("fence_pve", params);
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stdout + result.stderr).toContain("You have to enter password or password script");
  });

  it("mutant: a misspelt fence_pve option (pve_nodes) is reported as unknown", () => {
    const { pve_node: node, ...params } = paramsOf(primitiveById(root, "fence-pve-s3-1"));
    const result = validateFence("fence_pve", { ...params, pve_nodes: node });
    expect(result.stdout + result.stderr).toContain("Ignoring unknown option 'pve_nodes=pve1'");
  });

  /** IPaddr2's validate-all in a namespace whose only link (a veth) holds `vmAddress/prefix`, like the VM's service NIC. */
  function validateAddressOn(vmAddress: string, prefix: number, params: Record<string, string>): ToolResult {
    const ip = requireTool("ip", "iproute2");
    const ns = `ibac-ipaddr2-${process.pid}-${namespaces++}`;
    expect(runTool(ip, ["netns", "add", ns]).status).toBe(0);
    try {
      for (const args of [["link", "add", "svc0", "type", "veth", "peer", "name", "svc1"], ["link", "set", "svc0", "up"], ["addr", "add", `${vmAddress}/${prefix}`, "dev", "svc0"]]) {
        const r = runTool(ip, ["-n", ns, ...args]);
        expect(r.status, describeRun(r)).toBe(0);
      }
      return runTool(ip, ["netns", "exec", ns, crmResource, "--validate", "--class", "ocf", "--provider", "heartbeat", "--agent", "IPaddr2",
        ...Object.entries(params).flatMap(([k, v]) => ["--option", `${k}=${v}`])]);
    } finally {
      expect(runTool(ip, ["netns", "delete", ns]).status).toBe(0);
    }
  }

  it("storage-ip: IPaddr2's validate-all finds the service NIC by itself (no nic given) on a VM's service network", () => {
    const result = validateAddressOn(PROD.cluster.peers[1].serviceAddress, PROD.service.prefix, paramsOf(primitiveById(root, "storage-ip")));
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout).toContain("returned 0 (ok)");
  });

  it("mutant: a service address outside the VM's networks is refused by IPaddr2 (no interface to put it on)", () => {
    const result = validateAddressOn(PROD.cluster.peers[1].serviceAddress, PROD.service.prefix, { ...paramsOf(primitiveById(root, "storage-ip")), ip: "10.20.5.12" });
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stdout + result.stderr).toContain("Unable to find nic or netmask");
  });

  function metadataParameters(agent: string): string[] {
    const result = runTool(crmResource, ["--show-metadata", agent]);
    expect(result.status, describeRun(result)).toBe(0);
    return descendants(parseXml(result.stdout), "parameter").map((p) => p.attributes.name);
  }

  for (const [id, agent] of [["storage-drbd", "ocf:linbit:drbd"], ["storage-fs", "ocf:heartbeat:Filesystem"], ["storage-ip", "ocf:heartbeat:IPaddr2"]]) {
    it(`${id}: every parameter is one ${agent} declares`, () => {
      const known = metadataParameters(agent);
      const given = Object.keys(paramsOf(primitiveById(root, id)));
      expect(given.length).toBeGreaterThan(0);
      expect(given.filter((p) => !known.includes(p))).toEqual([]);
    });
  }
});
